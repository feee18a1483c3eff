// The header's points and level chip follow the member's score live: services.scores
// publishes "score.changed" ({points}) and, on a level-up, "level.changed" ({name, colour,
// points}) to the member's user:<id> topic, which live.js
// turns into a "live:level.changed" event on <body>. The colour is set through the CSSOM
// (allowed under the CSP, unlike a style attribute).
(function () {
  "use strict";
  // Every award or reversal: the new total ("score.changed", {points}).
  document.body.addEventListener("live:score.changed", function (event) {
    var data = event.detail || {};
    var points = document.querySelector("[data-header-score] [data-header-points]");
    if (points && typeof data.points === "number") points.textContent = data.points;
  });
  document.body.addEventListener("live:level.changed", function (event) {
    var data = event.detail || {};
    var link = document.querySelector("[data-header-score]");
    if (!link || !data.name) return;
    var chip = link.querySelector("[data-level-chip]");
    if (!chip) {
      chip = document.createElement("span");
      chip.className = "level-chip";
      chip.setAttribute("data-level-chip", "");
      chip.innerHTML = '<span class="visually-hidden">Level: </span><span class="level-chip__name"></span>';
      link.insertBefore(chip, link.firstChild);
    }
    chip.querySelector(".level-chip__name").textContent = data.name;
    chip.title = "Level: " + data.name;
    if (/^#[0-9a-fA-F]{6}$/.test(data.colour || "")) chip.style.setProperty("--level", data.colour);
    chip.classList.remove("is-new");
    void chip.offsetWidth; // restart the animation
    chip.classList.add("is-new");
    var points = link.querySelector("[data-header-points]");
    if (points && typeof data.points === "number") points.textContent = data.points;
    var announce = document.querySelector("[data-level-announce]");
    if (announce) announce.textContent = "Level up: you reached " + data.name + ".";
  });
})();
