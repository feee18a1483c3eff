// The admins' spaces page. Drag and drop (native HTML5) and the Move up / Move down arrows
// reorder the rows; after each change the full new order goes to the server in one request.
// On a refusal the server sends the list as it has it, which replaces ours; on a network
// failure the rows go back to the last saved order. Without this script the arrows are
// plain forms and Delete asks on a page of its own, so everything works without it.
// Also, on the space form: the tier select shows only for paid spaces.
(function () {
  "use strict";

  var saved = [];        // the order the server has, as id strings
  var dragged = null;
  var saving = false;
  var pending = false;   // a change made while a request was on its way

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function panel() { return document.getElementById("space-list"); }
  function list() { var p = panel(); return p && p.querySelector(".manage-list"); }
  function rows() { var l = list(); return l ? Array.prototype.slice.call(l.children) : []; }
  function currentOrder() { return rows().map(function (row) { return row.dataset.spaceId; }); }

  function announce(text) {
    var status = document.querySelector("[data-order-status]");
    if (status) status.textContent = text;
  }

  function showError(text) {
    var box = panel() && panel().querySelector("[data-order-error]");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

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

  function flash(row) {
    row.classList.remove("is-moved");
    void row.offsetWidth;  // restart the animation
    row.classList.add("is-moved");
  }

  function setBusy(busy) {
    var l = list();
    if (!l) return;
    l.classList.toggle("is-saving", busy);
    l.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function replacePanel(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = template.content.getElementById("space-list");
    if (fresh && panel()) panel().replaceWith(fresh);
    setUp();
  }

  function save() {
    var order = currentOrder();
    if (order.join(",") === saved.join(",")) return;
    if (saving) { pending = true; return; }
    saving = true;
    setBusy(true);
    var body = new URLSearchParams();
    body.set("order", order.join(","));
    fetch(panel().dataset.orderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
    }).then(function (response) {
      if (response.ok) {
        saved = order;
        showError("");
        announce("New order saved.");
        return;
      }
      if (response.status === 400) {
        pending = false;
        return response.text().then(function (html) {
          replacePanel(html);
          announce("The new order was not saved.");
        });
      }
      throw new Error("status " + response.status);
    }).catch(function () {
      pending = false;
      applyOrder(saved);
      showError("The new order was not saved: the server could not be reached. " +
                "The list is back as it was.");
      announce("The new order was not saved.");
    }).then(function () {
      saving = false;
      setBusy(false);
      if (pending) { pending = false; save(); }
    });
  }

  function setUp() {
    var l = list();
    if (!l) return;
    l.classList.add("is-sortable");
    rows().forEach(function (row) { row.draggable = true; });
    saved = currentOrder();
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
    if (currentOrder().join(",") !== saved.join(",")) {
      flash(row);
      save();
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
      flash(row);
      var all = rows();
      announce((row.dataset.spaceName || "The space") + " is now number " +
               (all.indexOf(row) + 1) + " of " + all.length + ".");
      save();
      return;
    }
    if (form.matches("form[data-confirm]")) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirm";
      confirmed.value = "yes";
      form.appendChild(confirmed);
    }
  });

  // --- The space form: the tier only for paid spaces --------------------------------------

  function setUpTierField() {
    var field = document.querySelector("[data-tier-field]");
    if (!field) return;
    var select = field.querySelector("select");
    function paid() {
      var checked = document.querySelector('input[name="visibility"]:checked');
      return checked && checked.value === "paid";
    }
    field.hidden = !paid() && !field.querySelector(".field--invalid");
    document.addEventListener("change", function (event) {
      if (event.target.name !== "visibility") return;
      field.hidden = !paid();
      if (field.hidden && select) select.value = "";
    });
  }

  function start() {
    setUp();
    setUpTierField();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
