"""Pages of outgoing documents while drafted: a new draft (or a reply), editing it, a new version, submitting it
for review, the review, and returning it for revision. Same shape as `documents.views`: person →
`access_document` (404) → form → action. Signing, issuing and recalling stay in `documents.views`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vanthu.core.queue import after_action
from vanthu.documents import access, actions, queries
from vanthu.documents.access import Need
from vanthu.documents.forms import (
    CommentForm,
    DraftForm,
    DraftMetadataForm,
    ReviewForm,
    SubmitForm,
    VersionForm,
    attempt,
    bound_data,
    submit,
)
from vanthu.documents.models import Document, ReviewKind, Status
from vanthu.documents.views import GET_POST, _detail, _form_page, _layout_warnings, _upload_too_large
from vanthu.org.models import Person, Role, Unit
from vanthu.org.queries import leaders_over, scope_of, signers_for
from vanthu.org.views import require_person

# --- outgoing: drafting ----------------------------------------------------------------------------------


def _drafting_units(person: Person) -> QuerySet[Unit]:
    scope = scope_of(person)
    ids = {person.unit_id, *scope.clerk_unit_ids, *scope.leader_unit_ids}
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")


def _issuing_units(drafting: QuerySet[Unit]) -> QuerySet[Unit]:
    ids: set[int] = set()
    for path in drafting.values_list("path", flat=True):
        ids.update(int(part) for part in path.strip("/").split("/") if part)
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")


@GET_POST
def draft_new(request: HttpRequest) -> HttpResponse:
    """A new draft (dự thảo), or with ?replaces=<id> the draft of a document replacing an issued one."""
    person = require_person(request)
    replaces: Document | None = None
    replaces_id = request.POST.get("replaces") or request.GET.get("replaces")
    if replaces_id:
        replaces = access.access_document(person, replaces_id, need=Need.REPLACE)
    answers: Document | None = None
    answers_id = request.POST.get("answers") or request.GET.get("answers")
    if answers_id:
        answers = access.access_document(person, answers_id, need=Need.REPLY)
    # ?amends=<id>&amend_kind=update|correct: an update (bổ sung) or a correction (công văn đính chính) of an
    # issued document the person may see (404 otherwise, as for any document)
    amends: Document | None = None
    amends_id = request.POST.get("amends") or request.GET.get("amends")
    amend_kind = request.POST.get("amend_kind") or request.GET.get("amend_kind") or "update"
    if amends_id:
        amends = access.access_document(person, amends_id)
    drafting = _drafting_units(person)
    kwargs: dict[str, Any] = {"person": person, "drafting_units": drafting, "issuing_units": _issuing_units(drafting)}
    context: dict[str, Any] = {"replaces": replaces, "answers": answers, "amends": amends, "amend_kind": amend_kind}
    if request.method != "POST":
        initial: dict[str, Any] = {}
        if replaces is not None:
            initial = DraftMetadataForm.initial_from(replaces)
            initial.pop("expected_version")
            initial.update(drafting_unit=replaces.drafting_unit_id, issuing_unit=replaces.unit_id)
        elif answers is not None:
            initial = reply_initial(answers)
        if amends is not None:
            initial = {"drafting_unit": amends.drafting_unit_id, "issuing_unit": amends.unit_id,
                       "subject": _("V/v đính chính văn bản số %(n)s") % {"n": amends.notation}
                       if amend_kind == "correct" else ""}
        form = DraftForm(initial=initial, **kwargs)
        return render(request, "documents/draft_new.html", {"form": form, **context})
    form = DraftForm(request.POST, request.FILES, **kwargs)
    if not _upload_too_large(request, form) and form.is_valid():
        d = form.cleaned_data
        try:
            document = attempt(form, lambda: actions.create_draft(
                acting=person, drafting_unit=d["drafting_unit"], issuing_unit=d["issuing_unit"],
                data=form.draft_data(), file=d["file"], attachments=d["attachments"], note=d["note"],
                replaces=replaces, answers=answers, amends=amends, amend_kind=amend_kind if amends else "",
                client_token=d["client_token"],
            ))
        except actions.DuplicateSubmission as exc:
            messages.info(request, _("Dự thảo này đã được tạo (gửi hai lần); không tạo thêm."))
            return _detail(exc.existing)
        if document is not None:
            messages.success(request, _("Đã tạo dự thảo."))
            _layout_warnings(request, d["file"])
            return _detail(document)
    return render(request, "documents/draft_new.html", {"form": form, **context})


def reply_initial(answers: Document) -> dict[str, Any]:
    """A reply starts as a công văn to the body that wrote, about the same matter, at the same mark."""
    from vanthu.documents.models import DocumentType

    reply_type = DocumentType.objects.filter(name="Công văn").values_list("pk", flat=True).first()
    notation = answers.notation or answers.subject[:60]
    subject = _("V/v trả lời văn bản số %(notation)s của %(organ)s") % {"notation": notation,
                                                                        "organ": answers.organ_name}
    return {"doc_type": reply_type, "subject": subject[:500], "secrecy": answers.secrecy,
            "recipient_names": answers.organ_name if answers.source_id is None else "",
            "recipient_units": [answers.source.unit_id] if answers.source is not None else []}


@GET_POST
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.EDIT_DRAFT)
    form = DraftMetadataForm(bound_data(request), initial=DraftMetadataForm.initial_from(document), person=person)
    done = submit(request, form, lambda d: actions.update_draft(
        document=document, acting=person, data=form.draft_data(), expected_version=d["expected_version"],
    ), _("Đã lưu thông tin dự thảo."))
    if done is not None:
        return _detail(done)
    return _form_page(request, document, form, title=_("Sửa thông tin dự thảo"), submit=_("Lưu"))


@GET_POST
def draft_version_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.EDIT_DRAFT)
    form = VersionForm(bound_data(request), request.FILES or None, initial={"expected_version": document.version})
    if not _upload_too_large(request, form):
        version = submit(request, form, lambda d: actions.add_draft_version(
            document=document, acting=person, file=d["file"], note=d["note"], expected_version=d["expected_version"],
        ), lambda v: _("Đã tải lên dự thảo phiên bản %(n)s.") % {"n": v.number})
        if version is not None:
            _layout_warnings(request, form.cleaned_data["file"])
            return _detail(document)
    return _form_page(request, document, form, title=_("Tải lên phiên bản dự thảo mới"), submit=_("Tải lên"))


def _reviewer_choices(document: Document) -> QuerySet[Person]:
    drafting = document.drafting_unit or document.unit
    leaders = leaders_over(drafting).values("pk")
    q = Q(unit=drafting) | Q(pk__in=leaders) | Q(roles__unit=document.unit, roles__role=Role.CLERK)
    # the author does not review his own draft
    people = Person.objects.filter(q, is_active=True)
    if document.created_by_id is not None:
        people = people.exclude(pk=document.created_by_id)
    ids = people.values("pk")
    return Person.objects.filter(pk__in=ids).select_related("unit").order_by("unit__path", "full_name")


@GET_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the review chain and the signer, and submit the draft."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.SUBMIT)
    form = SubmitForm(bound_data(request), initial={"expected_version": document.version},
                      signers=signers_for(document.unit), reviewers=_reviewer_choices(document))
    done = submit(request, form, lambda d: actions.submit_for_review(
        document=document, acting=person, signer_authority=d["signer"], reviewers=form.review_chain(),
        expected_version=d["expected_version"],
    ), _("Đã trình dự thảo."))
    if done is not None:
        return _detail(done)
    return _form_page(request, document, form, title=_("Trình duyệt và trình ký dự thảo"),
                      submit=pgettext("submit a draft", "Trình"), template="documents/submit.html")


@GET_POST
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.REVIEW)
    step = access.pending_step(person, document)
    form = ReviewForm(bound_data(request), format_check=step is not None and step.kind == ReviewKind.FORMAT)
    done = submit(request, form, lambda d: actions.decide_review(
        document=document, acting=person, approve=d["approve"], comment=d["comment"], checklist=form.checklist(),
    ), lambda doc: _("Đã trả lại dự thảo.") if doc.status == Status.DRAFT else _("Đã đồng ý dự thảo."))
    if done is not None:
        return after_action(request, pk=done.pk)
    return _form_page(request, document, form, title=_("Cho ý kiến về dự thảo"), submit="",
                      buttons=[("decision", "approve", _("Đồng ý")), ("decision", "return", _("Trả lại"))],
                      extra={"page": queries.document_page(person, document), "show_file": True})


@GET_POST
def draft_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The signer sends the draft back to its drafter instead of signing."""
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.RETURN_FOR_REVISION)
    form = CommentForm(bound_data(request))
    done = submit(request, form, lambda d: actions.return_for_revision(document=document, acting=person,
                                                                       comment=d["comment"]),
                  _("Đã trả lại dự thảo để sửa."))
    if done is not None:
        return after_action(request, pk=done.pk)
    return _form_page(request, document, form, title=_("Trả lại dự thảo để sửa"), submit=_("Trả lại"),
                      danger=True)
