"""The format (thể thức) of an outgoing document: the 9 main and 4 optional components of Decree 30 Điều 8 as
the document's fields, and the check of content and format before a draft reaches its signer (Điều 12)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents.formatting import date_line
from vanthu.documents.models import Document, FormatCheckRule, Status
from vanthu.org.models import Person, Role, Unit
from vanthu.org.queries import scope_of

NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"

# What the checker confirms (Điều 12.2): the layout of Phụ lục I, the components of Điều 8, the recipients,
# the secrecy and urgency marks.
CHECKLIST: dict[str, object] = {
    "layout": gettext_lazy("Trình bày đúng Phụ lục I (khổ giấy, lề, phông chữ, số trang)"),
    "components": gettext_lazy("Đủ các thành phần thể thức (Điều 8)"),
    "recipients": gettext_lazy("Nơi nhận đúng và đủ"),
    "secrecy": gettext_lazy("Độ mật, độ khẩn đúng"),
}
FULL_CHECKLIST: dict[str, bool] = dict.fromkeys(CHECKLIST, True)  # every item ticked


@dataclass(frozen=True)
class Component:
    number: str  # "1" … "9" for the main components, "a" … "d" for the optional ones
    label: str
    value: str
    main: bool

    @property
    def present(self) -> bool:
        return bool(self.value)


def components(document: Document, *, attachments: int = 0) -> list[Component]:
    """The 13 components of Điều 8 as this document has them (empty value: not filled in yet)."""
    unit = document.unit
    place = document.place_name or unit.place_name
    when = date_line(place, document.issued_date) if document.issued_date else (
        f"{place}, {_('ngày … tháng … năm …')}" if place else "")
    marks = [str(Secrecy(document.secrecy).label).upper()] if document.secrecy else []
    if document.urgency > Urgency.NORMAL:
        marks.append(str(Urgency(document.urgency).label).upper())
    if document.circulation_note:
        marks.append(document.circulation_note)
    if document.status in (Status.DRAFT, Status.IN_REVIEW):
        marks.append(_("DỰ THẢO"))
    initials = document.drafter_initials
    if document.issued_amount:
        initials = f"{initials}{document.issued_amount:02d}" if initials else str(document.issued_amount)
    signer = " — ".join(x for x in (document.signer_competence, document.signer_position, document.signer_name) if x)
    return [
        Component("1", _("Quốc hiệu và Tiêu ngữ"), NATIONAL_HEADING, True),
        Component("2", _("Tên cơ quan, tổ chức ban hành"), document.organ_name, True),
        Component("3", _("Số, ký hiệu"), (document.notation and f"Số: {document.notation}")
                  or _("(cấp khi phát hành)"), True),
        Component("4", _("Địa danh và thời gian ban hành"), when, True),
        Component("5", _("Tên loại và trích yếu nội dung"),
                  f"{document.doc_type.name} — {document.subject}" if document.subject else "", True),
        Component("6", _("Nội dung"), _("Tệp văn bản") if document.current_file_id else "", True),
        Component("7", _("Chức vụ, họ tên và chữ ký của người có thẩm quyền"), signer, True),
        Component("8", _("Dấu, chữ ký số của cơ quan, tổ chức"),
                  _("Chữ ký số của %(u)s khi phát hành") % {"u": document.organ_name}, True),
        Component("9", _("Nơi nhận"), document.to_places, True),
        Component("a", _("Phụ lục"), _("%(n)s tệp đính kèm") % {"n": attachments} if attachments else "", False),
        Component("b", _("Dấu chỉ độ mật, mức độ khẩn, chỉ dẫn phạm vi lưu hành"), ", ".join(marks), False),
        Component("c", _("Ký hiệu người soạn thảo và số lượng bản phát hành"), initials, False),
        Component("d", _("Địa chỉ, thư điện tử, trang thông tin điện tử, số điện thoại, số fax"),
                  document.address_block, False),
    ]


def metadata(document: Document) -> dict[str, str]:
    """The format components beyond the Phụ lục VI fields, as written into exported metadata."""
    return {
        "PlaceName": document.place_name or document.unit.place_name,
        "CirculationNote": document.circulation_note,
        "DrafterInitials": document.drafter_initials,
        "IssuedAmount": str(document.issued_amount or ""),
        "AddressBlock": document.address_block,
        "Draft": "1" if document.status in (Status.DRAFT, Status.IN_REVIEW) else "0",
    }


def rule_for(document: Document) -> FormatCheckRule | None:
    """The issuing unit's rule; without one, the default rule (required, by the issuing unit's clerks) while
    VANTHU_FORMAT_CHECK_REQUIRED is on (the default outside tests), else none."""
    rule = FormatCheckRule.objects.filter(unit_id=document.unit_id).select_related("checker_unit").first()
    if rule is None and settings.FORMAT_CHECK_REQUIRED:
        return default_rule(document.unit)
    return rule


def default_rule(unit: Unit) -> FormatCheckRule:
    """The check Điều 12 asks for where the head set no rule: by the issuing unit's clerks (its office), required.
    Not saved: a unit's own rule (page /numbering/) replaces it."""
    return FormatCheckRule(unit=unit, checker_unit=unit, role=Role.CLERK, required=True)


def holds_checker_role(person: Person, rule: FormatCheckRule) -> bool:
    scope = scope_of(person)
    unit = rule.checker_unit
    if rule.role == Role.LEADER:
        return scope.leads(unit)
    if rule.role == Role.CLERK:
        return unit.pk in scope.clerk_unit_ids
    return unit.pk in scope.officer_unit_ids or person.unit_id == unit.pk


def may_check_format(person: Person, document: Document) -> bool:
    """Without a rule for the issuing unit, anyone the drafter names may check; with one, only its holders."""
    rule = rule_for(document)
    return rule is None or holds_checker_role(person, rule)
