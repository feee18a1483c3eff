// The search palette: Ctrl/Cmd+K (or the header's search link) opens a dialog whose box is
// an ARIA combobox; as the member types, the server's suggestions (community/views/search.py,
// escaped HTML) fill its listbox. Arrows move, Enter opens, Escape closes; the number of
// results is announced. Without JavaScript the header's link is the results page.
(function () {
  "use strict";
  const DEBOUNCE_MS = 150;

  function setUp(dialog) {
    const form = dialog.querySelector("form");
    const input = dialog.querySelector("[role=combobox]");
    const listbox = dialog.querySelector("[role=listbox]");
    const status = dialog.querySelector("[role=status]");
    const url = listbox.dataset.suggestionsUrl;
    let timer = null;
    let inFlight = null;
    let active = -1;

    function options() {
      return Array.from(listbox.querySelectorAll("[role=option]"));
    }

    function clearActive() {
      options().forEach((option) => option.setAttribute("aria-selected", "false"));
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }

    function activate(index) {
      const all = options();
      clearActive();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      const option = all[active];
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function show(html) {
      listbox.innerHTML = html;
      const summary = listbox.querySelector("[data-summary]");
      const shown = options().length > 0 || listbox.querySelector("[role=alert]");
      input.setAttribute("aria-expanded", shown ? "true" : "false");
      status.textContent = summary ? summary.dataset.summary : "";
      clearActive();
    }

    async function suggest() {
      const query = input.value.trim();
      if (inFlight) inFlight.abort();
      if (!query) {
        show("");
        return;
      }
      inFlight = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, {
          signal: inFlight.signal,
          headers: { Accept: "text/html" },
        });
        if (response.ok) show(await response.text());
      } catch (error) {
        if (error.name !== "AbortError") status.textContent = "Search is unavailable right now.";
      }
    }

    function open() {
      clearActive();  // what was typed stays; the choice starts again from the box
      if (!dialog.open) dialog.showModal();
      input.focus();
      input.select();
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const up = event.key === "ArrowUp";
        activate(active < 0 && up ? -1 : active + (up ? -1 : 1));  // Up from the box: the last
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].href);
      }
    });
    // A click on the backdrop (the dialog itself, outside its box) closes it.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    form.addEventListener("submit", (event) => {
      if (!input.value.trim()) event.preventDefault();
    });

    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        open();
      }
    });
    document.querySelectorAll("[data-palette-open]").forEach((link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        open();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const dialog = document.getElementById("search-palette");
    if (dialog) setUp(dialog);
  });
})();
