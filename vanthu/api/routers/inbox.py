"""The caller's inbox: everything waiting for them, urgent first, then by deadline."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.schemas import DocumentSummary
from vanthu.workflow.queries import inbox_for, today

router = Router()


class InboxItemOut(Schema):
    kind: str = Field(description="register | present | direct | lead | cooperate | unit | info | review | sign | "
                                  "issue | draft")
    label: str
    document: DocumentSummary
    urgency: int
    deadline: dt.date | None
    overdue: bool
    since: dt.datetime
    assignment_id: int | None
    review_step_id: int | None


class InboxOut(Schema):
    items: list[InboxItemOut]
    counts: dict[str, int] = Field(description="Số việc theo loại (tối đa 999, hiển thị “999+”)")
    total: int


@router.get("/inbox", response=InboxOut, summary="Việc chờ xử lý của người gọi")
def inbox(request: HttpRequest) -> InboxOut:
    box = inbox_for(person_of(request))
    day = today()
    return InboxOut(
        items=[
            InboxItemOut(kind=item.kind, label=item.label, document=DocumentSummary.of(item.document),
                         urgency=item.urgency, deadline=item.deadline, overdue=item.overdue(day), since=item.since,
                         assignment_id=item.assignment.pk if item.assignment else None,
                         review_step_id=item.step.pk if item.step else None)
            for item in box.items
        ],
        counts=box.counts,
        total=box.total,
    )
