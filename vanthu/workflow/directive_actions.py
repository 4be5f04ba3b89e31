"""Directives (chỉ đạo điều hành, decision 0015): a higher unit's leader issues one directive to many units at
once, with or without a source (a document, a plan, a meeting's conclusion, a recorded phone order); each unit gets
one root task, tracked on the directive's roll-up. A weekly directive repeats: `next_occurrence` (run by the
weekly job for each series) creates the next one, once per day whatever runs it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.choices import Urgency
from vanthu.core.errors import ActionRefused
from vanthu.core.workdays import next_working_day
from vanthu.documents.access import can_see
from vanthu.documents.models import Document
from vanthu.org.access import Actor
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.workflow import tree
from vanthu.workflow.models import Assignment, AssignmentRole, Directive, Part, Recurrence, SourceKind
from vanthu.workflow.task_actions import refuse, text_of


@action("workflow.directive.issued")
def issue(
    *, acting: Person, unit: Unit, title: str, units: Sequence[Unit], deadline: dt.date | None,
    text: str = "", urgency: int = Urgency.NORMAL, source_kind: str = SourceKind.NONE,
    source_document: Document | None = None, source_note: str = "", recurrence: str = Recurrence.NONE,
    weekday: int | None = None, client_token: uuid.UUID | None = None,
) -> Directive:
    """Issue a directive from `unit` (which `acting` leads) to `units` below it, each leading its own part."""
    scope = scope_of(acting)
    if unit.pk not in scope.leader_unit_ids:
        raise refuse()
    title = text_of(title, field="title", required=_("Hãy ghi trích yếu chỉ đạo."), limit=500)
    if len(text) > 5000:
        raise ActionRefused(_("Nội dung dài quá %(limit)s ký tự.") % {"limit": 5000}, code="too_long", field="text")
    if not units:
        raise ActionRefused(_("Hãy chọn các đơn vị nhận chỉ đạo."), code="target_required", field="units")
    if source_document is not None and not can_see(acting, source_document):
        raise ActionRefused(_("Không tìm thấy văn bản nguồn."), code="bad_source", field="source_document")
    if recurrence == Recurrence.WEEKLY and (weekday is None or not 0 <= weekday <= 6):
        raise ActionRefused(_("Hãy chọn ngày trong tuần của việc lặp lại."), code="weekday_required",
                            field="weekday")
    if recurrence == Recurrence.WEEKLY and deadline is None:
        deadline = _next_weekday(timezone.localdate(), weekday or 0)
    tree.check_deadline(deadline, limit=None)
    seen: set[int] = set()
    for target in units:
        if not target.path.startswith(unit.path) or target.pk == unit.pk or not target.is_active:
            raise ActionRefused(
                _("“%(name)s” không thuộc đơn vị ban hành chỉ đạo; không thể giao.") % {"name": target.name},
                code="target_outside_tree", field="units",
            )
        if target.pk in seen:
            raise ActionRefused(_("“%(name)s” được chọn hai lần.") % {"name": target.name},
                                code="duplicate_target", field="units")
        seen.add(target.pk)
    try:
        with transaction.atomic():
            directive = Directive.objects.create(
                unit=unit, author=acting, title=title, text=text.strip(), urgency=urgency, deadline=deadline,
                source_kind=SourceKind.DOCUMENT if source_document is not None else source_kind,
                source_document=source_document, source_note=source_note[:500], recurrence=recurrence,
                weekday=weekday if recurrence else None, client_token=client_token,
                occurs_on=deadline if recurrence else None,
            )
    except IntegrityError as exc:
        raise ActionRefused(_("Yêu cầu này đã được thực hiện (gửi hai lần); không ban hành thêm chỉ đạo."),
                            code="duplicate_submission", status=409) from exc
    _give(directive, units, acting=acting)
    log.record(actor=acting, verb="workflow.directive.issued", target=directive, unit=unit,
               data={"title": title, "units": [u.pk for u in units], "deadline": deadline})
    return directive


def _give(directive: Directive, units: Sequence[Unit], *, acting: Actor) -> None:
    author = acting if isinstance(acting, Person) else directive.author
    for target in units:
        tree.make_task(role=AssignmentRole.LEAD, part=Part.LEAD, target=target, acting=author,
                       deadline=directive.deadline, urgency=directive.urgency, directive=directive,
                       document=None)


def _next_weekday(after: dt.date, weekday: int) -> dt.date:
    days = (weekday - after.weekday()) % 7 or 7
    return after + dt.timedelta(days=days)


@action("workflow.directive.repeated")
def next_occurrence(*, series: Directive, acting: Actor, today: dt.date | None = None) -> Directive | None:
    """The next occurrence of a weekly directive, due on the next `weekday` after the last one (moved to a working
    day); None when it exists already or is not yet due (one week ahead at most). Idempotent."""
    if not isinstance(acting, SystemActor) and not (
        isinstance(acting, Person) and series.unit_id in scope_of(acting).leader_unit_ids
    ):
        raise refuse()
    series = Directive.objects.select_for_update().get(pk=series.pk)
    if series.recurrence != Recurrence.WEEKLY or series.weekday is None:
        return None
    today = today or timezone.localdate()
    last = series.occurrences.order_by("-occurs_on").values_list("occurs_on", flat=True).first() or series.occurs_on
    due = _next_weekday(max(last or today, today - dt.timedelta(days=1)), series.weekday)
    if last is not None and due <= last:
        return None
    if (due - today).days > 7 or series.occurrences.filter(occurs_on=due).exists():
        return None
    units = list(Unit.objects.filter(assignments__directive=series, assignments__parent__isnull=True).distinct())
    directive = Directive.objects.create(
        unit=series.unit, author=series.author, title=series.title, text=series.text, urgency=series.urgency,
        deadline=next_working_day(due), source_kind=series.source_kind, source_document=series.source_document,
        source_note=series.source_note, series=series, occurs_on=due,
    )
    _give(directive, units, acting=acting)
    log.record(actor=acting, verb="workflow.directive.repeated", target=directive, unit=series.unit,
               data={"series": series.pk, "occurs_on": due, "units": [u.pk for u in units]})
    return directive


def tasks_of(directive: Directive) -> list[Assignment]:
    return list(directive.tasks.filter(parent__isnull=True))
