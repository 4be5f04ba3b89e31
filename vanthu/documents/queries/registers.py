"""The registers (sổ đăng ký) as pages: a unit's incoming or outgoing register of a year and series, read by keyset.

A register page is one indexed range scan (`register_id = X AND number < cursor ORDER BY number DESC LIMIT 50`,
index `doc_register_number`), never a COUNT(*) (the register's total is its counter, `last_number`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core.choices import Secrecy
from vanthu.documents.models import Document, DocumentShare, Recipient, Register, RegisterKind, ShareReason
from vanthu.documents.numbering import GENERAL, SECRET
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of

PAGE_SIZE = 50
KINDS = {"incoming": RegisterKind.INCOMING, "outgoing": RegisterKind.OUTGOING}


def register_units(person: Person) -> list[Unit]:
    """Units whose registers the person may read: where they are clerk, and every unit of the subtrees they lead."""
    scope = scope_of(person)
    q = Q(pk__in=list(scope.clerk_unit_ids)) | scope.leader_q(prefix="path")
    return list(Unit.objects.filter(q, is_active=True).order_by("path"))


def default_register_unit(person: Person, units: list[Unit]) -> Unit | None:
    """The person's clerk unit highest in the tree, else their own unit, else the first unit they may read."""
    scope = scope_of(person)
    clerk_units = [u for u in units if u.pk in scope.clerk_unit_ids]
    if clerk_units:
        return min(clerk_units, key=lambda u: (u.depth, u.path))
    own = next((u for u in units if u.pk == person.unit_id), None)
    return own or (units[0] if units else None)


def series_label(series: str) -> str:
    if series == GENERAL:
        return _("Sổ chung")
    if series == SECRET:
        return _("Sổ văn bản mật")
    if series.startswith("nhom-"):
        return _("Sổ nhóm %(n)s") % {"n": series.removeprefix("nhom-")}
    return _("Sổ loại %(abbr)s") % {"abbr": series.removeprefix("loai-")}


@dataclass
class RegisterRow:
    document: Document
    masked: bool  # above the reader's clearance: only the number and dates are shown
    handlers: list[str] = field(default_factory=list)  # incoming: units/people who lead its handling
    handed_at: dt.datetime | None = None  # incoming: when it was passed on (Ngày chuyển)
    recipients: list[Recipient] = field(default_factory=list)  # outgoing


@dataclass
class RegisterPage:
    kind: str  # "incoming" | "outgoing"
    unit: Unit
    units: list[Unit]
    year: int
    years: list[int]
    series: str
    series_choices: list[tuple[str, str]]
    register: Register | None
    rows: list[RegisterRow]
    before: int | None
    next_before: int | None  # cursor of the next page, None on the last page

    @property
    def total(self) -> int:
        return self.register.last_number if self.register is not None else 0


def _int_or_none(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc


def register_page(
    person: Person, *, kind: str, unit_id: str | None, year: str | None, series: str | None, before: str | None
) -> RegisterPage:
    """One page of a unit's register; Http404 for a unit, series or register the person may not read."""
    register_kind = KINDS[kind]
    scope = scope_of(person)
    units = register_units(person)
    wanted_unit = _int_or_none(unit_id)
    if wanted_unit is None:
        unit = default_register_unit(person, units)
    else:
        unit = next((u for u in units if u.pk == wanted_unit), None)
    if unit is None:
        raise Http404
    this_year = timezone.localdate().year
    year_value = _int_or_none(year) or this_year
    if not 1900 <= year_value <= 9999:
        raise Http404
    series_value = series or GENERAL
    if series_value == SECRET and scope.clearance < Secrecy.CONFIDENTIAL:
        raise Http404
    cursor = _int_or_none(before)

    registers = list(Register.objects.filter(unit=unit, kind=register_kind, year=year_value).order_by("series"))
    register = next((r for r in registers if r.series == series_value), None)
    visible_series = [r.series for r in registers if r.series != SECRET or scope.clearance >= Secrecy.CONFIDENTIAL]
    if GENERAL not in visible_series:
        visible_series.insert(0, GENERAL)
    if series_value not in visible_series:
        if series_value != SECRET:
            raise Http404
        visible_series.append(SECRET)
    series_choices = [(s, series_label(s)) for s in visible_series]

    rows: list[RegisterRow] = []
    next_before: int | None = None
    if register is not None:
        qs = Document.objects.filter(register=register, number__isnull=False)
        if cursor is not None:
            qs = qs.filter(number__lt=cursor)
        documents = list(qs.select_related("doc_type").order_by("-number")[: PAGE_SIZE + 1])
        if len(documents) > PAGE_SIZE:
            documents = documents[:PAGE_SIZE]
            next_before = documents[-1].number
        rows = [RegisterRow(document=d, masked=d.secrecy > scope.clearance) for d in documents]
        if register_kind == RegisterKind.INCOMING:
            _add_handlers(rows)
        else:
            _add_recipients(rows)

    first_year = min(this_year, year_value) - 4
    years = list(range(max(this_year, year_value), first_year - 1, -1))
    return RegisterPage(
        kind=kind, unit=unit, units=units, year=year_value, years=years, series=series_value,
        series_choices=series_choices, register=register, rows=rows, before=cursor, next_before=next_before,
    )


def _add_handlers(rows: list[RegisterRow]) -> None:
    """Column 7 and 8 of the incoming register: who leads the handling, and when it was passed on (one query)."""
    by_id = {row.document.pk: row for row in rows if not row.masked}
    if not by_id:
        return
    shares = (
        DocumentShare.objects.filter(document_id__in=list(by_id), reason=ShareReason.LEAD)
        .select_related("person", "unit")
        .order_by("created_at", "pk")
    )
    for share in shares:
        row = by_id[share.document_id]
        name = (share.unit.short_name or share.unit.name) if share.unit is not None else str(share.person)
        if name not in row.handlers:
            row.handlers.append(name)
        if row.handed_at is None:
            row.handed_at = share.created_at


def _add_recipients(rows: list[RegisterRow]) -> None:
    by_id = {row.document.pk: row for row in rows if not row.masked}
    if not by_id:
        return
    for recipient in Recipient.objects.filter(document_id__in=list(by_id)).select_related("unit").order_by("pk"):
        by_id[recipient.document_id].recipients.append(recipient)
