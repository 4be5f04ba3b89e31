"""Registers and their numbers: gap-free, never duplicated, one series per unit, kind, series and year.

A number is taken inside the issuing (or registering) transaction by locking the register's counter row
(SELECT … FOR UPDATE) and incrementing it; `UniqueConstraint(register, number)` backs it. If the
transaction rolls back, so does the increment: no gap. Numbers start at 1 on 1 January (a new Register per
year) and are printed with a leading zero below 10 (Decree 30 Phụ lục I).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from vanthu.core.choices import Secrecy
from vanthu.documents.models import Document, DocumentType, NumberingPlan, PlanScheme, Register
from vanthu.documents.register_models import register_name as register_name  # re-exported; lives with Register
from vanthu.org.models import NumberingScheme, Unit

GENERAL = "chung"
SECRET = "mat"  # noqa: S105  (the secret-documents number series, not a password)


LETTERS = "loai-CV"  # Công văn and Thư công share one series: both are numbered issuer-drafting unit


def type_key(doc_type: DocumentType) -> str:
    """How a numbering plan's groups name a type: its abbreviation, or its name for Công văn and Thư công."""
    return doc_type.abbreviation or doc_type.name


def plan_for(*, unit: Unit, year: int) -> NumberingPlan | None:
    return NumberingPlan.objects.filter(unit=unit, year=year).first()


def series_in(*, scheme: str, groups: list[list[str]], doc_type: DocumentType) -> str:
    """The non-secret series of `doc_type` under a scheme (see `PlanScheme`)."""
    if scheme == PlanScheme.PER_TYPE:
        return "loai-" + doc_type.abbreviation if doc_type.abbreviation else LETTERS
    if scheme == PlanScheme.GROUPS:
        key = type_key(doc_type)
        for index, group in enumerate(groups, start=1):
            if key in group:
                return f"nhom-{index}"
    return GENERAL


def outgoing_series(*, unit: Unit, doc_type: DocumentType, secrecy: int, year: int | None = None) -> str:
    """The series an outgoing document is numbered from: the secret series for a classified document (Điều
    15.2), else the series of the scheme the unit's head set for `year` (`NumberingPlan`); without a plan, the
    unit's standing scheme."""
    if secrecy > Secrecy.NONE:
        return SECRET
    plan = plan_for(unit=unit, year=year) if year is not None else None
    if plan is not None:
        return series_in(scheme=plan.scheme, groups=plan.groups, doc_type=doc_type)
    scheme = PlanScheme.PER_TYPE if unit.numbering_scheme == NumberingScheme.PER_TYPE else PlanScheme.SINGLE
    return series_in(scheme=scheme, groups=[], doc_type=doc_type)


def incoming_series(*, unit: Unit, secrecy: int) -> str:
    if secrecy > Secrecy.NONE and unit.separate_secret_incoming:
        return SECRET
    return GENERAL


def incoming_series_of(document: Document) -> str:
    """`incoming_series` of `document`: its unit is read only when it is classified."""
    if document.secrecy <= Secrecy.NONE:
        return GENERAL
    return incoming_series(unit=document.unit, secrecy=document.secrecy)


def register_for(*, unit: Unit, kind: str, series: str, year: int) -> Register:
    """The register, created on first use. Safe when two transactions create it at once."""
    found = Register.objects.filter(unit=unit, kind=kind, series=series, year=year).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Register.objects.create(
                unit=unit, kind=kind, series=series, year=year,
                name=register_name(unit=unit, kind=kind, series=series, year=year),
            )
    except IntegrityError:
        return Register.objects.get(unit=unit, kind=kind, series=series, year=year)


def take_next(register: Register) -> int:
    """Lock the register's counter and take the next number. Call inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next must run inside the action's transaction")
    locked = Register.objects.select_for_update().get(pk=register.pk)
    locked.last_number += 1
    locked.save(update_fields=["last_number"])
    register.last_number = locked.last_number
    return locked.last_number


_TAKE_NEXT_OF = ("UPDATE {register} SET last_number = last_number + 1 "
                 "WHERE unit_id = %s AND kind = %s AND series = %s AND year = %s RETURNING id, last_number, name")


def take_next_of(*, unit_id: int, kind: str, series: str, year: int) -> tuple[Register, int]:
    """`register_for` and `take_next` in one statement when the register exists (every registration but a
    year's first): the counter row is found by its unique key, locked and moved by the same UPDATE (held until
    the action's transaction ends, as `take_next`'s SELECT … FOR UPDATE holds it), its new value returned.
    Otherwise the register is created first, the long way. Call inside the action's transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("take_next_of must run inside the action's transaction")
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_NEXT_OF.format(register=connection.ops.quote_name(Register._meta.db_table)),
                       [unit_id, kind, series, year])
        row = cursor.fetchone()
    if row is None:  # the year's first number: the register is opened under the unit's name
        register = register_for(unit=Unit.objects.get(pk=unit_id), kind=kind, series=series, year=year)
        return register, take_next(register)
    pk, number, name = row
    register = Register(pk=pk, unit_id=unit_id, kind=kind, series=series, year=year, last_number=number, name=name)
    register._state.adding, register._state.db = False, connection.alias  # a row read, as a query makes it
    return register, int(number)


def format_number(number: int) -> str:
    """Decree 30: numbers below 10 take a leading zero (01 … 09, 10, 11 …)."""
    return f"{number:02d}"


def notation(*, doc_type: DocumentType, issuer: Unit, drafting_unit: Unit | None) -> str:
    """The part after the slash: 'QĐ-BTL' for typed documents, 'BTL-TM' for công văn (issuer-drafting unit)."""
    if doc_type.abbreviation:
        return f"{doc_type.abbreviation}-{issuer.abbreviation}"
    if drafting_unit is not None and drafting_unit.pk != issuer.pk:
        return f"{issuer.abbreviation}-{drafting_unit.abbreviation}"
    return issuer.abbreviation


def parse_groups(text: str) -> list[list[str]]:
    """Groups typed one per line, types separated by commas: "QĐ, CT, QC\\nKH, PA"."""
    groups = []
    for line in text.splitlines():
        group = [part.strip() for part in line.replace(";", ",").split(",") if part.strip()]
        if group:
            groups.append(group)
    return groups


def groups_text(groups: list[list[str]]) -> str:
    return "\n".join(", ".join(group) for group in groups)


def check_groups(groups: list[list[str]], types: list[DocumentType]) -> str:
    """'' when `groups` is a valid grouping of `types`, else what is wrong (translated)."""
    from django.utils.translation import gettext as _

    known = {type_key(t) for t in types}
    seen: set[str] = set()
    if not groups:
        return _("Hãy ghi ít nhất một nhóm loại văn bản.")
    for group in groups:
        for key in group:
            if key not in known:
                return _("Không có loại văn bản “%(t)s”.") % {"t": key}
            if key in seen:
                return _("Loại văn bản “%(t)s” ở hai nhóm.") % {"t": key}
            seen.add(key)
    letters = [type_key(t) for t in types if not t.abbreviation]
    where = {index for index, group in enumerate(groups) for key in group if key in letters}
    if len(where) > 1 or (where and not set(letters) <= seen):
        return _("Công văn và Thư công phải cùng một dãy số (cùng ký hiệu cơ quan - đơn vị soạn thảo).")
    return ""


def preview(*, scheme: str, groups: list[list[str]], types: list[DocumentType]) -> list[tuple[str, list[str]]]:
    """What a scheme does before it is saved: each series with the types numbered from it (the secret series
    is always apart)."""
    by_series: dict[str, list[str]] = {}
    for doc_type in types:
        by_series.setdefault(series_in(scheme=scheme, groups=groups, doc_type=doc_type), []).append(doc_type.name)
    return list(by_series.items())
