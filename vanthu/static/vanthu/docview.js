// vanthu — the document page on any screen. The document's PDF is drawn page by page with PDF.js (vendored:
// static/vendor/pdfjs, no CDN), so it shows in mobile browsers too, where an <iframe> of a PDF shows nothing; and
// the cells of compact tables get their column's heading as data-label, which the phone layout prints before
// each value when it stacks a row (app.css). A module script from 'self' (CSP: no inline script).
const CSS_PX = window.devicePixelRatio || 1;

async function show(box) {
  if (box.dataset.pdfjsDone) return;
  box.dataset.pdfjsDone = "1";
  const status = box.querySelector(".pdfjs-status");
  try {
    const pdfjs = await import(box.dataset.pdfLib);
    pdfjs.GlobalWorkerOptions.workerSrc = box.dataset.pdfWorker;
    const pdf = await pdfjs.getDocument({url: box.dataset.pdfUrl, isEvalSupported: false}).promise;
    const width = Math.max(box.clientWidth - 2, 240);
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const base = page.getViewport({scale: 1});
      const viewport = page.getViewport({scale: (width / base.width) * CSS_PX});
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      const holder = document.createElement("div");
      holder.className = "pdfjs-page";
      holder.appendChild(canvas);
      box.appendChild(holder);
      await page.render({canvasContext: canvas.getContext("2d"), viewport}).promise;
    }
    if (status) status.remove();
  } catch (error) {
    if (status) status.textContent = box.dataset.pdfError || String(error);
  }
}

function label(root) {
  for (const table of root.querySelectorAll("table.grid")) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    if (!heads.length) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (!cell.hasAttribute("data-label") && heads[i]) cell.setAttribute("data-label", heads[i]);
      });
    }
  }
}

function scan(root) {
  label(root);
  for (const box of root.querySelectorAll(".pdfjs[data-pdf-url]")) {
    const details = box.closest("details");
    if (details && !details.open) {
      details.addEventListener("toggle", () => { if (details.open) show(box); }, {once: true});
    } else {
      show(box);
    }
  }
}

scan(document);
document.addEventListener("htmx:afterSwap", (event) => scan(event.target));
