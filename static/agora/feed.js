// Pages of post cards (the feeds and the post page): the live "N new posts" marker, the
// filters that apply themselves, the post menu (Escape or a click outside closes it), the
// confirmation of plain (non-htmx) forms marked data-confirm, and the composer folded on a phone.
// live.js turns socket events into DOM events on <body>; on "live:post.created" for a space
// this list follows, the marker counts the new post. Clicking it fetches the newer cards
// (rendered by the server with the reader's permissions) and inserts them above, keeping
// what the reader is looking at where it is.
(function () {
  "use strict";

  function setup() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    document.querySelectorAll(".feed-filters__apply").forEach(function (button) {
      button.classList.add("feed-filters__apply--js");
    });

    var list = document.querySelector(".feed-list[data-newer-url]");
    if (!list) return;
    var button = list.querySelector(".feed-new__button");
    var count = list.querySelector(".feed-new__count");
    var status = list.querySelector(".feed-new__status");
    var items = list.querySelector(".feed-items");
    var topics = new Set();
    document.querySelectorAll("[data-live-topic]").forEach(function (el) {
      topics.add(el.dataset.liveTopic);
    });
    var pending = new Set();
    var loading = false;

    function render() {
      count.textContent = String(pending.size);
      button.lastChild.textContent = pending.size === 1 ? " new post" : " new posts";
      button.hidden = pending.size === 0;
    }

    document.body.addEventListener("live:post.created", function (event) {
      var detail = event.detail || {};
      if (!topics.has(detail.topic) || document.getElementById("post-" + detail.id)) return;
      pending.add(detail.id);
      render();
    });

    // The first card the reader can see: it must not move when cards are added above.
    // At the top of the list nothing is anchored: the new cards simply appear.
    function anchor() {
      if (items.getBoundingClientRect().top >= 0) return null;
      var cards = items.querySelectorAll(".post-card");
      for (var i = 0; i < cards.length; i++) {
        if (cards[i].getBoundingClientRect().bottom > 0) return cards[i];
      }
      return null;
    }

    button.addEventListener("click", function () {
      if (loading) return;
      loading = true;
      var url = list.dataset.newerUrl;
      url += (url.indexOf("?") === -1 ? "?" : "&") + "newer=" + encodeURIComponent(list.dataset.newestCursor);
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          var cursor = response.headers.get("X-Newest-Cursor");
          if (cursor) list.dataset.newestCursor = cursor;
          return response.text();
        })
        .then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html;
          var fresh = Array.from(template.content.querySelectorAll(".post-card")).filter(function (card) {
            return !document.getElementById(card.id);
          });
          var keep = anchor();
          var before = keep ? keep.getBoundingClientRect().top : 0;
          fresh.slice().reverse().forEach(function (card) {
            card.classList.add("post-card--fresh");
            items.insertBefore(card, items.firstChild);
            if (window.htmx) htmx.process(card);
          });
          if (keep) window.scrollBy(0, keep.getBoundingClientRect().top - before);
          pending.clear();
          render();
          status.textContent = fresh.length
            ? fresh.length + (fresh.length === 1 ? " new post" : " new posts") + " added above."
            : "No new posts match this view.";
        })
        .catch(function () {
          status.textContent = "Could not load the new posts. Try reloading the page.";
        })
        .finally(function () { loading = false; });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

// Behaviour every post card has, wherever it is shown (also on the post page).
(function () {
  "use strict";

  function closeMenus(except) {
    document.querySelectorAll("details.post-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelectorAll("details.post-menu[open]");
    if (!open.length) return;
    var inside = event.target.closest && event.target.closest("details.post-menu[open]");
    closeMenus(null);
    var summary = (inside || open[0]).querySelector("summary");
    if (summary) summary.focus();
  });

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("details.post-menu") : null);
  });

  // A plain form POST (no htmx) asks the same question htmx's hx-confirm asks.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // On a phone the composer is one "Write a post…" button until tapped (without JS, or with
  // errors to show, the form stays open).
  function foldComposer() {
    var form = document.querySelector("form.compose[data-foldable]");
    if (!form || form.querySelector(".field--invalid, [role=alert]")) return;
    var opener = document.createElement("button");
    opener.type = "button";
    opener.className = "compose-opener card";
    opener.textContent = "Write a post…";
    opener.setAttribute("aria-expanded", "false");
    opener.setAttribute("aria-controls", form.id);
    form.parentNode.insertBefore(opener, form);
    form.classList.add("compose--folded");
    opener.addEventListener("click", function () {
      form.classList.remove("compose--folded");
      opener.remove();
      var body = form.querySelector("textarea");
      if (body) body.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", foldComposer);
  } else {
    foldComposer();
  }
})();
