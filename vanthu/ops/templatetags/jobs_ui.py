"""`age`: how long a job has waited, in words ("5 phút", "2 giờ 3 phút")."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def age(since: dt.datetime | None, now: dt.datetime) -> str:
    if since is None:
        return "—"
    seconds = max(0, int((now - since).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        parts = [ngettext("%(n)d ngày", "%(n)d ngày", days) % {"n": days}]
        if hours:
            parts.append(ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours})
    elif hours:
        parts = [ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours}]
        if minutes:
            parts.append(ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes})
    elif minutes:
        parts = [ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes}]
    else:
        parts = [ngettext("%(n)d giây", "%(n)d giây", secs) % {"n": secs}]
    return " ".join(parts)
