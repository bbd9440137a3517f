// The review desk's light behaviour: keyboard shortcuts and the route preview. No inline scripts
// (the CSP forbids them); page-specific parts key off <body data-page>.
(function () {
  "use strict";

  function typing(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    if (tag !== "input") return el.isContentEditable;
    var type = (el.getAttribute("type") || "text").toLowerCase();
    return ["radio", "checkbox", "button", "submit", "hidden"].indexOf(type) === -1;
  }

  function go(link) {
    if (link && link.getAttribute("href")) window.location.href = link.getAttribute("href");
  }

  // ---- the queue ------------------------------------------------------------------------------
  function initQueue() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#queue-table tr[data-href]"));
    var current = rows.length ? 0 : -1;
    function select(i) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, k) { r.classList.toggle("selected", k === current); });
      rows[current].scrollIntoView({ block: "nearest" });
    }
    select(0);
    rows.forEach(function (row, i) {
      row.addEventListener("click", function (ev) {
        if (ev.target.tagName.toLowerCase() === "a") return;
        select(i);
        window.location.href = row.getAttribute("data-href");
      });
    });
    var filters = document.getElementById("filters");
    if (filters) {
      Array.prototype.forEach.call(filters.querySelectorAll("select"), function (s) {
        s.addEventListener("change", function () { filters.submit(); });
      });
    }
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (typing(ev.target)) {
        if (ev.key === "Escape") ev.target.blur();
        return;
      }
      if (ev.key === "j") { select(current + 1); ev.preventDefault(); }
      else if (ev.key === "k") { select(current - 1); ev.preventDefault(); }
      else if ((ev.key === "Enter" || ev.key === "o") && current >= 0) {
        window.location.href = rows[current].getAttribute("data-href");
        ev.preventDefault();
      } else if (ev.key === "/" && filters) { filters.querySelector("select").focus(); ev.preventDefault(); }
      else if (ev.key === "]") { go(document.getElementById("next-page")); }
      else if (ev.key === "[") { go(document.getElementById("prev-page")); }
    });
  }

  // ---- the letter page ------------------------------------------------------------------------
  function initLetter() {
    var form = document.getElementById("review-form");
    if (!form) return;
    var csrf = document.body.getAttribute("data-csrf") || "";
    var dirty = false;
    var pending = null;

    function text(id, value) {
      var el = document.getElementById(id);
      if (el) el.textContent = value;
    }

    function preview() {
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(form.getAttribute("data-preview"), {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" },
        credentials: "same-origin",
        signal: pending.signal
      }).then(function (r) { return r.json(); }).then(function (data) {
        var box = document.getElementById("route-preview");
        box.hidden = false;
        if (data.error) {
          text("preview-agency", data.error);
          text("preview-action", ""); text("preview-rule", ""); text("preview-due", "");
          box.classList.add("error");
          return;
        }
        box.classList.remove("error");
        box.classList.toggle("changed", !!data.changed);
        text("preview-agency", data.agency_name);
        text("preview-action", data.action);
        text("preview-rule", data.rule);
        text("preview-due", data.due_date);
        var why = document.getElementById("preview-why");
        while (why.firstChild) why.removeChild(why.firstChild);
        (data.rule_text || []).forEach(function (t) {
          var li = document.createElement("li");
          li.textContent = t;
          why.appendChild(li);
        });
      }).catch(function () { /* aborted or offline: the save still re-routes on the server */ });
    }

    form.addEventListener("change", function (ev) {
      dirty = true;
      var name = ev.target.getAttribute("name") || "";
      if (name === "comment" || /^p\d+_/.test(name)) return;
      preview();
    });
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });

    function leave(link) {
      if (!link) return;
      if (dirty && !window.confirm("Bỏ các thay đổi chưa lưu của đơn này?")) return;
      go(link);
    }

    function setCategory(n) {
      var radio = form.querySelector('input[name="category"][data-key="' + n + '"]');
      if (radio && !radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    var help = document.getElementById("shortcuts");
    var helpToggle = document.getElementById("help-toggle");
    if (helpToggle) helpToggle.addEventListener("click", function () { help.hidden = !help.hidden; });

    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (typing(ev.target)) {
        if (ev.key === "Escape") ev.target.blur();
        return;
      }
      var k = ev.key;
      if (k >= "1" && k <= "4") { setCategory(k); }
      else if (k === "x") {
        var mixed = document.getElementById("mixed");
        mixed.checked = !mixed.checked;
        mixed.dispatchEvent(new Event("change", { bubbles: true }));
      }
      else if (k === "s") { document.getElementById("save-next").click(); }
      else if (k === "S") { document.getElementById("save-stay").click(); }
      else if (k === "n" || k === "j") { leave(document.getElementById("next-letter")); }
      else if (k === "k") { leave(document.getElementById("prev-letter")); }
      else if (k === "q") { leave(document.getElementById("back-to-queue")); }
      else if (k === "c") { document.getElementById("comment").focus(); }
      else if (k === "a") { document.getElementById("agency").focus(); }
      else if (k === "?") { help.hidden = !help.hidden; }
      else { return; }
      ev.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.getAttribute("data-page");
    if (page === "queue") initQueue();
    if (page === "letter") initLetter();
  });
})();
