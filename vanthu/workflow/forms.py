"""Forms of handling: present to a leader, the leader's direction, forward, complete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Case, Q, QuerySet, When
from django.utils.translation import gettext_lazy as _

from vanthu.documents.access import RECEIVING_ROLES, units_cleared_q
from vanthu.documents.forms import PersonChoiceField, date, person_label, text
from vanthu.documents.models import Document
from vanthu.org.models import Person, RoleGrant, Unit
from vanthu.org.queries import scope_of

Target = Person | Unit


class PresentForm(forms.Form):
    note = text(_("Lời trình"), 1000, rows=2, placeholder=_("Kính trình Thủ trưởng cho ý kiến chỉ đạo."))

    def __init__(self, *args: Any, leaders: Iterable[Person], head: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(leaders)
        in_given_order = Case(*[When(pk=p.pk, then=i) for i, p in enumerate(choices)], default=len(choices))
        to = PersonChoiceField(
            label=_("Trình chỉ huy"),
            queryset=Person.objects.filter(pk__in=[p.pk for p in choices]).order_by(in_given_order),
            empty_label=None, widget=forms.RadioSelect,
            error_messages={"required": _("Hãy chọn chỉ huy để trình."),
                            "invalid_choice": _("Chỉ trình được cho chỉ huy của đơn vị hoặc đơn vị cấp trên.")},
        )
        self.fields["to"] = to
        self.order_fields(["to", "note"])
        # the unit's head is preselected (`org.queries.head_for`); when it is not clear who that is, no one is —
        # never the first leader of the list, who may be a deputy
        if head is not None and any(p.pk == head.pk for p in choices):
            self.initial.setdefault("to", head.pk)
        elif len(choices) == 1:
            self.initial.setdefault("to", choices[0].pk)


NOT_CLEARED = _("Chỉ huy, văn thư chưa được tiếp cận độ mật này")
NO_RECEIVER = _("Chưa có chỉ huy, văn thư nhận văn bản mật")


@dataclass(frozen=True)
class TargetRow:
    code: str  # "u:12" or "p:34"
    label: str
    depth: int
    is_person: bool
    blocked: str = ""  # why it is not offered: its leaders or clerks are not cleared for the document, or none


def _code(target: Target) -> str:
    return f"{'p' if isinstance(target, Person) else 'u'}:{target.pk}"


class DirectionForm(forms.Form):
    """Ý kiến chỉ đạo: one lead, any co-operating and for-information units or people, a deadline.

    Targets are shown as a matrix (one row per unit or person, columns Chủ trì / Phối hợp / Để biết): the
    units of the subtrees the leader leads (and the document's unit), and the people of one chosen unit.
    """

    text = text(_("Ý kiến chỉ đạo"), 2000, required=True, missing=_("Hãy ghi ý kiến chỉ đạo."), rows=3,
                placeholder=_("Ví dụ: Giao Sư đoàn 301 chủ trì, Bộ Tham mưu phối hợp; báo cáo kết quả trước hạn."))
    lead = forms.ChoiceField(label=_("Chủ trì"), error_messages={
        "required": _("Hãy chọn một đơn vị hoặc cán bộ chủ trì."),
        "invalid_choice": _("Đơn vị hoặc cán bộ chủ trì không thuộc các đơn vị bạn chỉ huy."),
    })
    cooperate = forms.MultipleChoiceField(label=_("Phối hợp"), required=False, error_messages={
        "invalid_choice": _("“%(value)s” không thuộc các đơn vị bạn chỉ huy."),
    })
    info = forms.MultipleChoiceField(label=_("Để biết"), required=False, error_messages={
        "invalid_choice": _("“%(value)s” không thuộc các đơn vị bạn chỉ huy."),
    })
    deadline = date(_("Hạn xử lý"))
    people_unit = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, person: Person, document: Document, people_unit: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_of(person)
        tree = Q(scope.leader_q(prefix="path") | Q(path__startswith=document.unit.path))
        units = list(Unit.objects.filter(tree, is_active=True).order_by("path"))
        # A classified document is offered only to units whose leaders and clerks are all cleared for it; the
        # others are shown greyed out (their people may still be picked one by one below).
        cleared = set(Unit.objects.filter(tree, units_cleared_q(document.secrecy), is_active=True)
                      .values_list("pk", flat=True))
        staffed = set(RoleGrant.objects.filter(unit__in=units, role__in=RECEIVING_ROLES, person__is_active=True)
                      .values_list("unit_id", flat=True))
        self.units = units
        self.people_units = units
        top = min((u.depth for u in units), default=0)
        people_units = {u.pk for u in units}
        chosen_unit = people_unit if people_unit in people_units else document.unit_id
        self.people_unit_id = chosen_unit
        wanted_people = {int(code[2:]) for code in self._submitted_codes() if code.startswith("p:")
                         and code[2:].isdigit()}
        people = list(
            Person.objects.filter(Q(unit_id=chosen_unit) | Q(pk__in=wanted_people), is_active=True,
                                  unit_id__in=people_units, clearance__gte=document.secrecy)
            .exclude(pk=person.pk)
            .select_related("unit").order_by("unit__path", "full_name")
        )
        self.targets: dict[str, Target] = {}
        self.rows: list[TargetRow] = []
        for unit in units:
            self.targets[_code(unit)] = unit  # a submitted uncleared unit reaches the action, which names who lacks
            blocked = "" if unit.pk in cleared else str(
                NOT_CLEARED if unit.pk in staffed else NO_RECEIVER
            )
            self.rows.append(TargetRow(_code(unit), unit.name, unit.depth - top, False, blocked=blocked))
        self.people_rows: list[TargetRow] = []
        for p in people:
            self.targets[_code(p)] = p
            self.people_rows.append(TargetRow(_code(p), f"{person_label(p)} ({p.unit.short_name or p.unit.name})",
                                              0, True))
        choices = [(row.code, row.label) for row in [*self.rows, *self.people_rows]]
        for name in ("lead", "cooperate", "info"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        self.initial.setdefault("people_unit", chosen_unit)
        if document.due_date and not self.is_bound:
            self.initial.setdefault("deadline", document.due_date)

    def _submitted_codes(self) -> list[str]:
        source: Any = self.data if self.is_bound else self.initial
        codes: list[str] = []
        for name in ("lead", "cooperate", "info"):
            if hasattr(source, "getlist"):
                codes.extend(source.getlist(name))
            else:
                value = source.get(name)
                codes.extend(value if isinstance(value, list | tuple) else [value] if value else [])
        return codes

    def selected(self) -> dict[str, set[str]]:
        """The codes currently checked in each column (from what was typed, or the initial values)."""
        result: dict[str, set[str]] = {}
        for name in ("lead", "cooperate", "info"):
            if self.is_bound:
                result[name] = set(self.data.getlist(name)) if hasattr(self.data, "getlist") else set()
            else:
                value = self.initial.get(name)
                result[name] = set(value if isinstance(value, list | tuple) else [value] if value else [])
        return result

    def own_due_text(self, code: str) -> str:
        """What was typed in the row's own deadline (`due-<code>`), or its initial value."""
        source: Any = self.data if self.is_bound else self.initial
        value = source.get(f"due-{code}", "")
        return value.isoformat() if isinstance(value, dt.date) else str(value or "")

    def clean(self) -> dict[str, Any]:
        """Each lead and co-operating receiver may have its own deadline; empty means the common one."""
        cleaned = super().clean() or {}
        own: dict[str, dt.date] = {}
        codes = [cleaned.get("lead") or "", *(cleaned.get("cooperate") or [])]
        parse = date(_("Hạn xử lý"))
        for code in codes:
            typed = self.own_due_text(code).strip() if code else ""
            if not typed:
                continue
            try:
                own[code] = parse.clean(typed)
            except forms.ValidationError:
                self.add_error(None, _("Hạn riêng của “%(name)s” không hợp lệ; hãy nhập theo dạng ngày/tháng/năm.")
                               % {"name": str(self.targets.get(code, code))})
        self.own_deadlines = own
        return cleaned

    def matrix(self) -> dict[str, list[dict[str, Any]]]:
        chosen = self.selected()

        def rows(items: list[TargetRow]) -> list[dict[str, Any]]:
            return [{"row": r, "lead": r.code in chosen["lead"], "cooperate": r.code in chosen["cooperate"],
                     "info": r.code in chosen["info"], "due": self.own_due_text(r.code)} for r in items]

        return {"units": rows(self.rows), "people": rows(self.people_rows)}

    def direction(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "text": d["text"],
            "lead": self.targets[d["lead"]],
            "cooperate": [self.targets[c] for c in d["cooperate"]],
            "info": [self.targets[c] for c in d["info"]],
            "deadline": d["deadline"],
            "deadlines": {self.targets[code]: due for code, due in getattr(self, "own_deadlines", {}).items()},
        }


class ForwardForm(forms.Form):
    note = text(_("Ghi chú"), 1000, rows=2)
    deadline = date(_("Hạn xử lý"), help_text=_("Để trống thì theo hạn của đơn vị."))

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = PersonChoiceField(
            label=_("Cán bộ xử lý"), queryset=people, empty_label=_("— Chọn cán bộ —"),
            error_messages={"required": _("Hãy chọn cán bộ xử lý."),
                            "invalid_choice": _("Chỉ chuyển được cho cán bộ thuộc đơn vị được giao.")},
        )
        self.fields["to"] = to
        self.order_fields(["to", "deadline", "note"])


class CompleteForm(forms.Form):
    result = text(_("Kết quả xử lý"), 2000, rows=4)
