// Cordon portal: the one script. It makes offer deadlines count down and
// runs the customer's signature pad; every page works without it (a
// sign-off then takes a typed name). The server's clock is the reference
// for countdowns (body[data-now]), so a wrong clock on the device does not
// mislead.
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

// The signature pad: the customer signs with a finger (or a mouse) on a
// canvas; on submit the drawing goes into the form as a PNG data URL. The
// canvas is white, so the PNG shows the same on paper and on screen.
(function () {
  "use strict";
  var pad = document.querySelector("[data-pad]");
  if (!pad) return;
  var canvas = pad.querySelector("canvas");
  var field = pad.querySelector("input[name=signature]");
  var form = pad.closest("form");
  var ctx = canvas.getContext("2d");
  var drawn = false, last = null;
  function size() {
    var ratio = Math.min(window.devicePixelRatio || 1, 2);
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    drawn = false;
  }
  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }
  canvas.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    last = point(e);
    ctx.beginPath();
    ctx.arc(last.x, last.y, 1, 0, 2 * Math.PI);
    ctx.fillStyle = "#111";
    ctx.fill();
    drawn = true;
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!last) return;
    e.preventDefault();
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  function end() { last = null; }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  pad.querySelector("#signature-clear").addEventListener("click", size);
  form.addEventListener("submit", function () {
    var typed = form.querySelector("input[name=method][value=typed]");
    field.value = drawn && !(typed && typed.checked) ? canvas.toDataURL("image/png") : "";
  });
  pad.classList.add("ready");
  size();
})();
