// The warroom page's refresh: poll the server-rendered content and swap it in when it
// changed. Checklist ticks are kept per decision and step in localStorage, so a refresh
// (or a reload) does not clear them. No build step, no dependency.
(function () {
  "use strict";
  var body = document.body;
  var every = Math.max(1000, parseInt(body.getAttribute("data-refresh-ms"), 10) || 30000);
  var url = body.getAttribute("data-content-url");
  var content = document.getElementById("content");
  var stale = document.getElementById("stale");
  var last = content.innerHTML;
  var prefix = "launchguard:check:";

  function restore() {
    var boxes = content.querySelectorAll("input[type=checkbox][data-key]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = window.localStorage.getItem(prefix + boxes[i].getAttribute("data-key")) === "1";
    }
  }

  content.addEventListener("change", function (event) {
    var box = event.target;
    if (box && box.getAttribute && box.getAttribute("data-key")) {
      window.localStorage.setItem(prefix + box.getAttribute("data-key"), box.checked ? "1" : "0");
    }
  });

  function poll() {
    fetch(url, { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (html !== last) {
          content.innerHTML = html;
          last = html;
          restore();
        }
        stale.hidden = true;
        body.setAttribute("data-refreshed-at", String(Date.now()));
      })
      .catch(function () { stale.hidden = false; })
      .then(function () { window.setTimeout(poll, every); });
  }

  restore();
  window.setTimeout(poll, every);
})();
