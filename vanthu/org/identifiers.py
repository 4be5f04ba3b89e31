"""Organ ids in their two forms (checklist point 47): the QCVN 102:2016 form (`000.00.00.G22`) that edXML
envelopes and the peer directory use, and the QĐ 20/2020/QĐ-TTg electronic identifier (`code_qd20`) that the
national axis lists beside it. `as_qcvn102` maps the second to the first when a unit of the tree or an agency of
the directory holds both, so that an envelope whose `From` carries the QĐ 20 form is recognised as the same
sender; `both_forms` answers what is known of an organ id in either form (for `vanthu edxml inspect`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from vanthu.core.errors import ActionRefused
from vanthu.org.models import EXCHANGE_CODE, QD20_CODE, Agency, Unit


def _valid(validator: Callable[[str], None], value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def is_qcvn102(organ_id: str) -> bool:
    return _valid(EXCHANGE_CODE, organ_id)


def is_qd20(code: str) -> bool:
    return _valid(QD20_CODE, code)


def check_unit_codes(*, code: str, code_qd20: str, unit: Unit | None = None) -> None:
    """A unit's two identifiers, each in its own form (the checks of an agency's, `agency_actions.check_codes`),
    and a QĐ 20 identifier no other unit holds (`as_qcvn102` must find one unit); refused naming the field."""
    if code and not is_qcvn102(code):
        raise ActionRefused(_("Mã định danh %(code)s không đúng dạng 000.00.00.G22 (QCVN 102:2016).")
                            % {"code": code}, code="bad_code", field="code", target=unit)
    if not code_qd20:
        return
    if not is_qd20(code_qd20):
        raise ActionRefused(_("Mã định danh điện tử %(code)s không đúng dạng QĐ 20/2020 (chữ cái, chữ số, dấu "
                              "chấm, dấu gạch, tối đa 40 ký tự).") % {"code": code_qd20},
                            code="bad_code_qd20", field="code_qd20", target=unit)
    others = Unit.objects.filter(code_qd20=code_qd20)
    if unit is not None and unit.pk is not None:
        others = others.exclude(pk=unit.pk)
    holder = others.only("name").first()
    if holder is not None:
        raise ActionRefused(_("Mã định danh điện tử %(code)s đã được đơn vị %(unit)s dùng.")
                            % {"code": code_qd20, "unit": holder.name},
                            code="duplicate_code_qd20", field="code_qd20", target=unit)


def as_qcvn102(organ_id: str) -> str:
    """The QCVN 102 form of `organ_id`: itself when it has that form (no query), else the code of the unit or
    agency whose QĐ 20 identifier it is, else itself unchanged."""
    if not organ_id or is_qcvn102(organ_id):
        return organ_id
    unit_code = (
        Unit.objects.filter(code_qd20=organ_id)
        .exclude(code=None)
        .exclude(code="")
        .values_list("code", flat=True)
        .first()
    )
    if unit_code:
        return unit_code
    agency_code = (
        Agency.objects.filter(code_qd20=organ_id)
        .exclude(code="")
        .order_by("-is_active", "pk")
        .values_list("code", flat=True)
        .first()
    )
    return agency_code or organ_id


@dataclass(frozen=True)
class Known:
    code: str  # QCVN 102
    code_qd20: str
    name: str
    where: str  # "unit" | "agency"


def both_forms(organ_id: str) -> Known | None:
    """The unit (first) or agency that holds `organ_id` in either form, with both of its forms."""
    if not organ_id:
        return None
    field = "code" if is_qcvn102(organ_id) else "code_qd20"
    unit = Unit.objects.filter(**{field: organ_id}).only("code", "code_qd20", "name").first()
    if unit is not None:
        return Known(unit.code or "", unit.code_qd20, unit.name, "unit")
    agency = Agency.objects.filter(**{field: organ_id}).order_by("-is_active", "pk").first()
    if agency is not None:
        return Known(agency.code, agency.code_qd20, agency.name, "agency")
    return None


def known_forms(organ_ids: list[str]) -> dict[str, dict[str, str]]:
    """For `vanthu edxml inspect`: each organ id this deployment knows (in either form), with both forms. The
    tool also reads files where no database answers (a laptop, a test without one): nothing is known then."""
    known: dict[str, dict[str, str]] = {}
    try:
        for organ_id in dict.fromkeys(organ_ids):
            found = both_forms(organ_id)
            if found is not None:
                known[organ_id] = {
                    "code": found.code,
                    "code_qd20": found.code_qd20,
                    "name": found.name,
                    "where": found.where,
                }
    except (DatabaseError, RuntimeError):  # no database here (RuntimeError: pytest-django's blocker)
        return {}
    return known
