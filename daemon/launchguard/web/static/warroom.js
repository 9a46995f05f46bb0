// The warroom page's refresh and actions. The server-rendered content is polled and swapped
// in when it changed. The action buttons (acknowledge, note, declare the rollback, a step's
// tick, new attempt) POST to the API with the bearer token asked once and kept for the tab
// (sessionStorage), then refresh at once; the API's error is shown when it refuses.
// No build step, no dependency.
(function () {
  "use strict";
  var body = document.body;
  var every = Math.max(1000, parseInt(body.getAttribute("data-refresh-ms"), 10) || 30000);
  var url = body.getAttribute("data-content-url");
  var content = document.getElementById("content");
  var stale = document.getElementById("stale");
  var problem = document.getElementById("action-error");
  var last = content.innerHTML;
  var TOKEN = "launchguard:token", WHO = "launchguard:who";

  function load() {
    return fetch(url, { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        // A declaration being written is not swapped away under the writer's hands.
        if (html !== last && !content.querySelector("details.declare[open]")) {
          content.innerHTML = html;
          last = html;
        }
        stale.hidden = true;
        body.setAttribute("data-refreshed-at", String(Date.now()));
      })
      .catch(function () { stale.hidden = false; });
  }

  function poll() {
    load().then(function () { window.setTimeout(poll, every); });
  }

  function asked(key, question) {
    var value = window.sessionStorage.getItem(key);
    if (!value) {
      value = window.prompt(question) || "";
      if (value) { window.sessionStorage.setItem(key, value); }
    }
    return value;
  }

  function say(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  // POST an action; `undo` runs when it is refused (e.g. a checkbox goes back).
  function act(path, fields, undo) {
    var token = asked(TOKEN, "Bearer token for the warroom actions (kept for this tab)");
    if (!token) { if (undo) { undo(); } return; }
    var who = asked(WHO, "Your name (shown with your actions)");
    if (who && !fields.by) { fields.by = who; }
    fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: JSON.stringify(fields)
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.status === 401 || response.status === 403) {
            window.sessionStorage.removeItem(TOKEN);
          }
          if (!response.ok) { throw new Error(answer.error || "HTTP " + response.status); }
        });
      })
      .then(function () {
        say("");
        var form = content.querySelector("details.declare[open]");
        if (form && fields.rollback_of_rollback) { form.open = false; }
        return load();
      })
      .catch(function (error) { say(String(error.message || error)); if (undo) { undo(); } });
  }

  function decisionOf(node) {
    var card = node.closest("[data-decision-id]");
    return card ? "/api/v1/decisions/" + encodeURIComponent(card.getAttribute("data-decision-id")) : "";
  }

  content.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.act");
    if (!button) { return; }
    var kind = button.getAttribute("data-act");
    if (kind === "signoff") {
      var row = button.closest("[data-item]");
      act("/api/v1/checklist/" + encodeURIComponent(row.getAttribute("data-item")) + "/signoff", {});
    } else if (kind === "attempts") {
      act("/api/v1/attempts", { note: window.prompt("Note (optional)") || "" });
    } else if (kind === "notes") {
      var text = window.prompt("Note");
      if (text) { act(decisionOf(button) + "/notes", { text: text }); }
    } else {
      act(decisionOf(button) + "/" + kind, {});
    }
  });

  content.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("declare-form")) { return; }
    event.preventDefault();
    var fields = {};
    var inputs = form.querySelectorAll("input[name]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value) { fields[inputs[i].name] = inputs[i].value; }
    }
    act(decisionOf(form) + "/declare", fields);
  });

  content.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.getAttribute || box.getAttribute("data-step") === null) { return; }
    var step = parseInt(box.getAttribute("data-step"), 10);
    act(decisionOf(box) + "/steps", { step: step, done: box.checked }, function () {
      box.checked = !box.checked;
    });
  });

  window.setTimeout(poll, every);
})();
