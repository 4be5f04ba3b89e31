"""A flow that moves on (issue 12): a page opened from a queue of the inbox carries `queue=<kind>`; after its
action succeeds the view answers with `after_action`, which hands over to the inbox's "next item" page (it
knows the queues and the person's setting) — or, without a queue, shows the document as before. Core imports
no app: the next page is found by its URL name."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

QUEUE = "queue"
_KIND = re.compile(r"[a-z_]{1,20}")


def queue_of(request: HttpRequest) -> str:
    """The queue the page was opened from (`queue` in the form or the address), or ""."""
    value = request.POST.get(QUEUE) or request.GET.get(QUEUE) or ""
    return value if _KIND.fullmatch(value) else ""


def after_action(request: HttpRequest, *, pk: int) -> HttpResponseRedirect:
    queue = queue_of(request)
    if queue:
        return HttpResponseRedirect(f"{reverse('inbox_next')}?{urlencode({QUEUE: queue, 'after': pk})}")
    return redirect("document_detail", pk=pk)
