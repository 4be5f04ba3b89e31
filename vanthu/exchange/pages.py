"""Pages of the exchange: the peer directory (an admin of a top unit) and the envelopes refused at a unit's
door (its clerks and leaders: reason, sender, time, the raw envelope to download)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.audit import reads
from vanthu.core.errors import ActionRefused
from vanthu.exchange import actions
from vanthu.exchange.access import access_received, can_manage_peers, received_visible_q
from vanthu.exchange.forms import PeerForm
from vanthu.exchange.models import Peer, ReceivedEnvelope
from vanthu.org.models import Person

REFUSED_PAGE = 100


def _admin(request: HttpRequest) -> Person:
    person: Person | None = getattr(request, "person", None)
    if person is None or not can_manage_peers(person):
        raise Http404
    return person


def _peer_data(form: PeerForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {k: data[k] for k in ("name", "organ_ids", "base_url", "trust_roots", "max_secrecy", "transport")}


@require_http_methods(["GET", "POST"])
def peers(request: HttpRequest) -> HttpResponse:
    person = _admin(request)
    form = PeerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            peer = actions.add_peer(acting=person, **_peer_data(form))
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã thêm hệ thống liên thông %(name)s.") % {"name": peer.name})
            return redirect("exchange:peers")
    return render(request, "exchange/peers.html", {"peers": Peer.objects.order_by("-is_active", "name"),
                                                   "form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def peer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _admin(request)
    peer = Peer.objects.filter(pk=pk).first()
    if peer is None:
        raise Http404
    initial = {"name": peer.name, "organ_ids": peer.organ_ids, "base_url": peer.base_url,
               "trust_roots": peer.trust_roots, "max_secrecy": peer.max_secrecy, "transport": peer.transport,
               "is_active": peer.is_active}
    form = PeerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_peer(acting=person, peer=peer, is_active=form.cleaned_data["is_active"],
                                **_peer_data(form))
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu hệ thống liên thông %(name)s.") % {"name": peer.name})
            return redirect("exchange:peers")
    return render(request, "exchange/peer_edit.html", {"peer": peer, "form": form},
                  status=400 if form.errors else 200)


@require_POST
def peer_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _admin(request)
    peer = Peer.objects.filter(pk=pk).first()
    if peer is None:
        raise Http404
    actions.deactivate_peer(acting=person, peer=peer)
    messages.success(request, _("Đã ngừng liên thông với %(name)s.") % {"name": peer.name})
    return redirect("exchange:peers")


@require_GET
def refused(request: HttpRequest) -> HttpResponse:
    person: Person = request.person  # type: ignore[attr-defined]
    rows = (ReceivedEnvelope.objects.filter(received_visible_q(person), state=ReceivedEnvelope.State.REFUSED)
            .select_related("unit").order_by("-received_at")[:REFUSED_PAGE])
    return render(request, "exchange/refused.html", {"rows": rows})


@require_GET
def received(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_received(request.person, pk)  # type: ignore[attr-defined]
    return render(request, "exchange/received.html", {"row": row})


@require_GET
def received_raw(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_received(request.person, pk)  # type: ignore[attr-defined]
    reads.record_read(request=request, actor=request.person, verb=reads.DOWNLOADED,  # type: ignore[attr-defined]
                      target=row, unit=row.unit_id, data={"envelope": row.pk})
    response = HttpResponse(row.raw.read_bytes(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="goi-tin-{row.pk}.edxml"'
    return response
