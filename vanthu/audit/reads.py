"""Reads leave a trace (Decree 30 checklist point 52; issue 13 item 3): opening, downloading and printing a
document, and every export and search, are audit events like any write, in the unit's hash chain.

One mechanism for every app: a page or API view calls `record_read(request=…, actor=…, verb=…, target=…)`
after its access check passed (a refused read is a 404 and records nothing: it reveals nothing either).
"From where" is the client's address as the server saw it (`REMOTE_ADDR`; behind a proxy the proxy sets it)
and the first 200 characters of its User-Agent, kept in the event's data beside what the app adds.

The verbs that are reads are listed in `READ_VERBS`, so the document's usage history and the security
officer's page can filter them out of the chain (writes are the document's own history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from vanthu.audit import log
from vanthu.audit.models import AuditEvent

VIEWED = "documents.document.viewed"
DOWNLOADED = "documents.file.downloaded"
PRINTED = "reports.document.printed"
SEARCHED = "search.query.run"
EXPORTED = "search.results.exported"
REGISTER_PRINTED = "reports.register.printed"
REPORT_PRINTED = "reports.report.printed"
RECORD_EXPORTED = "records.record.exported"  # a record package (its documents in full), written by records' action
READ_VERBS = (VIEWED, DOWNLOADED, PRINTED, SEARCHED, EXPORTED, REGISTER_PRINTED, REPORT_PRINTED, RECORD_EXPORTED)
DOCUMENT_READ_VERBS = (VIEWED, DOWNLOADED, PRINTED)


def origin(request: HttpRequest | None) -> dict[str, str]:
    """Where a read came from: the client address and its user agent (empty outside a request)."""
    if request is None:
        return {"ip": "", "agent": ""}
    return {"ip": str(request.META.get("REMOTE_ADDR", ""))[:45],
            "agent": str(request.META.get("HTTP_USER_AGENT", ""))[:200]}


def _fields(request: HttpRequest | None, verb: str, data: dict[str, Any] | None, via: str) -> dict[str, Any]:
    """The event's data: what the caller adds, where from (the request's; outside a request, as the caller
    says: a download nginx served from a signed link names the client nginx saw) and by which path."""
    if verb not in READ_VERBS:
        raise ValueError(f"not a read verb: {verb}")
    fields = {"ip": "", "agent": "", **(data or {})}
    if request is not None:
        fields.update(origin(request))
    fields["via"] = via
    return fields


def record_read(*, request: HttpRequest | None, actor: Any, verb: str, target: Any = None, unit: Any = None,
                data: dict[str, Any] | None = None, via: str = "web", at: datetime | None = None) -> AuditEvent:
    """Append the read to the audit chain of `unit` (the document's unit; the person's for a search). `at`: when
    it happened, if not now (a download nginx served, recorded from its log a few seconds later)."""
    return log.record(actor=actor, verb=verb, target=target, unit=unit, data=_fields(request, verb, data, via), at=at)


@dataclass(frozen=True)
class Read:
    """One read for `record_reads` (the arguments of `record_read` outside a request)."""

    actor: Any
    verb: str
    target: Any
    unit: Any
    data: dict[str, Any]
    via: str
    at: datetime | None = None


def record_reads(items: list[Read]) -> list[AuditEvent]:
    """Append many reads that happened outside a request at once (`log.record_many`: each chain's head locked
    once): the downloads nginx served from signed links, taken from its log by batches."""
    return log.record_many([log.Entry(actor=r.actor, verb=r.verb, target=r.target, unit=r.unit, at=r.at,
                                      data=_fields(None, r.verb, r.data, r.via)) for r in items])


def usage_of(target: Any, *, limit: int = 100) -> list[AuditEvent]:
    """The latest reads of one document, newest first."""
    return list(log.events_for(target).filter(verb__in=DOCUMENT_READ_VERBS).order_by("-id")[:limit])


def reads(*, unit_ids: list[int], verb: str = "", actor_id: int | None = None, since: Any = None,
          until: Any = None, actor_name: str = "", document_id: int | None = None, ip: str = "") -> Any:
    """The reads in some units' chains, newest first, filtered (the security officer's page and CSV): by person
    (id, or part of the name), document, kind of read, dates and client address (a prefix: "10.1.")."""
    rows = AuditEvent.objects.filter(unit_id__in=unit_ids, verb__in=[verb] if verb else READ_VERBS)
    if actor_id is not None:
        rows = rows.filter(actor_id=actor_id)
    if actor_name:
        rows = rows.filter(actor_name__icontains=actor_name)
    if document_id is not None:
        rows = rows.filter(target_type="documents.document", target_id=str(document_id))
    if ip:
        rows = rows.filter(data__ip__startswith=ip)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lt=until)
    return rows.order_by("-id")
