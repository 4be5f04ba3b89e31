"""The audit checkpoints page (an administrator's): each chain of the units they administer, its length and
its last signed checkpoint, and "checkpoint now" (a job signs it after the click; decision 0022)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanthu.audit.models import AuditChainHead, AuditCheckpoint
from vanthu.core.errors import ActionRefused
from vanthu.ops import actions
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of


def _admin(request: HttpRequest) -> Person:
    person = getattr(request, "person", None)
    if person is None or not scope_of(person).admin_paths:
        raise Http404
    return person


@require_GET
def checkpoints_page(request: HttpRequest) -> HttpResponse:
    person = _admin(request)
    paths = scope_of(person).admin_paths
    units = [u for u in Unit.objects.filter(is_active=True).order_by("path") if u.path.startswith(paths)]
    chains = [f"u{u.pk}" for u in units]
    heads = dict(AuditChainHead.objects.filter(chain__in=chains).values_list("chain", "seq"))
    last: dict[str, AuditCheckpoint] = {}
    for row in AuditCheckpoint.objects.filter(chain__in=chains).order_by("chain", "seq"):
        last[row.chain] = row
    rows = [(u, heads.get(f"u{u.pk}", 0), last.get(f"u{u.pk}")) for u in units]
    return render(request, "ops/checkpoints.html", {"rows": rows})


@require_POST
def checkpoint_now(request: HttpRequest, pk: int) -> HttpResponse:
    person = _admin(request)
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None or not scope_of(person).administers(unit):
        raise Http404
    try:
        actions.request_checkpoint(unit=unit, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã yêu cầu lập điểm kiểm tra nhật ký; việc nền sẽ ký và gắn dấu thời gian."))
    return redirect("jobs:checkpoints")
