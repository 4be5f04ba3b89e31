// vanthu — selecting rows for bulk work (the clerk's arrivals): `x` toggles the row of the focused link (as
// j/k move through rows), "select all" toggles a table, each bulk form shows how many are chosen, and
// [data-print] prints the page. No inline script (CSP: script-src 'self'); without JavaScript the
// checkboxes and buttons work as plain form fields.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function refreshCounts() {
    var forms = document.querySelectorAll("form[data-bulk]");
    for (var i = 0; i < forms.length; i++) {
      var id = forms[i].id;
      var chosen = document.querySelectorAll('input[data-select][form="' + id + '"]:checked').length;
      var label = forms[i].querySelector("[data-selected-count]");
      if (label) label.textContent = chosen ? chosen + " ✓" : "";
      var row = document.querySelectorAll('input[data-select][form="' + id + '"]');
      for (var j = 0; j < row.length; j++) {
        var tr = row[j].closest("tr");
        if (tr) tr.classList.toggle("row-picked", row[j].checked);
      }
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (event.key !== "x") return;
    var active = document.activeElement;
    var row = active && active.closest ? active.closest("[data-select-rows] tbody tr") : null;
    if (!row) {
      var first = document.querySelector("[data-select-rows] tbody tr a.doc-link");
      if (!first) return;
      first.focus();
      row = first.closest("tr");
    }
    var box = row.querySelector("input[data-select]");
    if (!box) return;
    event.preventDefault();
    box.checked = !box.checked;
    refreshCounts();
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.matches) return;
    if (el.matches("input[data-select-all]")) {
      var table = el.closest("table");
      var boxes = table ? table.querySelectorAll("tbody input[data-select]") : [];
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = el.checked;
    }
    if (el.matches("input[data-select], input[data-select-all]")) refreshCounts();
  });

  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el && el.closest && el.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("DOMContentLoaded", refreshCounts);
})();
