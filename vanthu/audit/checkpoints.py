"""Checkpoints of the audit chains (issue 13 item 4; decision 0022): a signed statement "chain C had N events,
the N-th with hash H, at T". Audit imports no app, so it signs nothing itself: the caller (ops, which holds the
deployment's key through signing) passes `sign`, a function from the statement's bytes to a detached CMS
signature (DER). Making a checkpoint is idempotent: a chain with no event since its last checkpoint gets none.
The signature is made outside any transaction and row lock; the row is inserted afterwards (a concurrent
maker of the same checkpoint loses the race quietly, the unique (chain, seq) keeps one)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanthu.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

STATEMENT_FORMAT = "vanthu-audit-checkpoint/1"
Sign = Callable[[bytes], bytes]


def chain_of_unit(unit_id: int | None) -> str:
    return f"u{unit_id}" if unit_id is not None else "global"


def unit_of_chain(chain: str) -> int | None:
    return int(chain[1:]) if chain.startswith("u") and chain[1:].isdigit() else None


def statement(*, chain: str, seq: int, hash: str, at: str) -> bytes:
    """The exact bytes a checkpoint signs (canonical JSON)."""
    body = {"format": STATEMENT_FORMAT, "chain": chain, "seq": seq, "hash": hash, "at": at}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def parse_statement(raw: bytes) -> dict[str, Any]:
    """The statement's fields; ValueError when it is not one."""
    body = json.loads(raw.decode("utf-8"))
    if not isinstance(body, dict) or body.get("format") != STATEMENT_FORMAT:
        raise ValueError("not a checkpoint statement")
    if not isinstance(body.get("seq"), int) or not isinstance(body.get("hash"), str):
        raise ValueError("not a checkpoint statement")
    return body


def latest(chain: str) -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").first()


def chains() -> list[str]:
    return list(AuditChainHead.objects.filter(seq__gt=0).order_by("chain").values_list("chain", flat=True))


def make(chain: str, *, sign: Sign, signer: str = "") -> tuple[AuditCheckpoint | None, bool]:
    """Checkpoint the chain's last event: (the checkpoint, True when made now). (last one, False) when no event
    came since; (None, False) for an empty chain."""
    last_event = AuditEvent.objects.filter(chain=chain).order_by("-seq").only("seq", "hash").first()
    if last_event is None:
        return None, False
    previous = latest(chain)
    if previous is not None and previous.seq >= last_event.seq:
        return previous, False
    made_at = timezone.now()
    body = statement(chain=chain, seq=last_event.seq, hash=last_event.hash, at=made_at.isoformat())
    signature = sign(body)  # outside any transaction: it may call the TSA
    try:
        with transaction.atomic():
            row = AuditCheckpoint.objects.create(chain=chain, seq=last_event.seq, hash=last_event.hash,
                                                 made_at=made_at, statement=body.decode("utf-8"),
                                                 signature=signature, signer=signer[:200])
    except IntegrityError:  # made concurrently
        return AuditCheckpoint.objects.get(chain=chain, seq=last_event.seq), False
    return row, True


def mismatches(chain: str) -> list[int]:
    """The checkpoints' seqs whose event is missing or no longer has the hash the checkpoint signed."""
    rows = list(AuditCheckpoint.objects.filter(chain=chain).order_by("seq").values_list("seq", "hash"))
    found = dict(AuditEvent.objects.filter(chain=chain, seq__in=[s for s, _ in rows]).values_list("seq", "hash"))
    return [seq for seq, digest in rows if found.get(seq) != digest]
