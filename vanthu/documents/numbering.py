"""Registers and their numbers: gap-free, never duplicated, one series per unit, kind, series and year.

A number is taken inside the issuing (or registering) transaction by locking the register's counter row
(SELECT … FOR UPDATE) and incrementing it; `UniqueConstraint(register, number)` backs it. If the
transaction rolls back, so does the increment: no gap. Numbers start at 1 on 1 January (a new Register per
year) and are printed with a leading zero below 10 (Decree 30 Phụ lục I).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from vanthu.core.choices import Secrecy
from vanthu.documents.models import DocumentType, Register
from vanthu.documents.models import register_name as register_name  # re-exported; lives with Register
from vanthu.org.models import NumberingScheme, Unit

GENERAL = "chung"
SECRET = "mat"  # noqa: S105  (the secret-documents number series, not a password)


def outgoing_series(*, unit: Unit, doc_type: DocumentType, secrecy: int) -> str:
    if secrecy > Secrecy.NONE:
        return SECRET
    if unit.numbering_scheme == NumberingScheme.PER_TYPE:
        return "loai-" + (doc_type.abbreviation or f"t{doc_type.pk}")
    return GENERAL


def incoming_series(*, unit: Unit, secrecy: int) -> str:
    if secrecy > Secrecy.NONE and unit.separate_secret_incoming:
        return SECRET
    return GENERAL


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
