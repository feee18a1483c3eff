// The levels page: "Add a level" appends a blank row (the formset's empty form) and a row
// marked "Remove" is greyed. Without this script the page still works: there is always one
// blank row to fill, and the Remove boxes are sent as they are.
(function () {
  "use strict";
  function setUp() {
    var form = document.querySelector("[data-ladder]");
    if (!form) return;
    var rows = form.querySelector("[data-ladder-rows]");
    var template = form.querySelector("[data-ladder-template]");
    var add = form.querySelector("[data-ladder-add]");
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    if (!rows || !template || !add || !total) return;
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = rows.lastElementChild;
      var number = row.querySelector(".level-row__index");
      if (number) number.textContent = String(index + 1);
      var name = row.querySelector('input[name$="-name"]');
      if (name) name.focus();
    });
    form.addEventListener("change", function (event) {
      if (!event.target.name || !/-DELETE$/.test(event.target.name)) return;
      var row = event.target.closest("[data-level-row]");
      if (row) row.classList.toggle("is-removed", event.target.checked);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
