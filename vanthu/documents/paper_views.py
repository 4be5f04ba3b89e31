"""The clerk records the paper copy sent to a recipient nothing delivered electronically (issue 12)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from vanthu.documents import access, actions
from vanthu.documents.access import Need
from vanthu.documents.forms import DATETIME_FORMATS, attempt, text
from vanthu.documents.models import Recipient
from vanthu.org.views import require_person


class PaperSentForm(forms.Form):
    via = forms.ChoiceField(label=gettext_lazy("Cách gửi"), choices=[("", "—"), *Recipient.PaperVia.choices],
                            error_messages={"required": gettext_lazy("Hãy chọn cách gửi bản giấy.")})
    sent_at = forms.DateTimeField(
        label=gettext_lazy("Gửi lúc"), input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": gettext_lazy("Hãy ghi thời điểm gửi."),
                        "invalid": gettext_lazy("Thời điểm gửi không hợp lệ.")},
    )
    note = text(gettext_lazy("Ghi chú (số phiếu gửi, người nhận…)"), 300)


@require_http_methods(["GET", "POST"])
def recipient_paper(request: HttpRequest, pk: int, recipient_id: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk, need=Need.RECORD_PAPER)
    recipient = Recipient.objects.filter(pk=recipient_id, document=document).select_related("unit").first()
    if recipient is None:
        raise Http404
    if request.method == "POST":
        form = PaperSentForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            done = attempt(form, lambda: actions.record_paper_sent(
                document=document, recipient_id=recipient.pk, acting=person, via=d["via"], sent_at=d["sent_at"],
                note=d["note"]))
            if done is not None:
                messages.success(request, _("Đã ghi nhận gửi bản giấy đến %(place)s.") % {"place": recipient})
                return redirect("document_detail", pk=document.pk)
    else:
        form = PaperSentForm(initial={"sent_at": timezone.localtime().replace(second=0, microsecond=0)})
    context = {"document": document, "form": form, "submit": _("Ghi nhận đã gửi"), "buttons": [],
               "title": _("Gửi bản giấy đến %(place)s") % {"place": recipient},
               "intro": _("Nơi nhận này không nhận được văn bản qua kênh điện tử. Ghi lại cách và thời điểm đã "
                          "gửi bản giấy; việc ghi nhận được lưu vào nhật ký.")}
    return render(request, "documents/form_page.html", context)
