"""The exchange's writes: the peer directory (an admin of a top unit, or the operator's `vanthu peers`), and
the evidence of each envelope received (written by the receiving pipeline, as the system)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.choices import Secrecy
from vanthu.core.errors import ActionRefused
from vanthu.core.files import store_bytes
from vanthu.core.models import StoredFile
from vanthu.exchange.models import Peer, PeerCrl, ReceivedEnvelope, TransportKind
from vanthu.exchange.transport_kinds import peer_transports
from vanthu.exchange.trustchain import load_pem_list
from vanthu.org.access import Actor, require_admin_of_all
from vanthu.org.models import Unit

EVIDENCE_HEAD = 64 * 1024  # what is kept of an envelope refused for its size


def _clean(*, name: str, organ_ids: str, base_url: str, trust_roots: str, max_secrecy: int,
           transport: str) -> dict[str, object]:
    name = name.strip()
    if not name or len(name) > 200:
        raise ActionRefused(_("Tên hệ thống liên thông không hợp lệ."), code="bad_name", field="name")
    patterns = [line.strip() for line in organ_ids.replace(",", "\n").splitlines() if line.strip()]
    if not patterns or any(len(p) > 50 or " " in p or p.strip("*") == "" for p in patterns):
        raise ActionRefused(_("Cần ít nhất một mã định danh (hoặc tiền tố kết thúc bằng *) hợp lệ."),
                            code="bad_organ_ids", field="organ_ids")
    if transport not in peer_transports():
        raise ActionRefused(_("Kênh liên thông không hợp lệ."), code="bad_transport", field="transport")
    base_url = base_url.strip()
    if transport == TransportKind.HTTP and not base_url.startswith(("http://", "https://")):
        raise ActionRefused(_("Kênh HTTP cần địa chỉ bắt đầu bằng http:// hoặc https://."), code="bad_url",
                            field="base_url")
    try:
        roots = load_pem_list(trust_roots)
    except ValueError:
        roots = []
    if not roots:
        raise ActionRefused(_("Cần chứng thư CA tin cậy của hệ thống đó (PEM)."), code="bad_trust_roots",
                            field="trust_roots")
    if max_secrecy not in Secrecy.values:
        raise ActionRefused(_("Độ mật không hợp lệ."), code="bad_secrecy", field="max_secrecy")
    return {"name": name, "organ_ids": "\n".join(patterns), "base_url": base_url, "trust_roots": trust_roots.strip(),
            "max_secrecy": max_secrecy, "transport": transport}


@action("exchange.peer.added")
def add_peer(*, acting: Actor, name: str, organ_ids: str, base_url: str, trust_roots: str,
             max_secrecy: int = Secrecy.NONE, transport: str = TransportKind.HTTP) -> Peer:
    require_admin_of_all(acting)
    fields = _clean(name=name, organ_ids=organ_ids, base_url=base_url, trust_roots=trust_roots,
                    max_secrecy=max_secrecy, transport=transport)
    if Peer.objects.filter(name=fields["name"]).exists():
        raise ActionRefused(_("Đã có hệ thống liên thông tên này."), code="duplicate", field="name")
    peer = Peer.objects.create(**fields)
    log.record(actor=acting, verb="exchange.peer.added", target=peer,
               data={"name": peer.name, "organ_ids": peer.organ_patterns, "base_url": peer.base_url,
                     "max_secrecy": peer.max_secrecy, "transport": peer.transport})
    return peer


@action("exchange.peer.changed")
def change_peer(*, acting: Actor, peer: Peer, name: str, organ_ids: str, base_url: str, trust_roots: str,
                max_secrecy: int, transport: str, is_active: bool = True) -> Peer:
    require_admin_of_all(acting)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    fields = _clean(name=name, organ_ids=organ_ids, base_url=base_url, trust_roots=trust_roots,
                    max_secrecy=max_secrecy, transport=transport)
    if Peer.objects.filter(name=fields["name"]).exclude(pk=peer.pk).exists():
        raise ActionRefused(_("Đã có hệ thống liên thông tên này."), code="duplicate", field="name")
    for key, value in fields.items():
        setattr(peer, key, value)
    peer.is_active = is_active
    peer.save()
    log.record(actor=acting, verb="exchange.peer.changed", target=peer,
               data={"name": peer.name, "organ_ids": peer.organ_patterns, "base_url": peer.base_url,
                     "max_secrecy": peer.max_secrecy, "transport": peer.transport, "active": peer.is_active})
    return peer


@action("exchange.peer.deactivated")
def deactivate_peer(*, acting: Actor, peer: Peer) -> Peer:
    """Stop exchanging with a peer (its rows stay: the evidence points at it)."""
    require_admin_of_all(acting)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if peer.is_active:
        peer.is_active = False
        peer.save(update_fields=["is_active", "updated_at"])
    log.record(actor=acting, verb="exchange.peer.deactivated", target=peer, data={"name": peer.name})
    return peer


@action("exchange.envelope.received")
def record_envelope(*, data: bytes, sha256: str, transport: str, peer: Peer | None, state: str,
                    unit: Unit | None = None, kind: str = "", from_organ: str = "", from_name: str = "",
                    to_organ: str = "", document_id: str = "", subject: str = "", status_code: str = "",
                    signer: str = "", document_sha256: str = "", reason_code: str = "", reason: str = "",
                    incoming_id: int | None = None, secrecy: int = 0, revocation: str = "",
                    raw: StoredFile | None = None, events: list[log.Entry] | None = None,
                    looked_up: bool = False) -> ReceivedEnvelope:
    """Keep the evidence of one envelope (its raw bytes as a stored file), once per SHA-256: the same bytes
    again return the first row. Done by the system in the receiving unit's chain. `raw`: these bytes, already
    stored by the caller (the status trail's evidence is the same file); stored here otherwise.

    A batch (`receiving.receive_many`) passes `events`: the audit event is appended there, and the batch records
    its events together (`log.record_many`, the chain's head locked once) in the same transaction, after this
    envelope's savepoint; and `looked_up`: it has just looked for this SHA-256 in that transaction (the unique
    row still decides a race)."""
    if not looked_up:
        found = ReceivedEnvelope.objects.filter(sha256=sha256).first()
        if found is not None:
            return found
    kept = data[:EVIDENCE_HEAD] if reason_code == "oversize" else data
    if raw is None or raw.sha256 != sha256 or len(kept) != len(data):
        raw = store_bytes(kept, content_type="application/xml")
    try:
        with transaction.atomic():
            row = ReceivedEnvelope.objects.create(
                sha256=sha256, raw=raw, transport=transport[:30], peer=peer, kind=kind, from_organ=from_organ[:50],
                from_name=from_name[:200], to_organ=to_organ[:50], unit=unit, document_id=document_id[:120],
                subject=subject[:500], status_code=status_code[:2], signer=signer[:500],
                document_sha256=document_sha256[:64], secrecy=secrecy, state=state, reason_code=reason_code[:40],
                reason=reason[:1000], incoming_id=incoming_id, revocation=revocation[:10])
    except IntegrityError:
        return ReceivedEnvelope.objects.get(sha256=sha256)
    entry = log.Entry(verb=f"exchange.envelope.{state}", actor=None, target=row, unit=unit,
                      data={"sha256": sha256, "transport": transport, "from": from_organ, "to": to_organ,
                            "document_id": document_id, "status": status_code, "reason": reason[:500]})
    if events is not None:
        events.append(entry)
    else:
        log.record(actor=None, verb=entry.verb, target=row, unit=unit, data=entry.data)
    return row


@dataclass(frozen=True)
class Evidence:
    """One envelope's evidence for `record_envelopes`: what `record_envelope` takes for one, its bytes already
    stored (`raw`)."""

    sha256: str
    raw: StoredFile
    state: str
    unit: Unit | None = None
    kind: str = ""
    from_organ: str = ""
    from_name: str = ""
    to_organ: str = ""
    document_id: str = ""
    subject: str = ""
    status_code: str = ""
    signer: str = ""
    document_sha256: str = ""
    reason_code: str = ""
    reason: str = ""
    secrecy: int = 0
    revocation: str = ""
    incoming_id: int | None = None  # an accepted document's: the incoming document it made (or found)


@action("exchange.envelope.received")
def record_envelopes(*, transport: str, peer: Peer | None, items: Sequence[Evidence]) -> list[tuple[ReceivedEnvelope,
                                                                                                    log.Entry]]:
    """Keep the evidence of several envelopes of one batch at once (`receiving_statuses` and
    `receiving_documents`, decisions 0038 and 0043): the rows
    `record_envelope` writes for each, inserted together, each with the audit event it records — returned, not
    recorded: the caller records them with its others, in the envelopes' order. The caller has looked for these
    SHA-256 in its transaction; one met meanwhile (another request's) fails the whole call (IntegrityError),
    for the caller to record each alone."""
    for item in items:
        if item.raw.sha256 != item.sha256:
            raise ValueError("the evidence is the envelope's own bytes")
    rows = ReceivedEnvelope.objects.bulk_create([
        ReceivedEnvelope(
            sha256=item.sha256, raw=item.raw, transport=transport[:30], peer=peer, kind=item.kind,
            from_organ=item.from_organ[:50], from_name=item.from_name[:200], to_organ=item.to_organ[:50],
            unit=item.unit, document_id=item.document_id[:120], subject=item.subject[:500],
            status_code=item.status_code[:2], signer=item.signer[:500], document_sha256=item.document_sha256[:64],
            secrecy=item.secrecy, state=item.state, reason_code=item.reason_code[:40], reason=item.reason[:1000],
            incoming_id=item.incoming_id, revocation=item.revocation[:10])
        for item in items
    ])
    return [(row, log.Entry(verb=f"exchange.envelope.{item.state}", actor=None, target=row, unit=item.unit,
                            data={"sha256": item.sha256, "transport": transport, "from": item.from_organ,
                                  "to": item.to_organ, "document_id": item.document_id, "status": item.status_code,
                                  "reason": item.reason[:500]}))
            for item, row in zip(items, rows, strict=True)]


@action("exchange.bundle.carried")
def record_bundle(*, acting: Actor, peer: Peer, verb: str, data: dict[str, object]) -> None:
    """A bundle exported for, or imported from, a peer (the operator's `vanthu exchange bundle`): one audit event
    with the counts; the envelopes themselves went through the outbox and the receive pipeline."""
    require_admin_of_all(acting)
    if verb not in ("exported", "imported"):
        raise ActionRefused(_("Thao tác gói lưu chuyển không hợp lệ."), code="bad_verb")
    log.record(actor=acting, verb=f"exchange.bundle.{verb}", target=peer, data={"peer": peer.name, **data})


@action("exchange.refusal.answered")
def mark_refusal_answered(*, row: ReceivedEnvelope) -> bool:
    """The 02 of this refused envelope left in a bundle back to its peer: it is not carried again. By the system,
    in the receiving unit's chain."""
    if not ReceivedEnvelope.objects.filter(pk=row.pk, answered_at__isnull=True).update(answered_at=timezone.now()):
        return False
    log.record(actor=None, verb="exchange.refusal.answered", target=row, unit=row.unit,
               data={"sha256": row.sha256, "document_id": row.document_id, "to": row.from_organ})
    return True


@action("exchange.crl.noted")
def note_crl_urls(*, peer: Peer, urls: list[str]) -> list[PeerCrl]:
    """The CRL URLs a peer's certificate declares, kept for the refresh job; the new ones are returned (the
    caller enqueues a refresh for them). By the system."""
    made = []
    for url in urls[:5]:
        row, created = PeerCrl.objects.get_or_create(peer=peer, url=url[:500])
        if created:
            made.append(row)
    if made:
        log.record(actor=None, verb="exchange.crl.noted", target=peer, data={"urls": [r.url for r in made]})
    return made


@action("exchange.crl.fetched")
def store_crl(*, row: PeerCrl, der: bytes = b"", next_update: dt.datetime | None = None,
              problem: str = "") -> PeerCrl:
    """The result of one fetch: the verified CRL (then `problem` is empty), or the failure (the last good CRL is
    kept and still used while it is current). By the system; audited when the state changes."""
    locked = PeerCrl.objects.select_for_update().get(pk=row.pk)
    changed = bool(der) != bool(locked.der) or problem != locked.problem
    if der:
        locked.der, locked.next_update, locked.problem = der, next_update, ""
    else:
        locked.problem = problem[:500]
    locked.fetched_at = timezone.now()
    locked.save(update_fields=["der", "next_update", "problem", "fetched_at"])
    if changed:
        log.record(actor=None, verb="exchange.crl.fetched", target=locked.peer,
                   data={"url": locked.url, "ok": not problem, "problem": problem[:500]})
    return locked
