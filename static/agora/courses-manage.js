// The admins' course pages. On the builder, drag and drop (native HTML5) moves a module, or
// a lesson within or across modules; on drop order-save.js sends the whole order as JSON. On
// a refusal (400) the server answers with the order it has, which replaces ours. The Move up /
// Move down arrows stay plain forms (they work without this script and from the keyboard).
// Also, the module form shows the drip field that its choice needs (manage-forms.js asks
// before a delete and shows the tier select only for paid courses).
(function () {
  "use strict";

  var dragged = null;     // the module or lesson <li> being dragged

  function outline() { return document.getElementById("course-outline"); }
  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  function modules() { var o = outline(); return o ? all(o, ".cm-module") : []; }

  function currentOrder() {
    return modules().map(function (module) {
      return {
        id: Number(module.dataset.moduleId),
        lessons: all(module, ".cm-lesson").map(function (lesson) { return Number(lesson.dataset.lessonId); }),
      };
    });
  }

  function setDisabled(item, direction, disabled) {
    var button = item.querySelector(':scope > .cm-row [data-move="' + direction + '"] button');
    if (button) button.disabled = disabled;
  }

  function refreshButtons() {
    var list = modules();
    list.forEach(function (module, m) {
      setDisabled(module, "up", m === 0);
      setDisabled(module, "down", m === list.length - 1);
      var lessons = all(module, ".cm-lesson");
      lessons.forEach(function (lesson, i) {
        setDisabled(lesson, "up", m === 0 && i === 0);
        setDisabled(lesson, "down", m === list.length - 1 && i === lessons.length - 1);
      });
    });
  }

  function applyOrder(order) {
    var o = outline();
    var moduleList = o.querySelector(".cm-modules");
    var byModule = {};
    var byLesson = {};
    modules().forEach(function (module) { byModule[module.dataset.moduleId] = module; });
    all(o, ".cm-lesson").forEach(function (lesson) { byLesson[lesson.dataset.lessonId] = lesson; });
    order.forEach(function (entry) {
      var module = byModule[entry.id];
      if (!module) return;
      moduleList.appendChild(module);
      var lessonList = module.querySelector(".cm-lessons");
      entry.lessons.forEach(function (id) { if (byLesson[id]) lessonList.appendChild(byLesson[id]); });
    });
    refreshButtons();
  }

  var order = window.AgoraOrder.saver({
    container: outline,
    read: function () { return JSON.stringify({ modules: currentOrder() }); },
    request: function (body) { return { body: body, contentType: "application/json" }; },
    refused: function (response) {
      return response.json().then(function (data) {
        applyOrder(data.modules || []);
        return "The new order was not saved: " + (data.detail || "it was refused") +
               " The outline shows the saved order.";
      });
    },
    restore: function (body) { applyOrder(JSON.parse(body).modules); },
    noun: "outline",
  });

  function setUpOutline() {
    var o = outline();
    if (!o) return;
    o.classList.add("is-sortable");
    // Only the handles drag: the add-lesson fields inside a module stay selectable.
    all(o, ".cm-handle").forEach(function (handle) { handle.draggable = true; });
    order.reset();
    refreshButtons();
  }

  // --- Drag and drop ------------------------------------------------------------------

  function placeBy(event, over, item) {
    var box = over.getBoundingClientRect();
    var before = event.clientY < box.top + box.height / 2;
    over.parentNode.insertBefore(item, before ? over : over.nextSibling);
  }

  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest(".is-sortable .cm-handle");
    if (!handle) return;
    var item = handle.closest(".cm-lesson, .cm-module");
    if (!item) return;
    dragged = item;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.name || "");
    if (event.dataTransfer.setDragImage) event.dataTransfer.setDragImage(item, 16, 16);
    item.classList.add("is-dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged || !event.target.closest) return;
    var target = event.target;
    if (dragged.classList.contains("cm-lesson")) {
      var over = target.closest(".cm-lesson");
      var module = target.closest(".cm-module");
      if (!module || !module.closest("#course-outline")) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (over === dragged) return;
      if (over) placeBy(event, over, dragged);
      else {
        var list = module.querySelector(".cm-lessons");
        if (dragged.parentNode !== list) list.appendChild(dragged);
      }
      return;
    }
    var overModule = target.closest(".cm-module");
    if (!overModule || overModule.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (overModule !== dragged) placeBy(event, overModule, dragged);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var item = dragged;
    dragged = null;
    item.classList.remove("is-dragging");
    refreshButtons();
    if (order.changed()) {
      window.AgoraOrder.flash(item);
      order.save();
    }
  });

  // --- The module form: the drip field its choice needs ---------------------------------------

  function setUpDrip() {
    all(document, "[data-drip]").forEach(function (box) {
      function show() {
        var checked = box.querySelector('input[type="radio"]:checked');
        var choice = checked ? checked.value : "none";
        all(box, "[data-drip-for]").forEach(function (part) {
          part.hidden = part.dataset.dripFor !== choice && !part.querySelector(".field--invalid");
        });
      }
      box.addEventListener("change", show);
      show();
    });
  }

  function start() {
    setUpOutline();
    setUpDrip();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
