"""Telling people about their tasks, through the one notification path (`vanthu.notify.send`: the bell, and
mail where the person wants it). Each event of a task is a notification of kind "task" (or "info" for
for-information work) whose title says what happened; the key keeps one notice per person and event."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vanthu import notify
from vanthu.notify.models import Kind
from vanthu.org.models import Person

TITLES: dict[str, Promise] = {
    "task.assigned": _("Việc mới: %(title)s"),
    "task.info": _("Để biết: %(title)s"),
    "task.awaiting": _("Chờ duyệt kết quả: %(title)s"),
    "task.sent_back": _("Kết quả bị trả lại để làm tiếp: %(title)s"),
    "task.returned": _("Việc bị trả lại: %(title)s"),
    "task.extension": _("Xin gia hạn: %(title)s"),
    "task.extension_decided": _("Đã có quyết định gia hạn: %(title)s"),
}


def send(person: Person, *, kind: str, title: str, url: str, key: str) -> None:
    template = TITLES.get(kind)
    text = str(template) % {"title": title} if template is not None else title
    notify.send(person, kind=Kind.INFO if kind == "task.info" else Kind.TASK, title=text[:300], url=url, key=key)
