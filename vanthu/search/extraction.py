"""The words of a PDF: its text layer (poppler's `pdftotext`), or for a scan without one, Tesseract's Vietnamese
model over pages rendered by `pdftoppm`. An adapter over two outside programs: it reads a file on disk and
returns text; it never writes next to the original, which stays byte for byte as signed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

MIN_CHARS_PER_PAGE = 20  # below this a PDF is taken as a scan
TIMEOUT = 120


def text_layer(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
        capture_output=True, timeout=TIMEOUT, check=False,
    )
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def page_count(path: Path) -> int:
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, timeout=TIMEOUT, check=False)
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 1


def looks_scanned(path: Path, layer: str) -> bool:
    return len(layer.strip()) < MIN_CHARS_PER_PAGE * max(1, page_count(path))


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None and shutil.which("pdftoppm") is not None


def ocr(path: Path, *, language: str = "vie", dpi: int = 300, max_pages: int = 50) -> str:
    """Text of a scanned PDF: each page rendered to PNG in a temporary folder, read by Tesseract."""
    with tempfile.TemporaryDirectory(prefix="vanthu-ocr-") as tmp:
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-l", str(max_pages), "-png", str(path), f"{tmp}/p"],
            capture_output=True, timeout=TIMEOUT * 5, check=True,
        )
        pages = []
        for image in sorted(Path(tmp).glob("p*.png")):
            done = subprocess.run(
                ["tesseract", str(image), "stdout", "-l", language],
                capture_output=True, timeout=TIMEOUT, check=True,
            )
            pages.append(done.stdout.decode("utf-8", "replace"))
        return "\n\f".join(pages)
