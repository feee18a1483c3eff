// The header's bell follows the member's unread count live: services publish
// "notification.created" and "notification.read" ({id, unread}) to the member's user:<id>
// topic, which live.js turns into "live:notification.*" events on <body>.
(function () {
  "use strict";
  function show(event) {
    var unread = (event.detail || {}).unread;
    var bell = document.querySelector("[data-bell]");
    if (!bell || typeof unread !== "number") return;
    var count = bell.querySelector("[data-bell-count]");
    count.textContent = unread > 99 ? "99+" : String(unread);
    count.hidden = unread === 0;
    bell.querySelector("[data-bell-label]").textContent =
      "Notifications" + (unread ? ", " + unread + " unread" : "");
  }
  document.body.addEventListener("live:notification.created", show);
  document.body.addEventListener("live:notification.read", show);
})();
