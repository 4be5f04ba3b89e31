"""Which `Peer.transport` values exist (checklist point 48, decision 0034): every transport the outbox has
registered (`documents.outbox.register`, from an AppConfig.ready()) except "local", which reaches the units of
this deployment and no peer. A new kind of link — the national axis (VDXP, REST/SOAP), an X-Road security server,
another military hub — is an adapter module under `exchange/transports/` plus a carrier registered with its
name; the peer directory, its form and `vanthu peers add --transport NAME` then accept that name with no other
change. The built-in kinds keep their translated labels (`TransportKind`); a carrier may give its own `label`."""

from __future__ import annotations

from vanthu.documents import outbox
from vanthu.exchange.models import TransportKind

LOCAL = "local"


def peer_transports() -> list[str]:
    return [name for name in outbox.transport_names() if name != LOCAL]


def transport_choices() -> list[tuple[str, str]]:
    labels = dict(TransportKind.choices)
    choices = []
    for name in peer_transports():
        carrier = outbox.transport_named(name)
        choices.append((name, str(getattr(carrier, "label", None) or labels.get(name, name))))
    return choices
