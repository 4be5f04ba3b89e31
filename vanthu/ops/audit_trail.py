"""The audit trail anyone can verify (issue 13 item 4; decision 0022): checkpoints signed by the deployment's
key, the export, and its offline check. Audit imports no app, so this interface app holds the key for it: it
opens the top unit's organisation key (the seal) through `signing.service.unit_seal` — unlocked with
`VANTHU_EXCHANGE_SEAL_SECRET` like every signature vanthu makes by itself, or none for a server-held key — and
hands `audit.checkpoints.make` a signer: a detached CMS over the statement's bytes with the TSA's RFC 3161
time-stamp (`records.package.seal.sign`, the same CAdES-T form as the record package's manifest).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from asn1crypto import pem
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import checkpoints, log, trail
from vanthu.audit.models import AuditCheckpoint, AuditEvent
from vanthu.org.access import Actor
from vanthu.org.models import Unit
from vanthu.records.package import seal
from vanthu.signing import service as signing
from vanthu.signing.types import SigningRefused


def top_unit_of(chain: str) -> Unit | None:
    """The top unit whose key signs `chain`'s checkpoints: the one above the chain's unit (the first top unit
    for the global chain)."""
    unit_id = checkpoints.unit_of_chain(chain)
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    if unit is not None:
        top_id = int(unit.path.strip("/").split("/")[0])
        return Unit.objects.filter(pk=top_id).first()
    return Unit.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()


@contextlib.contextmanager
def sealer(top: Unit) -> Iterator[tuple[checkpoints.Sign, str]]:
    """(sign, signer's name) with `top`'s key unlocked; SigningRefused when it cannot sign."""
    timestamper = signing.pades_services("B-T").timestamper if settings.TSA_URL.strip() else None
    with signing.unit_seal(unit=top, secret=settings.EXCHANGE_SEAL_SECRET or None) as opened:
        signer = opened.credential.signer
        if signer is None:
            raise SigningRefused(_("Khóa của %(unit)s là khóa ký từ xa: không ký được điểm kiểm tra nhật ký.")
                                 % {"unit": top.name}, code="remote_key")
        yield functools.partial(seal.sign, signer=signer, timestamper=timestamper), opened.credential.owner_label


def chains_under(unit: Unit | None) -> list[str]:
    found = checkpoints.chains()
    if unit is None:
        return found
    ids = {f"u{pk}" for pk in Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)}
    return [c for c in found if c in ids]


# --- the export ------------------------------------------------------------------------------------------


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {**log._hashed_fields(event), "hash": event.hash}


def _roots_pem() -> bytes:
    roots, _intermediates = signing.trust_store_der()
    return b"".join(pem.armor("CERTIFICATE", der) for der in roots)


class ExportRefused(Exception):
    pass


def export(*, unit: Unit | None, start: dt.date, end: dt.date, out: Path, acting: Actor) -> dict[str, Any]:
    """Write the events of `unit`'s chain (the global chain for None) from `start` to `end` (inclusive days,
    local time), with the checkpoints around them, to `out`. The range is widened to the checkpoints before
    and after it; when none follows, one is made of the chain's head now. Returns the manifest."""
    chain = checkpoints.chain_of_unit(unit.pk if unit is not None else None)
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    in_range = AuditEvent.objects.filter(chain=chain, at__gte=since, at__lt=until)
    span = [in_range.order_by("seq").values_list("seq", flat=True).first(),
            in_range.order_by("-seq").values_list("seq", flat=True).first()]
    if span[0] is None or span[1] is None:
        raise ExportRefused(_("Không có sự kiện nào trong chuỗi %(chain)s từ %(start)s đến %(end)s.")
                            % {"chain": chain, "start": start, "end": end})
    before = AuditCheckpoint.objects.filter(chain=chain, seq__lt=span[0]).order_by("-seq").first()
    after = AuditCheckpoint.objects.filter(chain=chain, seq__gte=span[1]).order_by("seq").first()
    top = top_unit_of(chain)
    if top is None:
        raise ExportRefused(_("Chưa có đơn vị cấp cao nhất để ký bản xuất."))
    try:
        with sealer(top) as (sign, signer):
            if after is None:  # the export's own checkpoint, of the head now
                after, _made = checkpoints.make(chain, sign=sign, signer=signer)
            if after is None:
                raise ExportRefused(_("Chuỗi %(chain)s trống.") % {"chain": chain})
            first = before.seq + 1 if before is not None else 1
            marks = AuditCheckpoint.objects.filter(chain=chain, seq__gte=first - 1, seq__lte=after.seq)
            events = AuditEvent.objects.filter(chain=chain, seq__gte=first, seq__lte=after.seq).order_by("seq")
            manifest = {
                "chain": chain, "unit": unit.pk if unit is not None else None,
                "unit_name": unit.name if unit is not None else "", "from": start.isoformat(), "to": end.isoformat(),
                "created": timezone.now().isoformat(), "first_seq": first, "last_seq": after.seq,
                "range_seqs": span, "events": after.seq - first + 1, "checkpoints": marks.count(), "signer": signer,
            }
            with out.open("wb") as handle:
                written = trail.write(
                    handle, manifest=manifest, events=(_fields(e) for e in events.iterator(chunk_size=2000)),
                    checkpoint_rows=((m.statement, bytes(m.signature)) for m in marks.order_by("seq")),
                    roots_pem=_roots_pem(), seal=sign)
    except SigningRefused as exc:
        raise ExportRefused(exc.message) from exc
    # The export is itself recorded, after the checkpoint it ends on (the next checkpoint covers it).
    log.record(actor=acting, verb="audit.trail.exported", target=unit, unit=unit,
               data={"from": start.isoformat(), "to": end.isoformat(), "first_seq": written["first_seq"],
                     "last_seq": written["last_seq"], "file": out.name})
    return written


# --- the offline check -----------------------------------------------------------------------------------


def checker(roots: list[Any]) -> Any:
    """`check(data, cms)` for `trail.verify` against `roots` (asn1crypto certificates): no database, no network."""

    def check(data: bytes, signature: bytes) -> trail.SignatureCheck:
        result = seal.check(data, signature, roots=roots)
        return trail.SignatureCheck(intact=result.readable and result.intact, trusted=result.trusted,
                                    signer=result.signer,
                                    timestamp=result.timestamp.isoformat() if result.timestamp else "")

    return check
