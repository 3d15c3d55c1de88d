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

// Read-aloud on article pages: the browser's own speech synthesis, in Chinese. Where the
// browser has none (some WeChat builds), the button says so instead of failing silently.
(function () {
  "use strict";
  var button = document.getElementById("read-aloud");
  if (!button) return;
  var text = document.getElementById("article-text");
  var unsupported = document.getElementById("read-aloud-unsupported");
  var startLabel = button.getAttribute("data-start");
  var stopLabel = button.getAttribute("data-stop");
  if (!("speechSynthesis" in window) || !text) {
    button.disabled = true;
    if (unsupported) unsupported.hidden = false;
    return;
  }
  var speaking = false;
  function stop() {
    window.speechSynthesis.cancel();
    speaking = false;
    button.textContent = startLabel;
    button.setAttribute("aria-pressed", "false");
  }
  button.addEventListener("click", function () {
    if (speaking) { stop(); return; }
    var u = new SpeechSynthesisUtterance(text.innerText);
    u.lang = document.documentElement.lang === "en" ? "en-GB" : "zh-CN";
    u.rate = 0.9;
    u.onend = stop;
    u.onerror = stop;
    window.speechSynthesis.speak(u);
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
