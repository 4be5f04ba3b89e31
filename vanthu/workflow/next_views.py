"""A flow that moves on (issue 12): after an action on an item opened from a queue of the inbox, the next item
of the same queue opens, with its action page — when the person's setting says so (`Person.opens_next`, on by
default); otherwise the document just handled. The queue empty: back to the inbox, saying so."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanthu.core.queue import QUEUE, queue_of
from vanthu.org.views import require_person
from vanthu.workflow.queries import KINDS, InboxItem, inbox_for

# The page each queue's item opens on: its action where it has one page, else the document.
ACTION_PAGES = {"register": "document_register", "present": "document_present", "direct": "document_direct",
                "review": "draft_review", "sign": "document_sign", "issue": "document_issue"}


def item_url(item: InboxItem) -> str:
    """The address an item of the inbox opens, carrying its queue so that its action moves on."""
    if item.kind == "unit" and item.assignment is not None:
        base = reverse("assignment_forward", args=[item.assignment.pk])
    else:
        base = reverse(ACTION_PAGES.get(item.kind, "document_detail"), args=[item.document.pk])
    return f"{base}?{urlencode({QUEUE: item.kind})}"


@require_GET
def inbox_next(request: HttpRequest) -> HttpResponseRedirect:
    person = require_person(request)
    queue = queue_of(request)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    if queue not in KINDS or not person.opens_next:
        return redirect("document_detail", pk=after) if after else redirect("inbox")
    box = inbox_for(person, kinds={queue})
    following = next((item for item in box.items if item.document.pk != after), None)
    if following is None:
        messages.info(request, _("Đã hết việc trong hàng “%(queue)s”.") % {"queue": KINDS[queue]})
        return redirect("inbox")
    messages.info(request, _("Mở việc tiếp theo trong hàng “%(queue)s”.") % {"queue": KINDS[queue]})
    return HttpResponseRedirect(item_url(following))
