"""Writes to the catalogue of issuing bodies, to a unit's head and to a unit's codes: one transaction each, audited.

The directory of outside agencies is deployment-wide: an admin of a top unit (or the operator's CLI) keeps
it. A unit's head is set by an admin of the unit (or of a unit above it). A unit's codes (its QCVN 102 organ id,
which the exchange sends and answers to, and its QĐ 20/2020 identifier) are the deployment's identities towards
the outside, as the directory's codes are: an admin of a top unit changes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.access import Actor, require_admin_of, require_admin_of_all
from vanthu.org.agencies import AgencyRow, fold
from vanthu.org.identifiers import check_unit_codes, is_qcvn102, is_qd20
from vanthu.org.models import Agency, Person, Role, Unit
from vanthu.org.signals import announce


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _check(row: AgencyRow) -> None:
    where = {"line": row.line}
    if not row.name:
        raise ActionRefused(_("Dòng %(line)s: thiếu tên cơ quan.") % where, code="name_required", field="file")
    if len(row.name) > 200 or len(row.short_name) > 100 or len(row.code) > 50:
        raise ActionRefused(_("Dòng %(line)s: tên, tên ngắn hoặc mã dài quá mức cho phép.") % where,
                            code="too_long", field="file")
    check_codes(code=row.code, code_qd20=row.code_qd20, line=row.line)


def check_codes(*, code: str, code_qd20: str, line: int) -> None:
    """Each identifier in its own form, or refused naming the line and the form expected."""
    where = {"line": line, "code": code or code_qd20}
    if code and not is_qcvn102(code):
        raise ActionRefused(_("Dòng %(line)s: mã định danh %(code)s không đúng dạng 000.00.00.G22 (QCVN 102:2016).")
                            % where, code="bad_code", field="file")
    if code_qd20 and not is_qd20(code_qd20):
        raise ActionRefused(_("Dòng %(line)s: mã định danh điện tử %(code)s không đúng dạng QĐ 20/2020 (chữ cái, "
                              "chữ số, dấu chấm, dấu gạch, tối đa 40 ký tự).") % where,
                            code="bad_code_qd20", field="file")


@action("org.agencies.imported")
def import_agencies(*, rows: Sequence[AgencyRow], acting: Actor) -> ImportResult:
    """Add or update outside agencies by name (all rows or none): a new name is added, a known one gets the
    file's short name and code. Nothing is deleted (documents keep the text they were registered with)."""
    require_admin_of_all(acting)
    seen: set[str] = set()
    for row in rows:
        _check(row)
        key = fold(row.name)
        if key in seen:
            raise ActionRefused(_("Dòng %(line)s: cơ quan “%(name)s” lặp lại trong tệp.")
                                % {"line": row.line, "name": row.name}, code="duplicate_row", field="file")
        seen.add(key)
    existing = {a.name: a for a in Agency.objects.filter(name__in=[r.name for r in rows])}
    created = updated = unchanged = 0
    for row in rows:
        agency = existing.get(row.name)
        if agency is None:
            Agency.objects.create(name=row.name, short_name=row.short_name, code=row.code,
                                  code_qd20=row.code_qd20, folded=_folded(row))
            created += 1
        elif ((agency.short_name, agency.code, agency.code_qd20) != (row.short_name, row.code,
                                                                     row.code_qd20 or agency.code_qd20)
              or not agency.is_active):
            agency.short_name, agency.code, agency.is_active = row.short_name, row.code, True
            agency.code_qd20 = row.code_qd20 or agency.code_qd20
            agency.folded = folded(agency.name, agency.short_name, agency.code, agency.code_qd20)
            agency.save(update_fields=["short_name", "code", "code_qd20", "is_active", "folded"])
            updated += 1
        else:
            unchanged += 1
    log.record(actor=acting, verb="org.agencies.imported", target=None,
               data={"created": created, "updated": updated, "unchanged": unchanged})
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _folded(row: AgencyRow) -> str:
    return folded(row.name, row.short_name, row.code, row.code_qd20)


def folded(name: str, short_name: str, code: str, code_qd20: str) -> str:
    """What the directory's search and the autocomplete match: the name, short name and both codes."""
    return fold(f"{name} {short_name} {code} {code_qd20}")[:400]


@action("org.agency.removed")
def set_agency_active(*, agency: Agency, active: bool, acting: Actor) -> Agency:
    """Take an agency out of the autocomplete (or back): rows are never deleted."""
    require_admin_of_all(acting, target=agency)
    agency.is_active = active
    agency.save(update_fields=["is_active"])
    log.record(actor=acting, verb="org.agency.removed" if not active else "org.agency.restored", target=agency,
               data={"name": agency.name})
    return agency


@action("org.unit.head_set")
def set_unit_head(*, unit: Unit, head: Person | None, acting: Actor) -> Unit:
    """Name the unit's head, preselected when a document is presented; None goes back to the default (the
    leader who signs for the unit in his own name)."""
    require_admin_of(acting, unit, target=unit)
    if head is not None:
        leads_here = head.is_active and head.roles.filter(role=Role.LEADER, unit=unit).exists()
        if not leads_here:
            raise ActionRefused(_("%(name)s không phải chỉ huy của %(unit)s.") % {"name": head.full_name,
                                                                                  "unit": unit.name},
                                code="not_a_leader", field="head")
    before = unit.head_id
    unit.head = head
    unit.save(update_fields=["head"])
    event = log.record(actor=acting, verb="org.unit.head_set", target=unit, unit=unit,
                       data={"head": head.pk if head else None, "before": before})
    announce(event, person=head, unit=unit, detail=unit.name)
    return unit


@action("org.unit.codes_changed")
def set_unit_codes(*, unit: Unit, code: str, code_qd20: str, acting: Actor) -> Unit:
    """Correct a unit's codes after its creation: its QCVN 102 organ id (`code`, the exchange's address of the
    unit) and its QĐ 20/2020 identifier. Each in its form and held by no other unit; empty takes a code away.
    Unchanged codes write nothing. The event keeps the codes before and after (peers that knew the old organ id
    must be told: what was sent keeps the id it was sent under)."""
    require_admin_of_all(acting, target=unit)
    code, code_qd20 = code.strip(), code_qd20.strip()
    check_unit_codes(code=code, code_qd20=code_qd20, unit=unit)
    if code:
        holder = Unit.objects.filter(code=code).exclude(pk=unit.pk).only("name").first()
        if holder is not None:
            raise ActionRefused(_("Mã định danh %(code)s đã được đơn vị %(unit)s dùng.")
                                % {"code": code, "unit": holder.name}, code="duplicate_code", field="code",
                                target=unit)
    stored = Unit.objects.select_for_update().values_list("code", "code_qd20").get(pk=unit.pk)  # units stay
    before = {"code": stored[0] or "", "code_qd20": stored[1]}
    after = {"code": code, "code_qd20": code_qd20}
    if before == after:
        return unit
    unit.code, unit.code_qd20 = code or None, code_qd20
    try:
        with transaction.atomic():
            unit.save(update_fields=["code", "code_qd20"])
    except IntegrityError as exc:  # another unit took one of them since the check (two admins at once)
        unit.code, unit.code_qd20 = stored
        raise ActionRefused(_("Mã định danh hoặc mã định danh điện tử vừa được đơn vị khác dùng."),
                            code="duplicate_code", field="code", target=unit) from exc
    log.record(actor=acting, verb="org.unit.codes_changed", target=unit, unit=unit,
               data={"before": before, "after": after})
    return unit
