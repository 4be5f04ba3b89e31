// vanthu — small progressive enhancements; no inline scripts anywhere (CSP: script-src 'self').
// Every page works without this file; it adds keyboard shortcuts, list filters and double-submit guards.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // Vietnamese-aware folding for filters: "su doan" finds "Sư đoàn".
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().trim();
  }

  // Selects marked data-autosubmit submit their form on change (the button stays for keyboard users
  // without JavaScript; with JavaScript it is hidden by the .js-hide class).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // Single-key shortcuts: [data-key="n"] is clicked, [data-key-focus="/"] is focused; j/k move through rows.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey && event.key === "Enter") {
      var form = event.target && event.target.form ? event.target.form : null;
      if (form && form.hasAttribute("data-ctrl-enter")) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var key = event.key;
    var focusTarget = document.querySelector('[data-key-focus="' + CSS.escape(key) + '"]');
    if (focusTarget) {
      event.preventDefault();
      focusTarget.focus();
      return;
    }
    var clickTarget = document.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (clickTarget) {
      event.preventDefault();
      clickTarget.click();
      return;
    }
    if (key === "j" || key === "k") {
      var links = Array.prototype.slice.call(document.querySelectorAll("[data-rows] tbody tr a.doc-link"));
      if (!links.length) return;
      var index = links.indexOf(document.activeElement);
      var next = key === "j" ? Math.min(index + 1, links.length - 1) : Math.max(index - 1, 0);
      if (index === -1) next = 0;
      event.preventDefault();
      links[next].focus();
    }
  });

  // Filters: <input data-filter="#list"> hides rows/labels whose data-text does not contain the query;
  // checked items and rows marked data-keep stay visible.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input || !input.matches || !input.matches("input[data-filter]")) return;
    var container = document.querySelector(input.getAttribute("data-filter"));
    if (!container) return;
    var query = fold(input.value);
    var items = container.querySelectorAll("[data-text]");
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var checked = item.querySelector("input:checked") !== null;
      var match = !query || fold(item.getAttribute("data-text")).indexOf(query) !== -1;
      item.hidden = !(match || checked);
    }
  });

  // A picked row in the direction matrix is highlighted.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || !input.closest) return;
    var matrix = input.closest("table.matrix");
    if (!matrix) return;
    var rows = matrix.querySelectorAll("tbody tr[data-text]");
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle("row-picked", rows[i].querySelector("input:checked") !== null);
    }
  });

  // Forms marked data-once are sent once: buttons are disabled right after the browser has built the request.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-once")) return;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    }, 0);
  });

  // Pages restored from the back-forward cache get their buttons back.
  window.addEventListener("pageshow", function () {
    var busy = document.querySelectorAll("form[aria-busy=true]");
    for (var i = 0; i < busy.length; i++) {
      busy[i].removeAttribute("aria-busy");
      var buttons = busy[i].querySelectorAll("button");
      for (var j = 0; j < buttons.length; j++) buttons[j].disabled = false;
    }
  });

  // After a failed submission, focus the error summary so screen readers and keyboard users land on it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  });
})();
