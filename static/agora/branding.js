// The branding page: the colour picker and the text field follow each other, and the
// preview takes the picked colour before it is saved (the server checks it on save).
(function () {
  "use strict";

  var HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

  function full(value) {
    value = value.trim().toLowerCase();
    if (!HEX.test(value)) return null;
    if (value.length === 4) {
      value = "#" + value[1] + value[1] + value[2] + value[2] + value[3] + value[3];
    }
    return value;
  }

  function setUp() {
    var picker = document.querySelector("[data-color-picker]");
    var text = document.getElementById("id_primary_color");
    var preview = document.querySelector("[data-brand-preview]");
    if (!picker || !text || !preview) return;
    function show(color) {
      preview.style.setProperty("--primary", color);
    }
    picker.addEventListener("input", function () {
      text.value = picker.value;
      show(picker.value);
    });
    text.addEventListener("input", function () {
      var color = full(text.value);
      if (color) {
        picker.value = color;
        show(color);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
