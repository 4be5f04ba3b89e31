"""Outbox messages claimed for a delivery in flight (`BatchClaim`, decision 0029): a deliverer's batch claims the
messages it carries, so that another worker's batch, or the message's own job, leaves them to it; the batch
endpoint claims the statuses 01 it writes for its answer (decision 0046) in the transaction that writes them, so
that no deliverer takes them between the commit and the answer. A claim older than `CLAIM_SECONDS` (its worker
died) no longer holds. The sending and the receiving side both claim: this module is below both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from vanthu import written_sql
from vanthu.exchange.models import BatchClaim

CLAIM_SECONDS = 600  # a claim older than this (its worker died) no longer holds

_CLAIM = ("INSERT INTO {table} ({message_id}, {claimed_at}) VALUES {rows} ON CONFLICT ({message_id}) DO NOTHING "
          "RETURNING {message_id}")


@written_sql.per_vendor
def _claim_sql(connection: Any, rows: int) -> str:
    return _CLAIM.format(**written_sql.quoted(connection, BatchClaim, "message_id", "claimed_at"),
                         rows=", ".join(["(%s, %s)"] * rows))


def claim(ids: list[int]) -> set[int]:
    """Claim these messages for one batch; the ids claimed (those another batch holds are not). One statement
    for the lot (SQLite and PostgreSQL: a row another batch holds is left alone, the rows inserted come back)."""
    now = timezone.now()
    if not ids:
        return set()
    with transaction.atomic():
        BatchClaim.objects.filter(claimed_at__lt=now - dt.timedelta(seconds=CLAIM_SECONDS)).delete()
        connection = connections[BatchClaim.objects.db]
        at = BatchClaim._meta.get_field("claimed_at").get_db_prep_save(now, connection)
        unique = list(dict.fromkeys(ids))
        sql = _claim_sql(connection, len(unique))
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for pk in unique for value in (pk, at)])
            return {int(row[0]) for row in cursor.fetchall()}


def hold(ids: list[int]) -> None:
    """Claim messages written in the current transaction (nobody else can see them yet, so none is claimed
    already): the statuses 01 a batch's answer carries. A claim outlives a process that dies before the answer by
    `CLAIM_SECONDS` at most."""
    if ids:
        now = timezone.now()
        BatchClaim.objects.bulk_create([BatchClaim(message_id=pk, claimed_at=now) for pk in dict.fromkeys(ids)])


def release(ids: set[int]) -> None:
    if ids:
        BatchClaim.objects.filter(message_id__in=ids).delete()


def live() -> Any:
    """The claims that still hold (a queryset of `BatchClaim`)."""
    return BatchClaim.objects.filter(claimed_at__gte=timezone.now() - dt.timedelta(seconds=CLAIM_SECONDS))


def stale(claimed_at: dt.datetime) -> bool:
    return claimed_at < timezone.now() - dt.timedelta(seconds=CLAIM_SECONDS)
