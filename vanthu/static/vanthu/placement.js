// vanthu — placing the number, date, signature and seal on the preview of the final page (no inline script:
// CSP script-src 'self'). Without this file the preview still shows the page and the numbers can be typed.
(function () {
  "use strict";

  // Marks carry their box as percentages of the page in data-*; position them (CSSOM, allowed by the CSP).
  function layout(root) {
    var marks = (root || document).querySelectorAll(".preview-sheet .mark[data-left]");
    for (var i = 0; i < marks.length; i++) {
      var m = marks[i];
      m.style.left = m.getAttribute("data-left") + "%";
      m.style.top = m.getAttribute("data-top") + "%";
      m.style.width = m.getAttribute("data-width") + "%";
      m.style.height = m.getAttribute("data-height") + "%";
    }
  }

  function formOf(figure) {
    var card = figure.closest(".preview-card");
    return card ? card.querySelector("form[data-place-form]") : null;
  }

  // The centre chosen on a page, in PDF points from the bottom left, from a point on the page image.
  function place(figure, clientX, clientY, element) {
    var form = formOf(figure);
    if (!form) return;
    var sheet = figure.querySelector(".preview-sheet");
    var rect = sheet.getBoundingClientRect();
    var w = parseFloat(figure.getAttribute("data-page-width"));
    var h = parseFloat(figure.getAttribute("data-page-height"));
    var x = (clientX - rect.left) / rect.width * w;
    var y = h - (clientY - rect.top) / rect.height * h;
    if (element) {
      var radio = form.querySelector('input[name="element"][value="' + element + '"]');
      if (radio) radio.checked = true;
    }
    form.querySelector("[data-place-page]").value = figure.getAttribute("data-preview-page");
    form.querySelector("[data-place-x]").value = x.toFixed(1);
    form.querySelector("[data-place-y]").value = y.toFixed(1);
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  var dragging = null;

  document.addEventListener("pointerdown", function (event) {
    var mark = event.target.closest && event.target.closest(".preview-sheet .mark");
    if (!mark) return;
    var form = formOf(mark.closest(".preview-page"));
    var element = mark.getAttribute("data-element");
    if (!form || !form.querySelector('input[name="element"][value="' + element + '"]')) return;
    event.preventDefault();
    var r = mark.getBoundingClientRect();
    dragging = {mark: mark, element: element, dx: event.clientX - (r.left + r.width / 2),
                dy: event.clientY - (r.top + r.height / 2), moved: false};
    mark.classList.add("mark-dragging");
  });

  document.addEventListener("pointermove", function (event) {
    if (!dragging) return;
    var sheet = dragging.mark.parentNode.getBoundingClientRect();
    var m = dragging.mark.getBoundingClientRect();
    var cx = event.clientX - dragging.dx - sheet.left, cy = event.clientY - dragging.dy - sheet.top;
    dragging.mark.style.left = ((cx - m.width / 2) / sheet.width * 100) + "%";
    dragging.mark.style.top = ((cy - m.height / 2) / sheet.height * 100) + "%";
    dragging.moved = true;
  });

  document.addEventListener("pointerup", function (event) {
    if (!dragging) return;
    var d = dragging;
    dragging = null;
    d.mark.classList.remove("mark-dragging");
    var figure = d.mark.closest(".preview-page");
    if (d.moved) place(figure, event.clientX - d.dx, event.clientY - d.dy, d.element);
    else place(figure, event.clientX, event.clientY, null);  // a tap on a mark: the chosen element goes there
  });

  // A click on the page (not on a mark) puts the chosen element there.
  document.addEventListener("click", function (event) {
    var sheet = event.target.closest && event.target.closest(".preview-sheet");
    if (!sheet || event.target.closest(".mark")) return;
    place(sheet.closest(".preview-page"), event.clientX, event.clientY, null);
  });

  document.addEventListener("DOMContentLoaded", function () { layout(document); });
  document.addEventListener("htmx:afterSwap", function (event) { layout(event.target); });
})();
