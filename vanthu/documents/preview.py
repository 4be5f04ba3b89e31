"""The preview of the final page (issue 12, item 1): the pages where the number, date, signature and seal go,
rendered by poppler's pdftoppm (run by the job `render_preview`, never in a request), and the boxes of each
element on them, placed by vanthu or by hand, as the page draws them over the image.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from vanthu.core import files
from vanthu.signing import placement as geometry
from vanthu.signing import service as signing

DPI = 100
PNG = "image/png"


def render(pdf: bytes, *, name_line: str) -> tuple[dict[str, Any] | None, dict[str, str], str]:
    """(layout, {page index: PNG sha256}, error): the pages holding an element, rendered at DPI."""
    try:
        layout = signing.layout(pdf=pdf, name_line=name_line)
    except signing.SigningRefused as exc:
        return None, {}, exc.message
    pages = sorted({int(page) for page, _box in layout["boxes"].values()})
    images: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        for page in pages:
            target = Path(folder) / f"p{page}"
            try:
                subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page + 1), "-l", str(page + 1),
                                "-singlefile", str(source), str(target)], check=True, capture_output=True, timeout=120)
            except (OSError, subprocess.SubprocessError) as exc:
                return layout, {}, _("Không dựng được hình trang văn bản: %(reason)s") % {"reason": str(exc)[:200]}
            images[str(page)] = files.store_bytes(target.with_suffix(".png").read_bytes(), content_type=PNG).pk
    return layout, images, ""


@dataclass(frozen=True)
class Mark:
    """One element drawn over a page image: its box as percentages of the page (left, top, width, height)."""

    element: str
    label: str
    text: str
    left: float
    top: float
    width: float
    height: float
    by_hand: bool


@dataclass(frozen=True)
class PreviewPage:
    index: int
    image: str  # sha256 of the PNG
    width: float  # points
    height: float
    marks: list[Mark]


LABELS = {"number": "Số văn bản", "date": "Ngày văn bản", "signature": "Chữ ký", "seal": "Dấu (chữ ký số cơ quan)"}
DOUBTS = {
    "scan": "Trang đầu không có chữ (bản quét): vanthu không tìm được chỗ số, ngày và chữ ký. Hãy đặt từng phần "
            "bằng tay trên trang.",
    "number": "Không tìm thấy dòng “Số:” ở đầu văn bản: số văn bản có thể nằm sai chỗ.",
    "date": "Không tìm thấy dòng ngày tháng ở đầu văn bản: ngày văn bản có thể nằm sai chỗ.",
    "signature": "Không tìm thấy dòng họ tên người ký: chữ ký có thể nằm sai chỗ.",
    "same_line": "“Số:” và ngày tháng nằm trên cùng một dòng: ngày có thể đè lên số văn bản.",
}


def label(element: str) -> str:
    return _(LABELS[element])


def doubts(layout: dict[str, Any], positions: dict[str, list[Any]]) -> list[str]:
    """The translated warnings of an unsure placement that placing by hand has not settled yet."""
    placed = set(positions)
    settled = {"scan": {"number", "date", "signature"} <= placed, "number": "number" in placed,
               "date": "date" in placed, "signature": "signature" in placed,
               "same_line": bool({"number", "date"} & placed)}
    return [_(DOUBTS[code]) for code in layout.get("doubts", []) if code in DOUBTS and not settled.get(code)]


def pages(layout: dict[str, Any], images: dict[str, str], positions: dict[str, list[Any]],
          texts: dict[str, str]) -> list[PreviewPage]:
    """The rendered pages with each element where it will go: placed by hand (`positions`) or found."""
    width, height = (float(v) for v in layout["page_size"])
    boxes: dict[str, tuple[int, tuple[float, float, float, float]]] = {
        element: (int(page), tuple(float(v) for v in box))  # type: ignore[misc]
        for element, (page, box) in layout["boxes"].items()
    }
    spots = geometry.spots_from(positions)
    for element, spot in spots.items():
        boxes[element] = (spot.page, spot.box(element))
    if "signature" in spots and "seal" not in spots:  # the seal follows the signature, as at issuance
        _page, sig = boxes["signature"]
        seal = boxes["seal"][1]
        w, h = seal[2] - seal[0], seal[3] - seal[1]
        right, centre = sig[0] + (sig[2] - sig[0]) / 3, (sig[1] + sig[3]) / 2
        boxes["seal"] = (spots["signature"].page, (right - w, centre - h / 2, right, centre + h / 2))
    result = []
    for key, image in sorted(images.items(), key=lambda item: int(item[0])):
        index = int(key)
        marks = []
        for element in geometry.ELEMENTS:
            page, (x1, y1, x2, y2) = boxes[element]
            if page != index:
                continue
            marks.append(Mark(element=element, label=label(element), text=texts.get(element, ""),
                              left=round(100 * x1 / width, 3), top=round(100 * (height - y2) / height, 3),
                              width=round(100 * (x2 - x1) / width, 3), height=round(100 * (y2 - y1) / height, 3),
                              by_hand=element in spots))
        result.append(PreviewPage(index=index, image=image, width=width, height=height, marks=marks))
    return result
