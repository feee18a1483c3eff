// Agora's live connection: one WebSocket per page.
// Subscribes to the topics named in <body data-live-topics="user:12 post:9">, plus any element's
// data-live-topic, reconnects with capped exponential backoff and jitter, and turns every event
// into a DOM event "live:<type>" on document.body (detail = the event). Fragments refresh with
// htmx: hx-get="…" hx-trigger="live:comment.created from:body". While the socket is down,
// elements with data-live-poll="<seconds>" poll instead, so nothing is missed.
(function () {
  "use strict";
  var socket = null;
  var attempt = 0;
  var pollTimers = [];
  var addedTopics = new Set(); // from agoraLive.subscribe, kept across reconnects

  function topics() {
    var found = new Set((document.body.dataset.liveTopics || "").split(/\s+/).filter(Boolean));
    addedTopics.forEach(function (topic) { found.add(topic); });
    document.querySelectorAll("[data-live-topic]").forEach(function (el) {
      found.add(el.dataset.liveTopic);
    });
    return Array.from(found);
  }

  function startPolling() {
    if (pollTimers.length || !window.htmx) return;
    document.querySelectorAll("[data-live-poll]").forEach(function (el) {
      var seconds = Math.max(5, parseInt(el.dataset.livePoll, 10) || 30);
      pollTimers.push(setInterval(function () { htmx.trigger(el, "live:poll"); }, seconds * 1000));
    });
  }

  function stopPolling() {
    pollTimers.forEach(clearInterval);
    pollTimers = [];
  }

  function connect() {
    var list = topics();
    if (!list.length) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    socket.addEventListener("open", function () {
      attempt = 0;
      stopPolling();
      list.forEach(function (topic) {
        socket.send(JSON.stringify({ action: "subscribe", topic: topic }));
      });
      document.body.dataset.live = "connected";
    });
    socket.addEventListener("message", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (!event || !event.type) return;
      document.body.dispatchEvent(new CustomEvent("live:" + event.type, { detail: event, bubbles: true }));
    });
    socket.addEventListener("close", function (close) {
      document.body.dataset.live = "disconnected";
      startPolling();
      if (close.code === 4401) return; // signed out: no point retrying
      var delay = Math.min(30000, 500 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      setTimeout(connect, delay);
    });
  }

  window.agoraLive = {
    subscribe: function (topic) {
      addedTopics.add(topic);
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ action: "subscribe", topic: topic }));
      }
    },
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
