"""The roll-up chart, drawn on the server as inline SVG (no script, no CDN; the CSP allows it)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

COLOURS = {"done_on_time": "#2e7d32", "done_late": "#f9a825", "overdue": "#c62828", "in_time": "#1565c0"}


def labels() -> dict[str, str]:
    return {"done_on_time": _("Hoàn thành đúng hạn"), "done_late": _("Hoàn thành quá hạn"),
            "overdue": _("Quá hạn chưa xong"), "in_time": _("Đang thực hiện, còn hạn")}


def rollup_svg(tally: object, *, width: int = 560, bar: int = 22) -> SafeString:
    """One horizontal bar per bucket, its count at the end; scaled to the largest."""
    names = labels()
    counts = [(key, getattr(tally, key)) for key in COLOURS]
    top = max([n for _k, n in counts] + [1])
    label_w, gap = 190, 8
    rows = []
    for i, (key, n) in enumerate(counts):
        y = i * (bar + gap)
        w = int((width - label_w - 60) * n / top)
        rows.append((y + bar * 0.7, names[key], label_w, y, max(w, 1 if n else 0), bar, COLOURS[key],
                     label_w + w + 6, y + bar * 0.7, n))
    body = format_html_join(
        "", '<text x="0" y="{}" class="chart-label">{}</text><rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
        '</rect><text x="{}" y="{}" class="chart-value">{}</text>', rows)
    height = len(counts) * (bar + gap)
    return format_html('<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}">'
                       '{}</svg>', _("Tình hình thực hiện chỉ đạo"), width, height, width, height, body)
