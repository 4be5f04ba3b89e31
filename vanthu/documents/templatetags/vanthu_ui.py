"""Small display helpers shared by the pages: badges, Vietnamese date formats, optional includes.

Dates are shown as dd/mm/yyyy and times as HH:MM in the configured time zone (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import QueryDict
from django.template import TemplateDoesNotExist
from django.template.context import Context
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vanthu.core.choices import Secrecy, Urgency

register = template.Library()

URGENCY_CLASS = {
    Urgency.URGENT: "badge-khan",
    Urgency.VERY_URGENT: "badge-thuongkhan",
    Urgency.FLASH: "badge-hoatoc",
    Urgency.FLASH_TIMED: "badge-hoatoc",
}
SECRECY_CLASS = {
    Secrecy.CONFIDENTIAL: "badge-mat",
    Secrecy.SECRET: "badge-toimat",
    Secrecy.TOP_SECRET: "badge-tuyetmat",
}


@register.simple_tag
def urgency_badge(value: int | None) -> SafeString:
    """'HỎA TỐC' in red, 'THƯỢNG KHẨN'/'KHẨN' in orange; nothing for an ordinary document."""
    if not value:
        return SafeString("")
    label = Urgency(value).label
    return format_html('<span class="badge {}">{}</span>', URGENCY_CLASS[Urgency(value)], str(label).upper())


@register.simple_tag
def secrecy_badge(value: int | None) -> SafeString:
    """'MẬT', 'TỐI MẬT', 'TUYỆT MẬT' framed in red; nothing for an unclassified document."""
    if not value:
        return SafeString("")
    label = Secrecy(value).label
    return format_html('<span class="badge {}">{}</span>', SECRECY_CLASS[Secrecy(value)], str(label).upper())


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def vn_date(value: dt.date | dt.datetime | None) -> str:
    """05/11/2026."""
    return _local(value).strftime("%d/%m/%Y") if value else ""


@register.filter
def vn_datetime(value: dt.datetime | None) -> str:
    """14:05 05/11/2026."""
    return _local(value).strftime("%H:%M %d/%m/%Y") if value else ""


@register.filter
def vn_time(value: dt.datetime | None) -> str:
    """14:05."""
    return _local(value).strftime("%H:%M") if value else ""


@register.filter
def is_overdue(value: dt.date | None) -> bool:
    return isinstance(value, dt.date) and value < timezone.localdate()


@register.filter
def days_left(value: dt.date | dt.datetime | None) -> int | None:
    """Days from today to a date, or to the local date of an aware moment (a certificate's end)."""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        return None
    return (value - timezone.localdate()).days


@register.simple_tag(takes_context=True)
def include_optional(context: Context, template_name: str) -> str:
    """Render `template_name` with the current context if it exists (a panel another app may provide)."""
    engine = context.template.engine if context.template is not None else None
    if engine is None:
        return ""
    try:
        tpl = engine.get_template(template_name)
    except TemplateDoesNotExist:
        return ""
    with context.push():
        return tpl.render(context)


@register.simple_tag(takes_context=True)
def query(context: Context, **changes: Any) -> str:
    """The current query string with some parameters changed ('' or None removes one)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def checklist_label(key: str) -> str:
    """The words of a format-check item (`components.CHECKLIST`)."""
    from vanthu.documents.components import CHECKLIST

    return str(CHECKLIST.get(key, key))
