// A direct-message thread, live both ways. live.js subscribes to the thread's
// conversation:<id> topic (data-live-topic) and turns its events into "live:<type>" events
// on <body>: a new or changed message is fetched as its card and put in place, the member's
// own read mark is sent while the page is in view, and the other member's read receipt
// ("Seen 14:02") follows their "conversation.read".
(function () {
  "use strict";
  var thread = document.querySelector(".thread[data-conversation]");
  if (!thread) return;
  var list = document.getElementById("thread-messages");
  var receipt = document.getElementById("read-receipt");
  var me = thread.dataset.me;

  function scrollToEnd() { list.lastElementChild && list.lastElementChild.scrollIntoView({ block: "end" }); }

  function cardUrl(id) { return thread.dataset.messageUrl.replace(/\/0\/$/, "/" + id + "/"); }

  // The receipt speaks of the thread's last message when it is the member's own: shown once
  // the other member has read it (a reply says as much already).
  function showReceipt() {
    var items = list.querySelectorAll("[data-message-id]");
    var last = items.length ? items[items.length - 1] : null;
    receipt.hidden = !last || last.dataset.sender !== me ||
      parseInt(receipt.dataset.readId, 10) < parseInt(last.dataset.messageId, 10);
  }

  // A card may arrive twice (the answer to the member's own send and its live event):
  // the first one stays.
  function dedupe() {
    var seen = {};
    list.querySelectorAll("[data-message-id]").forEach(function (item) {
      if (seen[item.id]) item.remove(); else seen[item.id] = true;
    });
  }

  function markRead() {
    if (document.visibilityState !== "visible") return;
    fetch(thread.dataset.readUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": thread.dataset.csrf },
    });
  }

  function fetchCard(id, replace) {
    return fetch(cardUrl(id), { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html) return;
      var holder = document.createElement("ol");
      holder.innerHTML = html.trim();
      var card = holder.firstElementChild;
      var old = document.getElementById("message-" + id);
      if (old) { if (replace) old.replaceWith(card); return; }
      if (!replace) { list.appendChild(card); dedupe(); showReceipt(); scrollToEnd(); }
    });
  }

  document.body.addEventListener("live:message.created", function (event) {
    var data = event.detail || {};
    if (document.getElementById("message-" + data.id)) return;
    fetchCard(data.id, false).then(function () { if (String(data.sender) !== me) markRead(); });
  });
  ["live:message.updated", "live:message.deleted"].forEach(function (type) {
    document.body.addEventListener(type, function (event) { fetchCard((event.detail || {}).id, true); });
  });
  document.body.addEventListener("live:conversation.read", function (event) {
    var data = event.detail || {};
    if (String(data.member) === me) return;
    receipt.dataset.readId = data.last_read_id;
    var time = new Date(data.read_at);
    receipt.innerHTML = "";
    receipt.append("Seen ");
    var stamp = document.createElement("time");
    stamp.dateTime = data.read_at;
    stamp.textContent = time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    receipt.append(stamp);
    showReceipt();
  });
  document.addEventListener("visibilitychange", markRead);

  // The member's own message, sent with htmx, lands at the end: the form empties.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-message-form]") && event.detail.successful &&
        !event.detail.xhr.getResponseHeader("HX-Retarget")) {
      form.reset();
      dedupe();
      showReceipt();
      scrollToEnd();
    }
  });
  // Enter sends, Shift+Enter starts a new line.
  document.body.addEventListener("keydown", function (event) {
    var area = event.target;
    if (event.key !== "Enter" || event.shiftKey || !area.matches || !area.matches("form[data-message-form] textarea")) return;
    event.preventDefault();
    if (area.value.trim()) area.form.requestSubmit();
  });
  scrollToEnd();
})();
