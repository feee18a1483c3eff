// The admins' spaces page. Drag and drop (native HTML5) and the Move up / Move down arrows
// reorder the rows; after each change order-save.js sends the full new order. On a refusal
// the server sends the panel as it has it, which replaces ours. Without this script the
// arrows are plain forms and Delete asks on a page of its own, so everything works without it.
(function () {
  "use strict";

  var dragged = null;

  function panel() { return document.getElementById("space-list"); }
  function list() { var p = panel(); return p && p.querySelector(".manage-list"); }
  function rows() { var l = list(); return l ? Array.prototype.slice.call(l.children) : []; }
  function currentOrder() { return rows().map(function (row) { return row.dataset.spaceId; }); }

  function refreshButtons() {
    var all = rows();
    all.forEach(function (row, index) {
      row.querySelector('[data-move="up"] button').disabled = index === 0;
      row.querySelector('[data-move="down"] button').disabled = index === all.length - 1;
    });
  }

  function applyOrder(ids) {
    var l = list();
    var byId = {};
    rows().forEach(function (row) { byId[row.dataset.spaceId] = row; });
    ids.forEach(function (id) { if (byId[id]) l.appendChild(byId[id]); });
    refreshButtons();
  }

  function replacePanel(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = template.content.getElementById("space-list");
    if (fresh && panel()) panel().replaceWith(fresh);
    setUp();
  }

  var order = window.AgoraOrder.saver({
    container: panel,
    read: function () { return currentOrder().join(","); },
    request: function (ids) {
      var body = new URLSearchParams();
      body.set("order", ids);
      return { body: body, contentType: "application/x-www-form-urlencoded" };
    },
    // The server answers with the panel as it has it, its error included.
    refused: function (response) { return response.text().then(replacePanel); },
    restore: function (ids) { applyOrder(ids ? ids.split(",") : []); },
    noun: "list",
  });

  function setUp() {
    var l = list();
    if (!l) return;
    l.classList.add("is-sortable");
    rows().forEach(function (row) { row.draggable = true; });
    order.reset();
    refreshButtons();
  }

  // --- Drag and drop ------------------------------------------------------------------

  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest(".is-sortable .manage-row");
    if (!row) return;
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.spaceName || "");
    row.classList.add("is-dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest(".manage-row");
    if (!over || over.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (over === dragged) return;
    var box = over.getBoundingClientRect();
    var before = event.clientY < box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, before ? over : over.nextSibling);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var row = dragged;
    dragged = null;
    row.classList.remove("is-dragging");
    refreshButtons();
    if (order.changed()) {
      window.AgoraOrder.flash(row);
      order.save();
    }
  });

  // --- Move up / Move down, Delete ----------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches(".is-sortable form[data-move]")) {
      event.preventDefault();
      var row = form.closest(".manage-row");
      var up = form.dataset.move === "up";
      var neighbour = up ? row.previousElementSibling : row.nextElementSibling;
      if (!neighbour) return;
      row.parentNode.insertBefore(row, up ? neighbour : neighbour.nextSibling);
      refreshButtons();
      var button = form.querySelector("button");
      if (button.disabled) button = row.querySelector('[data-move="' + (up ? "down" : "up") + '"] button');
      button.focus();
      window.AgoraOrder.flash(row);
      var all = rows();
      window.AgoraOrder.announce((row.dataset.spaceName || "The space") + " is now number " +
               (all.indexOf(row) + 1) + " of " + all.length + ".");
      order.save();
      return;
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
