"""Position titles as shown to a reader: stored in Vietnamese (what the org chart and the signature block say),
translated on display only. A title is translated whole when known ("Tham mưu trưởng" -> "Chief of Staff"),
else by its known leading word ("Phó …", "Trợ lý …", "Văn thư …") with the rest translated when known."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

TITLES = [
    N_("Tư lệnh"), N_("Phó Tư lệnh"), N_("Chính ủy"), N_("Tham mưu trưởng"), N_("Phó Tham mưu trưởng"),
    N_("Sư đoàn trưởng"), N_("Trưởng phòng"), N_("Chỉ huy trưởng"), N_("Chánh Văn phòng"), N_("Văn thư"),
    N_("Trợ lý"), N_("Trợ lý tác chiến"), N_("Trợ lý tham mưu"), N_("Trợ lý công nghệ thông tin"),
    N_("Văn thư Bộ Tư lệnh"), N_("Văn thư Bộ Tham mưu"), N_("Cục trưởng"), N_("Phó Cục trưởng"),
    N_("Chủ nhiệm"), N_("Phó Chủ nhiệm"), N_("Trung đoàn trưởng"),
]
PREFIXES = [(N_("Phó"), N_("Deputy %(title)s")), (N_("Trợ lý"), N_("Assistant for %(title)s")),
            (N_("Văn thư"), N_("Clerk, %(title)s"))]


def position_label(title: str) -> str:
    title = (title or "").strip()
    if not title:
        return ""
    whole = gettext(title)
    if whole != title:
        return whole
    for prefix, pattern in PREFIXES:
        if title.startswith(prefix + " "):
            rest = title[len(prefix) + 1:]
            translated_rest = gettext(rest)
            if translated_rest == rest:
                translated_rest = gettext(rest[:1].upper() + rest[1:])
            if translated_rest != rest and gettext(pattern) != pattern:
                return gettext(pattern) % {"title": translated_rest}
    return title
