// The admins' event form: the repeat builder shows only the parts its "Repeats" choice needs
// (every N days/weeks/months, weekdays for weekly, by date or weekday for monthly, how the
// series ends) and names the monthly choices after the start typed ("on day 10", "on the
// 2nd Tuesday"); one date's form shows the series' fields only for "This and following".
// Without this script every part shows and the server reads only what the choice needs.
// manage-forms.js asks before a cancel or delete and shows the tier only for paid events.
(function () {
  "use strict";

  var UNITS = { DAILY: "days", WEEKLY: "weeks", MONTHLY: "months" };
  var ORDINALS = ["1st", "2nd", "3rd", "4th", "last"];
  var DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  function checkedValue(root, name) {
    var checked = root.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }
  // A part with an error stays in sight, whatever the choice.
  function show(part, visible) { part.hidden = !visible && !part.querySelector(".field--invalid"); }

  function setUpRepeat(box) {
    var freq = box.querySelector('select[name="freq"]');
    var form = box.closest("form");
    var start = form && form.querySelector('input[name="starts_at"]');
    if (!freq) return;

    function update() {
      var value = freq.value;
      all(box, "[data-repeat-for]").forEach(function (part) {
        show(part, part.dataset.repeatFor.split(" ").indexOf(value) !== -1);
      });
      var unit = box.querySelector("[data-repeat-unit]");
      if (unit && UNITS[value]) unit.textContent = UNITS[value];
      var ends = checkedValue(box, "ends") || "never";
      all(box, "[data-ends-for]").forEach(function (part) { show(part, part.dataset.endsFor === ends); });
    }

    function nameMonthly() {
      var match = start && /^(\d{4})-(\d{2})-(\d{2})/.exec(start.value);
      if (!match) return;
      var day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
      var names = {
        date: "on day " + day.getDate(),
        weekday: "on the " + ORDINALS[Math.floor((day.getDate() - 1) / 7)] + " " + DAYS[day.getDay()]
      };
      all(box, 'input[name="monthly_by"]').forEach(function (input) {
        var label = input.closest("label");
        if (label && names[input.value]) label.lastChild.textContent = " " + names[input.value];
      });
    }

    box.addEventListener("change", update);
    if (start) start.addEventListener("change", nameMonthly);
    update();
    nameMonthly();
  }

  function setUpScope(form) {
    var parts = all(form, "[data-scope-for]");
    function update() {
      var scope = checkedValue(form, "scope");
      parts.forEach(function (part) { show(part, part.dataset.scopeFor === scope); });
    }
    form.addEventListener("change", function (event) { if (event.target.name === "scope") update(); });
    update();
  }

  function setUp() {
    all(document, "[data-repeat]").forEach(setUpRepeat);
    all(document, "form[data-occurrence-form]").forEach(setUpScope);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
