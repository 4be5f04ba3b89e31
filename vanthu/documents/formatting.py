"""How numbers and dates are written on Vietnamese official documents (Decree 30 Phụ lục I)."""

from __future__ import annotations

import datetime as dt


def day_text(day: int) -> str:
    return f"{day:02d}"


def month_text(month: int) -> str:
    """Months 1 and 2 take a leading zero ('tháng 01', 'tháng 02'); the others do not ('tháng 3')."""
    return f"{month:02d}" if month < 3 else str(month)


def date_line(place: str, day: dt.date) -> str:
    """'Đà Nẵng, ngày 05 tháng 3 năm 2020'."""
    text = f"ngày {day_text(day.day)} tháng {month_text(day.month)} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


def number_line(notation: str) -> str:
    """'Số: 12/QĐ-BTL' — 'Số' with a capital S only at the start of the line, then a colon."""
    return f"Số: {notation}"


def notation_file_name(notation: str, *, fallback: str = "van-ban") -> str:
    """'28/BC-TM' -> '28-BC-TM.pdf': the name a signed or issued file is downloaded and sent under."""
    stem = notation.strip().replace("/", "-") if notation and notation.strip() else fallback
    return f"{stem}.pdf"


def content_disposition(name: str, *, attachment: bool) -> str:
    """The Content-Disposition header for `name`: an ASCII fallback ('12-QD-BTL.pdf') for old clients and the
    exact name in RFC 5987 form (filename*=UTF-8''12-Q%C4%90-BTL.pdf) for the others."""
    import unicodedata
    from urllib.parse import quote

    folded = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = "".join(c for c in folded if c.isascii() and c.isprintable() and c not in '"\\') or "van-ban"
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
