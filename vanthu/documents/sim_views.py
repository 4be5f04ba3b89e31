"""SIM-PKI on the signing page (checklist point 19): after "Gửi yêu cầu ký tới điện thoại" the page says it waits
for the confirmation on the signer's phone and polls (htmx, every 2 s) `document_sign_sim_status`, which answers
the same fragment while the job waits, the reason when the request ended without a signature, and sends the
browser to the document once it is signed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from vanthu.documents import access
from vanthu.documents.access import Need
from vanthu.documents.models import Status
from vanthu.org.views import require_person
from vanthu.signing import service as signing


def masked_phone(remote: Any) -> str:
    """The SIM's phone number with its middle hidden (0912***678), as the waiting message shows it."""
    phone = str(remote.credential.remote_credential_id) if remote is not None else ""
    return f"{phone[:4]}***{phone[-3:]}" if len(phone) > 7 else phone


def sim_context(credential: signing.CredentialInfo, remote: Any) -> dict[str, Any]:
    return {"sim": credential.backend == "sim", "sim_phone": masked_phone(remote)}


@require_GET
def document_sign_sim_status(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    document = access.access_document(person, pk)
    if document.status == Status.SIGNED and document.signer_id == person.pk:
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("document_detail", args=[document.pk])})
    document = access.access_document(person, pk, need=Need.SIGN)
    remote = document.remote_request
    return render(request, "documents/sign_remote.html#sim_status",
                  {"document": document, "remote": remote, "sim": True, "sim_phone": masked_phone(remote)})
