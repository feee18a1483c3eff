// Relative times: every <time datetime data-ago> shows "just now", "5 minutes ago"…, with
// the absolute time (what the server wrote, readable without JavaScript) as its tooltip.
// Cards are rendered once for every viewer (community/cards.py), so the server cannot
// write "5 minutes ago" into them; this script does, and keeps it current every minute.
(function () {
  "use strict";
  const UNITS = [
    ["year", 365 * 86400],
    ["month", 30 * 86400],
    ["week", 7 * 86400],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  const format = new Intl.RelativeTimeFormat("en", { numeric: "always" });

  function relative(date, now) {
    const seconds = Math.max(0, (now - date) / 1000);
    if (seconds < 60) return "just now";
    for (const [unit, size] of UNITS) {
      if (seconds >= size) return format.format(-Math.floor(seconds / size), unit);
    }
    return "just now";
  }

  function update(root) {
    if (!root.querySelectorAll) return;
    const now = Date.now();
    const times = root.matches && root.matches("time[data-ago]") ? [root] : [];
    times.push(...root.querySelectorAll("time[data-ago]"));
    for (const time of times) {
      const date = Date.parse(time.dateTime);
      if (Number.isNaN(date)) continue;
      if (!time.title) time.title = time.textContent.trim();
      time.textContent = relative(date, now);
    }
  }

  function start() {
    update(document);
    // Cards arrive later too: htmx swaps, the "new posts" marker, live refreshes.
    new MutationObserver((mutations) => {
      for (const mutation of mutations) mutation.addedNodes.forEach(update);
    }).observe(document.body, { childList: true, subtree: true });
    setInterval(() => update(document), 60 * 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
