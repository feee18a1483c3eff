// The post page: keeps comments and like counts current while the member reads.
// live.js turns socket events into "live:<type>" DOM events on <body>; this script refreshes
// the comment threads (unless the member is typing a reply or an edit there: then it shows
// a "new comments" button instead, so no draft is lost) and the like buttons named in
// "like.changed" events.
(function () {
  "use strict";

  function threads() { return document.getElementById("comment-threads"); }

  // A draft is text typed and not yet sent: a form whose request is in flight (htmx marks
  // it .htmx-request) is being sent, and its answer brings the new list.
  function hasDraft(root) {
    return Array.prototype.some.call(root.querySelectorAll("textarea"), function (area) {
      if (area.form && area.form.classList.contains("htmx-request")) return false;
      return area.value.trim() !== "" && area.value !== area.defaultValue;
    });
  }

  function showMarker(show) {
    var marker = document.getElementById("comments-marker");
    if (marker) marker.hidden = !show;
  }

  function refreshThreads() {
    var list = threads();
    if (!list || !window.htmx) return;
    if (hasDraft(list)) { showMarker(true); return; }
    showMarker(false);
    htmx.trigger(list, "refresh");
  }

  // The member's own reply comes back twice: in the answer to their request and as a live
  // event (often first: the socket is quicker). A comment already shown is no news.
  document.body.addEventListener("live:comment.created", function (event) {
    var data = event.detail || {};
    if (data.id && document.getElementById("comment-" + data.id)) return;
    refreshThreads();
  });
  ["live:comment.updated", "live:comment.deleted"].forEach(function (type) {
    document.body.addEventListener(type, refreshThreads);
  });

  // Whenever the list is swapped in, it is the newest there is: nothing left to show.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var list = threads();
    if (target && target.id === "comment-threads" && list && !hasDraft(list)) showMarker(false);
  });

  document.body.addEventListener("live:like.changed", function (event) {
    var data = event.detail || {};
    var form = document.getElementById("like-" + data.target_type + "-" + data.target_id);
    if (!form || !window.htmx || !form.dataset.likeUrl) return;
    htmx.ajax("GET", form.dataset.likeUrl, { target: form, swap: "outerHTML" });
  });

  // Polling (while the socket is down) must not wipe a draft either.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var list = threads();
    if (list && event.detail.elt === list && hasDraft(list)) {
      event.preventDefault();
      showMarker(true);
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-comments-refresh]")) return;
    var list = threads();
    if (!list || !window.htmx) return;
    showMarker(false);
    htmx.ajax("GET", list.getAttribute("hx-get"), { target: list, swap: "outerHTML" });
  });

  // A comment that was posted clears its form (the list arrives with it).
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-comment-form]") && event.detail.successful &&
        !event.detail.xhr.getResponseHeader("HX-Retarget")) {
      form.reset();
    }
  });
})();
