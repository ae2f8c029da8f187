// The console's one script: it enhances pages that work without it.
// - Elements with data-live (and an id) are refreshed every 1.5 s from the same URL while
//   the page is visible, unless they hold the focus or a field someone typed into: jobs, the
//   journal, resources.
// - The schema editor is checked as one types (the server's check, with line and column).
// - Buttons with data-copy copy the text of the element they name.
(function () {
  "use strict";

  // A live element whose form fields were edited is left alone until the page changes.
  document.addEventListener("input", function (e) {
    var live = e.target.closest && e.target.closest("[data-live]");
    if (live) live.setAttribute("data-edited", "");
  });

  function refreshLive() {
    var live = document.querySelectorAll("[data-live][id]");
    if (!live.length || document.visibilityState !== "visible") return;
    fetch(location.href, { credentials: "same-origin", headers: { "X-Console-Live": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        live.forEach(function (el) {
          if (el.contains(document.activeElement) || el.hasAttribute("data-edited")) return;
          var fresh = doc.getElementById(el.id);
          if (fresh && fresh.innerHTML !== el.innerHTML) el.innerHTML = fresh.innerHTML;
        });
      })
      .catch(function () {});
  }
  if (document.querySelector("[data-live]")) setInterval(refreshLive, 1500);

  var schema = document.getElementById("schema");
  var problems = document.getElementById("schema-problems");
  var form = document.getElementById("schema-form");
  if (schema && problems && form) {
    var checkButton = form.querySelector("button[formaction]");
    var timer = null;
    schema.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new URLSearchParams();
        body.set("csrf", form.elements.csrf.value);
        body.set("transformSchema", schema.value);
        fetch(checkButton.getAttribute("formaction"), {
          method: "POST", credentials: "same-origin", body: body,
          headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (res) {
          if (!res) return;
          problems.textContent = "";
          if (!res.problems.length) {
            var ok = document.createElement("p");
            ok.className = "ok";
            ok.textContent = "No errors.";
            problems.appendChild(ok);
            return;
          }
          var ul = document.createElement("ul");
          ul.className = "problems";
          res.problems.forEach(function (p) {
            var li = document.createElement("li");
            li.className = "error";
            li.textContent = (p.Line ? "Line " + p.Line + ", column " + p.Column + ": " : "") + p.Message;
            ul.appendChild(li);
          });
          problems.appendChild(ul);
        }).catch(function () {});
      }, 400);
    });
  }

  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    var target = document.getElementById(b.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent).then(function () {
        b.textContent = "Copied";
      }, function () {
        b.textContent = "Copy failed: select the text instead";
      });
    });
  });
})();
