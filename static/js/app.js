// Yinyao page behaviour. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var csrf = body.getAttribute("data-csrf") || "";
  var warning = document.getElementById("idle-warning");
  var form = document.getElementById("keepalive-form");
  var warnTimer = null;
  var endTimer = null;

  // A visible banner (not a pop-up) 2 minutes before the server ends an idle session,
  // with one large button that keeps the session alive.
  function arm() {
    if (!idle || !warning) return;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warning.hidden = true;
    warnTimer = setTimeout(function () {
      warning.hidden = false;
      var button = warning.querySelector("button");
      if (button) button.focus();
    }, Math.max(idle - 120, 5) * 1000);
    endTimer = setTimeout(function () {
      window.location.assign("/login?expired=1");
    }, (idle + 2) * 1000);
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      fetch("/session/keepalive", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf }
      }).then(function (r) {
        if (r.ok) { arm(); } else { window.location.assign("/login?expired=1"); }
      }).catch(function () { form.submit(); });
    });
  }
  document.addEventListener("htmx:afterRequest", arm);
  arm();
})();

// Read-aloud on article pages: the browser's own speech synthesis, at the top of the article
// with a speed the reader chooses (remembered on this device). The text is Chinese, so it is
// read in a Chinese voice whatever the interface language. Where the browser has no speech
// synthesis (some WeChat builds) or no Chinese voice, or speaking fails, the reader is told.
(function () {
  "use strict";
  var button = document.getElementById("read-aloud");
  if (!button) return;
  var text = document.getElementById("article-text");
  var speed = document.getElementById("read-speed");
  var show = function (id, on) {
    var el = document.getElementById(id);
    if (el) el.hidden = !on;
  };
  var startLabel = button.getAttribute("data-start");
  var stopLabel = button.getAttribute("data-stop");
  if (!("speechSynthesis" in window) || !text) {
    button.disabled = true;
    if (speed) speed.disabled = true;
    show("read-aloud-unsupported", true);
    return;
  }
  var synth = window.speechSynthesis;
  try {
    var saved = window.localStorage.getItem("yinyao.readSpeed");
    if (saved && speed) speed.value = saved;
  } catch (e) { /* storage may be off: the default speed */ }
  if (speed) {
    speed.addEventListener("change", function () {
      try { window.localStorage.setItem("yinyao.readSpeed", speed.value); } catch (e) { /* ignore */ }
    });
  }
  // A Chinese voice, once the browser has listed its voices (some list them late).
  function chineseVoice() {
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh([-_]|$)/i.test(voices[i].lang || "")) return voices[i];
    }
    return null;
  }
  function checkVoices() {
    var voices = synth.getVoices() || [];
    // An empty list says nothing yet; a list without Chinese says there is none.
    show("read-aloud-novoice", voices.length > 0 && !chineseVoice());
  }
  checkVoices();
  if ("onvoiceschanged" in synth) synth.addEventListener("voiceschanged", checkVoices);

  var speaking = false;
  function stop() {
    synth.cancel();
    speaking = false;
    button.textContent = startLabel;
    button.setAttribute("aria-pressed", "false");
  }
  button.addEventListener("click", function () {
    if (speaking) { stop(); return; }
    show("read-aloud-failed", false);
    var source = text.cloneNode(true);
    var box = source.querySelector("#read-aloud-box");
    if (box) box.remove();
    var u = new SpeechSynthesisUtterance(source.innerText || source.textContent);
    u.lang = "zh-CN";
    var voice = chineseVoice();
    if (voice) u.voice = voice;
    u.rate = speed ? parseFloat(speed.value) || 0.9 : 0.9;
    u.onend = stop;
    u.onerror = function (e) {
      stop();
      // Stopping on purpose is not a failure.
      if (!e || (e.error !== "interrupted" && e.error !== "canceled")) show("read-aloud-failed", true);
    };
    synth.cancel();
    synth.speak(u);
    speaking = true;
    button.textContent = stopLabel;
    button.setAttribute("aria-pressed", "true");
  });
})();

// Print buttons (task sheets, print views): the browser's own print dialog.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();

// Check-in at the door: where the browser has a camera and the BarcodeDetector (Chrome and
// WebView on Android), a button starts the camera and a QR code read fills the code field and
// sends the form; elsewhere the short code is typed. The page remembers (this session) that
// the camera was on, so it comes back after each check-in.
(function () {
  "use strict";
  var start = document.getElementById("scanner-start");
  var form = document.getElementById("checkin-form");
  if (!start || !form) return;
  var field = document.getElementById("checkin-code");
  var box = document.getElementById("scanner");
  var video = document.getElementById("scanner-video");
  var status = document.getElementById("scanner-status");
  var none = document.getElementById("scanner-none");
  var usable = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (!usable) return;
  if (none) none.hidden = true;
  start.hidden = false;
  var detector = null;
  try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  if (!detector) { start.hidden = true; if (none) none.hidden = false; return; }
  var sent = false;
  function scan() {
    if (sent) return;
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) {
        sent = true;
        field.value = codes[0].rawValue;
        form.submit();
      } else {
        window.requestAnimationFrame(scan);
      }
    }).catch(function () { window.setTimeout(scan, 300); });
  }
  function on() {
    status.textContent = start.getAttribute("data-starting");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      box.hidden = false;
      start.hidden = true;
      video.srcObject = stream;
      video.play();
      status.textContent = "";
      try { window.sessionStorage.setItem("yinyao.scanner", "on"); } catch (e) { /* ignore */ }
      scan();
    }).catch(function () {
      status.textContent = start.getAttribute("data-failed");
      box.hidden = false;
      try { window.sessionStorage.removeItem("yinyao.scanner"); } catch (e) { /* ignore */ }
    });
  }
  start.addEventListener("click", on);
  try { if (window.sessionStorage.getItem("yinyao.scanner") === "on") on(); } catch (e) { /* ignore */ }
})();
