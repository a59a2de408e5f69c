(function () {
  "use strict";
  var toggle = document.getElementById("show-ja");
  if (toggle) {
    toggle.addEventListener("change", function () {
      document.body.classList.toggle("with-ja", toggle.checked);
    });
  }
  var player = document.getElementById("player");
  if (!player) return;
  document.querySelectorAll("a.time[data-start-ms]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      player.currentTime = parseInt(link.dataset.startMs, 10) / 1000;
      player.play().catch(function () {});
    });
  });
})();
