"""Official-looking PDFs for the demo and the tests, laid out per Decree 30 Phụ lục I.

A4; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; a serif font with Vietnamese glyphs.
Outgoing drafts leave the number ("Số:      /QĐ-BTL") and the date ("Đà Nẵng, ngày      tháng      năm 2026")
blank, and leave room for the signature between the position lines and the name: vanthu fills the
number and date at issuance and places the signature images there.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from vanthu.core.fonts import serif

PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 15 * mm, 20 * mm, 20 * mm
# Left header column (issuer, number) and right header column (national motto, date).
LEFT_COL = (LEFT - 12 * mm, LEFT + 68 * mm)
RIGHT_COL = (LEFT + 68 * mm, PAGE_W - RIGHT + 5 * mm)

NUMBER_PLACEHOLDER = "Số:        /"
DATE_PLACEHOLDER_WORDS = ("ngày", "tháng", "năm")


@dataclass
class OfficialDocument:
    parent_name: str  # "BỘ TƯ LỆNH QUÂN KHU 10" ("" for the top unit)
    issuer_name: str  # "BỘ THAM MƯU"
    notation: str  # "KH-TM" (the part after the slash)
    place: str  # "Đà Nẵng"
    year: int
    type_name: str  # "KẾ HOẠCH" ("" for công văn)
    subject: str  # "Huấn luyện chiến đấu năm 2027" or for công văn "V/v …"
    paragraphs: Sequence[str]
    competence: str  # "KT. TƯ LỆNH" or "TƯ LỆNH"
    title: str  # "PHÓ TƯ LỆNH" or ""
    name_line: str  # "Đại tá Lê Văn Bình"
    recipients: Sequence[str] = field(default_factory=lambda: ["Như trên;", "Lưu: VT."])
    number: str = ""  # filled for incoming documents from outside ("12"); empty for drafts
    date_text: str = ""  # filled for incoming documents from outside
    secrecy_mark: str = ""  # "MẬT"
    urgency_mark: str = ""  # "HỎA TỐC"


def _fonts() -> tuple[str, str, str]:
    font = serif()
    names = ("VT-Serif", "VT-Serif-Bold", "VT-Serif-Italic")
    registered = pdfmetrics.getRegisteredFontNames()
    for name, path in zip(names, (font.regular, font.bold, font.italic), strict=True):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return names


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        line = ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if pdfmetrics.stringWidth(candidate, font, size) <= width:
                line = candidate
            else:
                if line:
                    lines.append(line)
                line = word
        lines.append(line)
    return lines


def render(doc: OfficialDocument, *, pages: int = 1) -> bytes:
    """Render the document; `pages` > 1 adds continuation pages of body text (page numbers from page 2)."""
    regular, bold, italic = _fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{doc.type_name or 'Công văn'} {doc.subject}"[:200])
    canvas.setAuthor(doc.issuer_name)
    lc = (LEFT_COL[0] + LEFT_COL[1]) / 2
    rc = (RIGHT_COL[0] + RIGHT_COL[1]) / 2
    y = PAGE_H - TOP - 4 * mm

    # Left header: parent organ (regular caps), issuer (bold caps), a short rule.
    if doc.parent_name:
        canvas.setFont(regular, 12.5)
        canvas.drawCentredString(lc, y, doc.parent_name.upper())
        y_issuer = y - 5.5 * mm
    else:
        y_issuer = y
    canvas.setFont(bold, 12.5)
    canvas.drawCentredString(lc, y_issuer, doc.issuer_name.upper())
    w = pdfmetrics.stringWidth(doc.issuer_name.upper(), bold, 12.5) / 3
    canvas.line(lc - w / 2, y_issuer - 1.8 * mm, lc + w / 2, y_issuer - 1.8 * mm)

    # Right header: national name and motto.
    canvas.setFont(bold, 12.5)
    canvas.drawCentredString(rc, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    canvas.setFont(bold, 13.5)
    canvas.drawCentredString(rc, y - 5.5 * mm, "Độc lập - Tự do - Hạnh phúc")
    w = pdfmetrics.stringWidth("Độc lập - Tự do - Hạnh phúc", bold, 13.5)
    canvas.line(rc - w / 2, y - 7.3 * mm, rc + w / 2, y - 7.3 * mm)

    # Number (left) and place/date (right) on the same line.
    y_num = y - 14 * mm
    canvas.setFont(regular, 13)
    number = f"Số: {doc.number}/{doc.notation}" if doc.number else f"{NUMBER_PLACEHOLDER}{doc.notation}"
    canvas.drawCentredString(lc, y_num, number)
    canvas.setFont(italic, 13)
    date_text = doc.date_text or f"{doc.place}, ngày      tháng      năm {doc.year}"
    canvas.drawCentredString(rc, y_num, date_text)

    y = y_num - 6 * mm
    if doc.type_name:
        # Typed documents: type name and subject centred, bold.
        y -= 8 * mm
        canvas.setFont(bold, 14)
        canvas.drawCentredString(PAGE_W / 2 + (LEFT - RIGHT) / 4, y, doc.type_name.upper())
        canvas.setFont(bold, 14)
        for line in _wrap(doc.subject, bold, 14, 140 * mm):
            y -= 6.5 * mm
            canvas.drawCentredString(PAGE_W / 2 + (LEFT - RIGHT) / 4, y, line)
        y -= 3 * mm
        canvas.line(PAGE_W / 2 - 15 * mm, y, PAGE_W / 2 + 25 * mm, y)
    else:
        # Công văn: "V/v …" under the number, centred in the left column, 12-13 pt.
        canvas.setFont(regular, 12.5)
        for line in _wrap(doc.subject, regular, 12.5, 70 * mm):
            y -= 5.5 * mm
            canvas.drawCentredString(lc, y, line)
    if doc.secrecy_mark or doc.urgency_mark:
        canvas.setFont(bold, 13)
        canvas.setFillColorRGB(0.8, 0, 0)
        my = y_num - 14 * mm
        for mark in (doc.secrecy_mark, doc.urgency_mark):
            if mark:
                canvas.drawString(LEFT - 10 * mm, my, mark)
                tw = pdfmetrics.stringWidth(mark, bold, 13)
                canvas.rect(LEFT - 11.5 * mm, my - 2 * mm, tw + 3 * mm, 7 * mm)
                my -= 9 * mm
        canvas.setFillColorRGB(0, 0, 0)

    # Body: justified-looking paragraphs with a first-line indent.
    body_width = PAGE_W - LEFT - RIGHT
    y -= 10 * mm
    canvas.setFont(regular, 13.5)
    page_no = 1
    extra = list(doc.paragraphs)
    for _ in range(pages - 1):
        extra.extend(doc.paragraphs)
    per_page_budget = max(1, len(doc.paragraphs))
    for index, paragraph in enumerate(extra):
        if pages > 1 and index and index % per_page_budget == 0 and page_no < pages:
            canvas.showPage()
            page_no += 1
            canvas.setFont(regular, 13)
            canvas.drawCentredString(PAGE_W / 2, PAGE_H - 12 * mm, str(page_no))
            y = PAGE_H - TOP - 8 * mm
            canvas.setFont(regular, 13.5)
        lines = _wrap(paragraph, regular, 13.5, body_width - 12 * mm)
        for i, line in enumerate(lines):
            if y < BOTTOM + 70 * mm and pages == 1 and index == len(extra) - 1 and i == len(lines) - 1:
                pass
            canvas.drawString(LEFT + (12 * mm if i == 0 else 0), y, line)
            y -= 6.8 * mm
            if y < BOTTOM + 10 * mm:
                canvas.showPage()
                page_no += 1
                canvas.setFont(regular, 13)
                canvas.drawCentredString(PAGE_W / 2, PAGE_H - 12 * mm, str(page_no))
                y = PAGE_H - TOP - 8 * mm
                canvas.setFont(regular, 13.5)
        y -= 1.5 * mm

    # Signature block needs about 65 mm; start a new page when it does not fit.
    if y < BOTTOM + 65 * mm:
        canvas.showPage()
        page_no += 1
        canvas.setFont(regular, 13)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - 12 * mm, str(page_no))
        y = PAGE_H - TOP - 8 * mm
    y -= 4 * mm
    sig_x = PAGE_W - RIGHT - 45 * mm
    canvas.setFont(bold, 13.5)
    canvas.drawCentredString(sig_x, y, doc.competence.upper())
    if doc.title:
        canvas.drawCentredString(sig_x, y - 6 * mm, doc.title.upper())
        name_y = y - 6 * mm - 32 * mm
    else:
        name_y = y - 32 * mm
    canvas.drawCentredString(sig_x, name_y, doc.name_line)

    canvas.setFont(bold, 12)
    canvas.drawString(LEFT, y, "Nơi nhận:")
    canvas.setFont(regular, 11)
    ry = y - 5 * mm
    for recipient in doc.recipients:
        canvas.drawString(LEFT, ry, f"- {recipient}")
        ry -= 4.5 * mm
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def sample_draft(
    *,
    issuer: str = "BỘ THAM MƯU",
    parent: str = "BỘ TƯ LỆNH QUÂN KHU 10",
    notation: str = "KH-TM",
    type_name: str = "Kế hoạch",
    subject: str = "Huấn luyện chiến đấu năm 2027",
    competence: str = "THAM MƯU TRƯỞNG",
    title: str = "",
    name_line: str = "Đại tá Hoàng Văn Sơn",
    year: int = 2026,
    pages: int = 1,
) -> bytes:
    """A ready-made outgoing draft, as a drafter would upload it."""
    return render(
        OfficialDocument(
            parent_name=parent, issuer_name=issuer, notation=notation, place="Đà Nẵng", year=year,
            type_name=type_name, subject=subject, competence=competence, title=title, name_line=name_line,
            paragraphs=[
                "Căn cứ Chỉ thị của Tư lệnh Quân khu về nhiệm vụ quân sự, quốc phòng năm 2027; "
                "căn cứ tình hình thực tế của các cơ quan, đơn vị.",
                "Bộ Tham mưu xây dựng kế hoạch này nhằm thống nhất nội dung, thời gian và trách nhiệm "
                "của các cơ quan, đơn vị trong tổ chức thực hiện.",
                "Các cơ quan, đơn vị căn cứ nội dung kế hoạch, chủ động triển khai thực hiện, "
                "báo cáo kết quả về Bộ Tư lệnh (qua Bộ Tham mưu) trước ngày 25 hằng tháng.",
            ],
        ),
        pages=pages,
    )


def sample_incoming(*, organ: str = "BỘ QUỐC PHÒNG", number: str = "125", notation: str = "BQP-TM",
                    subject: str = "V/v tăng cường công tác sẵn sàng chiến đấu", date_text: str = "") -> bytes:
    """An incoming document as the clerk would scan or receive it (number and date already printed)."""
    return render(
        OfficialDocument(
            parent_name="", issuer_name=organ, notation=notation, place="Hà Nội", year=2026, type_name="",
            subject=subject, competence="KT. BỘ TRƯỞNG", title="THỨ TRƯỞNG", name_line="Thượng tướng Trần Văn Khải",
            number=number, date_text=date_text or "Hà Nội, ngày 02 tháng 11 năm 2026",
            paragraphs=[
                "Thực hiện nhiệm vụ năm 2026, Bộ Quốc phòng yêu cầu các cơ quan, đơn vị tăng cường công tác "
                "sẵn sàng chiến đấu, duy trì nghiêm chế độ trực sẵn sàng chiến đấu, trực chỉ huy.",
                "Nhận được công văn này, các cơ quan, đơn vị khẩn trương triển khai thực hiện.",
            ],
        )
    )
