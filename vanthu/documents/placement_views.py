"""The preview of the final page on the signing and issuing pages, its images, and placing by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vanthu.core import files
from vanthu.core.errors import ActionRefused
from vanthu.documents import access, preview
from vanthu.documents.actions import placement as placing
from vanthu.documents.formatting import date_line
from vanthu.documents.models import Document, PagePreview, PreviewState
from vanthu.org.models import Person
from vanthu.org.views import require_person
from vanthu.signing.placement import ELEMENTS


class PlacementForm(forms.Form):
    element = forms.ChoiceField(label=gettext_lazy("Phần cần đặt"),
                                choices=[(e, gettext_lazy(preview.LABELS[e])) for e in ELEMENTS])
    page = forms.IntegerField(label=gettext_lazy("Trang"), min_value=1, max_value=9999)
    x = forms.FloatField(label=gettext_lazy("Cách mép trái (điểm PDF)"), min_value=-100000, max_value=100000)
    y = forms.FloatField(label=gettext_lazy("Cách mép dưới (điểm PDF)"), min_value=-100000, max_value=100000)


def _texts(document: Document) -> dict[str, str]:
    notation = document.notation or ""
    number = f"Số: {notation}" if document.number else "Số: …/" + notation.split("/")[-1] if notation else "Số: …"
    return {"number": number, "date": date_line(document.unit.place_name, timezone.localdate()),
            "signature": document.signer.rank_and_name if document.signer else "", "seal": document.unit.name}


def preview_context(person: Person, document: Document) -> dict[str, Any]:
    """What the preview section of the signing and issuing pages shows (nothing for a person who may place
    nothing). Asks the job for the preview when there is none yet."""
    elements = placing.elements_for(person, document)
    if not elements:
        return {}
    row = placing.preview_of(document)
    if row is None:
        return {}
    row.refresh_from_db()
    context: dict[str, Any] = {"preview": row, "place_elements": elements, "place_url": reverse(
        "document_place", args=[document.pk])}
    if row.state == PreviewState.READY:
        positions = placing.current_positions(document)
        context["preview_pages"] = preview.pages(row.layout, row.images, positions, _texts(document))
        context["preview_doubts"] = preview.doubts(row.layout, positions)
        context["placement_form"] = PlacementForm(initial={"element": elements[0], "page": 1})
    return context


@require_GET
def preview_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled while the preview is rendered: the same notice while pending, then the preview."""
    person = require_person(request)
    document = access.access_document(person, pk)
    context = preview_context(person, document)
    if not context:
        raise Http404
    return render(request, "documents/_preview.html", {"document": document, **context})


@require_GET
def preview_image(request: HttpRequest, pk: int, sha256: str) -> HttpResponseBase:
    """A rendered page of the document's current file (only images of its own previews)."""
    person = require_person(request)
    document = access.access_document(person, pk)
    rows = PagePreview.objects.filter(file_id=document.current_file_id, state=PreviewState.READY)
    if not any(sha256 in row.images.values() for row in rows):
        raise Http404
    try:
        data = files.open_file(sha256).read()
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=preview.PNG)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store" if document.secrecy else "private, max-age=3600"
    return response


@require_POST
def document_place(request: HttpRequest, pk: int) -> HttpResponse:
    """Place one element by hand (a click or drag on the preview, or the numbers typed)."""
    person = require_person(request)
    document = access.access_document(person, pk)
    if not placing.elements_for(person, document):
        raise Http404
    back = reverse("document_sign" if access.can_sign(person, document) else "document_issue", args=[document.pk])
    form = PlacementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vị trí không hợp lệ: %(errors)s") % {
            "errors": "; ".join(f"{form.fields[k].label}: {' '.join(str(e) for e in v)}"
                                for k, v in form.errors.items() if k in form.fields)})
        return redirect(back + "#preview")
    d = form.cleaned_data
    try:
        placing.place_element(document=document, acting=person, element=d["element"], page=d["page"] - 1,
                              x=d["x"], y=d["y"])
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đặt %(element)s vào vị trí đã chọn.") % {
            "element": preview.label(d["element"]).lower()})
    return redirect(back + "#preview")
