// What every admin page with forms shares (spaces, courses): a Delete form marked
// data-confirm asks in a dialog and sends confirm=yes (without this script the server asks
// on a page of its own), and a gated thing's form shows its tier select only when the
// visibility is "paid".
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches("form[data-confirm]")) return;
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    var confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirm";
    confirmed.value = "yes";
    form.appendChild(confirmed);
  });

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

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpTierField);
  else setUpTierField();
})();
