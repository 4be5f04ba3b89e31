"""The page where the issuing unit's clerk numbers and registers a document signed by hand on paper, from the same
outgoing series as electronic documents (Decree 30 Điều 15.1), with its scan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from vanthu.documents import actions
from vanthu.documents.actions.paper_outgoing import register_paper_outgoing
from vanthu.documents.forms import (
    SignerChoiceField,
    TokenMixin,
    UploadField,
    attempt,
    date,
    doc_type_field,
    secrecy_field,
    text,
    urgency_field,
)
from vanthu.org.models import Person, SigningAuthority, Unit
from vanthu.org.queries import scope_of
from vanthu.org.views import require_person


class PaperOutgoingForm(TokenMixin, forms.Form):
    issuing_unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị ban hành"), queryset=Unit.objects.none(),
                                          empty_label=None)
    doc_type = doc_type_field()
    subject = text(gettext_lazy("Trích yếu nội dung"), 500, required=True,
                   missing=gettext_lazy("Hãy nhập trích yếu nội dung."), rows=2)
    to_places = text(gettext_lazy("Nơi nhận"), 1000, rows=2)
    issued_amount = forms.IntegerField(label=gettext_lazy("Số lượng bản"), required=False, min_value=1, max_value=999)
    signed_on = date(gettext_lazy("Ngày ký"), required=True)
    file = UploadField(label=gettext_lazy("Bản quét văn bản đã ký (PDF)"))

    def __init__(self, *args: Any, person: Person, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuing = self.fields["issuing_unit"]
        assert isinstance(issuing, forms.ModelChoiceField)
        issuing.queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
        self.fields["urgency"] = urgency_field()
        self.fields["secrecy"] = secrecy_field(person)
        self.fields["signer"] = SignerChoiceField(
            label=gettext_lazy("Người ký"), empty_label=gettext_lazy("— Chọn người ký —"),
            queryset=SigningAuthority.objects.filter(unit__in=units, revoked_at__isnull=True)
            .select_related("person", "unit"),
            error_messages={"required": gettext_lazy("Hãy chọn người ký.")},
        )
        self.order_fields(["issuing_unit", "doc_type", "subject", "urgency", "secrecy", "signer", "signed_on",
                           "to_places", "issued_amount", "file"])

    def refusal_field(self, exc: Any) -> str | None:
        return {"signer": "signer", "signed_on": "signed_on", "file": "file", "secrecy": "secrecy"}.get(exc.field)


@require_http_methods(["GET", "POST"])
def paper_new(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    units = list(Unit.objects.filter(pk__in=scope_of(person).clerk_unit_ids, is_active=True).order_by("path"))
    if not units:
        raise Http404
    if request.method != "POST":
        form = PaperOutgoingForm(person=person, units=units, initial={"signed_on": timezone.localdate()})
        return render(request, "documents/paper_new.html", {"form": form})
    form = PaperOutgoingForm(request.POST, request.FILES, person=person, units=units)
    if form.is_valid():
        d = form.cleaned_data
        data = actions.DraftData(doc_type=d["doc_type"], subject=d["subject"].strip(), urgency=d["urgency"],
                                 secrecy=d["secrecy"], to_places=d["to_places"].strip(),
                                 issued_amount=d["issued_amount"])
        try:
            document = attempt(form, lambda: register_paper_outgoing(
                acting=person, issuing_unit=d["issuing_unit"], drafting_unit=None, data=data,
                signer_authority=d["signer"], signed_on=d["signed_on"], scan=d["file"],
                client_token=d["client_token"]))
        except actions.DuplicateSubmission as exc:
            messages.info(request, _("Văn bản này đã được vào sổ (gửi hai lần); không cấp thêm số."))
            return redirect("document_detail", pk=exc.existing.pk)
        if document is not None:
            messages.success(request, _("Đã cấp số %(n)s và vào sổ văn bản đi.") % {"n": document.notation})
            return redirect("document_detail", pk=document.pk)
    return render(request, "documents/paper_new.html", {"form": form})
