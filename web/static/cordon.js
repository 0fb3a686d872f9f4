// Cordon portal: the one script. It only makes offer deadlines count down;
// every page works without it. The server's clock is the reference
// (body[data-now]), so a wrong clock on the device does not mislead.
(function () {
  "use strict";
  var els = document.querySelectorAll("time[data-countdown]");
  if (!els.length) return;
  var server = Date.parse(document.body.getAttribute("data-now") || "");
  var skew = isNaN(server) ? 0 : server - Date.now();
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var now = Date.now() + skew;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var left = Date.parse(el.getAttribute("datetime")) - now;
      if (isNaN(left)) continue;
      if (left <= 0) {
        el.textContent = el.getAttribute("data-over");
        el.classList.add("over");
        continue;
      }
      var s = Math.floor(left / 1000);
      var text = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
      el.textContent = (el.getAttribute("data-left") || "%s").replace("%s", text);
      el.classList.toggle("soon", left < 15 * 60 * 1000);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
