"""A unit's rules for its outgoing documents, set by its head or delegate: the numbering scheme of a coming
year (Decree 30 Điều 15.1.c; never retroactive) and who checks content and format before signature (Điều 12)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import numbering
from vanthu.documents.models import DocumentType, FormatCheckRule, NumberingPlan, PlanScheme
from vanthu.org.models import AuthorityPrefix, Person, Role, SigningAuthority, Unit
from vanthu.org.queries import scope_of

DELEGATE_PREFIXES = (AuthorityPrefix.KT, AuthorityPrefix.TUQ, AuthorityPrefix.Q)


def can_set_rules(person: Person, unit: Unit) -> bool:
    """The head of the unit (a leader over it) or a delegate: a deputy (KT.), acting head (Q.) or one signing by
    delegation (TUQ.) for the unit, valid today."""
    if scope_of(person).leads(unit):
        return True
    today = timezone.localdate()
    authorities = SigningAuthority.objects.filter(person=person, unit=unit, prefix__in=DELEGATE_PREFIXES)
    return any(a.is_valid_on(today) for a in authorities)


def _refuse_outsider(acting: Person, unit: Unit) -> None:
    if not can_set_rules(acting, unit):
        raise ActionRefused(_("Chỉ người đứng đầu đơn vị hoặc người được ủy quyền mới quy định việc này."),
                            code="forbidden", status=403)


@action("documents.numbering.plan_set")
def set_numbering_plan(*, acting: Person, unit: Unit, year: int, scheme: str,
                       groups: list[list[str]] | None = None) -> NumberingPlan:
    """Set the scheme of `year` (after the current one: a year already numbered is never changed)."""
    _refuse_outsider(acting, unit)
    current = timezone.localdate().year
    if year <= current:
        raise ActionRefused(
            _("Không thay đổi cách cấp số của năm %(y)s: cách cấp số chỉ áp dụng từ năm sau, không hồi tố.")
            % {"y": year}, code="retroactive", field="year")
    if year > current + 1:
        raise ActionRefused(_("Chỉ quy định cách cấp số cho năm sau."), code="too_far", field="year")
    if scheme not in PlanScheme.values:
        raise ActionRefused(_("Cách cấp số không hợp lệ."), code="invalid", field="scheme")
    groups = groups or []
    if scheme == PlanScheme.GROUPS:
        problem = numbering.check_groups(groups, list(DocumentType.objects.filter(is_active=True)))
        if problem:
            raise ActionRefused(problem, code="bad_groups", field="groups")
    else:
        groups = []
    plan, _created = NumberingPlan.objects.update_or_create(
        unit=unit, year=year, defaults={"scheme": scheme, "groups": groups, "decided_by": acting},
    )
    log.record(actor=acting, verb="documents.numbering.plan_set", target=None, unit=unit,
               data={"year": year, "scheme": scheme, "groups": groups})
    return plan


@action("documents.format_check.rule_set")
def set_format_check_rule(*, acting: Person, unit: Unit, checker_unit: Unit, role: str,
                          required: bool = True) -> FormatCheckRule:
    """Who checks content and format of `unit`'s drafts: people holding `role` over `checker_unit`."""
    _refuse_outsider(acting, unit)
    if role not in (Role.LEADER, Role.CLERK, Role.OFFICER):
        raise ActionRefused(_("Vai trò không hợp lệ."), code="invalid", field="role")
    if not checker_unit.is_within(unit):
        raise ActionRefused(_("Đơn vị kiểm tra thể thức phải thuộc đơn vị ban hành."), code="outside",
                            field="checker_unit")
    rule, _created = FormatCheckRule.objects.update_or_create(
        unit=unit, defaults={"checker_unit": checker_unit, "role": role, "required": required, "decided_by": acting},
    )
    log.record(actor=acting, verb="documents.format_check.rule_set", target=None, unit=unit,
               data={"checker_unit": checker_unit.pk, "role": role, "required": required})
    return rule
