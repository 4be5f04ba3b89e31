"""Signing pages.

Public PKI endpoints (no login, no CSRF — relying parties anywhere must reach them): the CA certificates,
CRLs, OCSP (RFC 6960: POST, and GET with the base64 request in the path) and the RFC 3161 TSA.

Admin pages (only people with the admin role; others get 404): certificates with owner, validity, status and
revocation reason; revoke, renew, import trust anchors, bind a certificate, upload signature and seal images.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person, Unit
from vanthu.org.second_factor import admin_step_up
from vanthu.signing import actions, backends, binding_actions, pki, queries, service_clients, tsa
from vanthu.signing.forms import (
    AnchorForm,
    ChangePassphraseForm,
    ImageForm,
    IssueForm,
    Pkcs11Form,
    Pkcs12Form,
    RemoteForm,
    RenewForm,
    RevokeForm,
    uploaded,
)
from vanthu.signing.models import Backend, Certificate, CertStatus

MAX_PKI_REQUEST = 64 * 1024  # OCSP and TSA requests are a few hundred bytes


def _binary(body: bytes, content_type: str, *, max_age: int = 0, filename: str = "") -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_not_required
@require_GET
def ca_certificate(request: HttpRequest, slug: str) -> HttpResponse:
    ca = queries.certificate_authority(slug)
    return _binary(bytes(ca.certificate_der), "application/pkix-cert", max_age=86400, filename=f"{slug}.crt")


@login_not_required
@require_GET
def crl(request: HttpRequest, slug: str) -> HttpResponse:
    ca = queries.certificate_authority(slug)
    return _binary(pki.crl_der(ca), "application/pkix-crl", max_age=300, filename=f"{slug}.crl")


def _ocsp_reply(request_der: bytes) -> HttpResponse:
    return _binary(pki.ocsp_response(request_der), "application/ocsp-response")


@login_not_required
@csrf_exempt
def ocsp(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.content_type != "application/ocsp-request" or len(request.body) > MAX_PKI_REQUEST:
        return HttpResponse(status=415 if len(request.body) <= MAX_PKI_REQUEST else 413)
    return _ocsp_reply(request.body)


@login_not_required
@require_GET
def ocsp_get(request: HttpRequest, encoded: str) -> HttpResponse:
    """RFC 6960 Appendix A.1: GET {url}/{url-encoding of base-64 encoding of the DER request}."""
    try:
        request_der = base64.b64decode(unquote(encoded), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Http404 from exc
    return _ocsp_reply(request_der)


@login_not_required
@csrf_exempt
def timestamp(request: HttpRequest) -> HttpResponse:
    """The time-stamp service, for registered clients only (service_clients.py: 401 without a token, 429 over
    the rate). The CA certificates, CRLs and OCSP stay public: relying parties need them."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    refused = service_clients.guard(request)
    if refused is not None:
        return refused
    if request.content_type != tsa.CONTENT_TYPE_QUERY:
        return HttpResponse(status=415)
    if len(request.body) > MAX_PKI_REQUEST:
        return HttpResponse(status=413)
    return _binary(tsa.respond(request.body), tsa.CONTENT_TYPE_REPLY)


# --- admin pages ------------------------------------------------------------------------------------------

def _admin(request: HttpRequest) -> Person:
    return queries.require_admin(getattr(request, "person", None))


def _refused_into(form: forms.Form, exc: ActionRefused) -> None:
    """Show an action's refusal on the form: on its field when the form has it, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _validity() -> dict[str, Any]:
    """What the status badges compare a certificate's end with: now (expired) and soon (expiring)."""
    now = timezone.now()
    return {"now": now, "soon": now + queries.EXPIRING_SOON}


def _owner_url(owner: Person | Unit) -> str:
    kind = "person" if isinstance(owner, Person) else "unit"
    return reverse("signing:owner", kwargs={"kind": kind, "pk": owner.pk})


@admin_step_up
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(queries.certificates(status=status, search=search), 50).get_page(request.GET.get("page"))
    return render(request, "signing/certificates.html", {
        "page": page, "status": status, "search": search, "validity": _validity(),
        "statuses": [*CertStatus.choices, (queries.EXPIRING, _("Sắp hết hạn (30 ngày), đã hết hạn"))],
        "expiring": queries.certificates(status=queries.EXPIRING).count(),
        "authorities": queries.own_authorities(), "tsa": queries.own_timestamp_authority(),
    })


def _certificate_page(request: HttpRequest, row: Certificate, *, revoke_form: forms.Form | None = None,
                      renew_form: forms.Form | None = None, status: int = 200) -> HttpResponse:
    return render(request, "signing/certificate.html", {
        "row": row, "owner_url": _owner_url(row.owner), "validity": _validity(),
        "credentials": row.credentials.all(),
        "revoke_form": revoke_form or RevokeForm(),
        "renew_form": renew_form or RenewForm(required=isinstance(row.owner, Person)),
        "renewable": row.issued_by_id is not None and row.status == CertStatus.ACTIVE,
    }, status=status)


@admin_step_up
@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _certificate_page(request, queries.access_certificate(_admin(request), pk))


@admin_step_up
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    person = _admin(request)
    row = queries.access_certificate(person, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            actions.revoke_certificate(certificate=row, reason=form.cleaned_data["reason"], acting=person)
        except ActionRefused as exc:
            _refused_into(form, exc)
        else:
            messages.success(request, _("Đã thu hồi chứng thư số."))
            return redirect("signing:certificate", pk=row.pk)
    return _certificate_page(request, row, revoke_form=form, status=400)


@admin_step_up
@require_POST
def certificate_renew(request: HttpRequest, pk: int) -> HttpResponse:
    person = _admin(request)
    row = queries.access_certificate(person, pk)
    form = RenewForm(request.POST, required=isinstance(row.owner, Person))
    if form.is_valid():
        try:
            credential = actions.renew_certificate(certificate=row, acting=person,
                                                   passphrase=form.cleaned_data["passphrase"] or None)
        except ActionRefused as exc:
            _refused_into(form, exc)
        else:
            messages.success(request, _("Đã cấp chứng thư số mới thay thế."))
            return redirect("signing:certificate", pk=credential.certificate_id)
    return _certificate_page(request, row, renew_form=form, status=400)


def _anchors_page(request: HttpRequest, form: forms.Form, *, status: int = 200) -> HttpResponse:
    return render(request, "signing/anchors.html", {
        "anchors": queries.trust_anchors(), "authorities": queries.own_authorities(), "form": form,
        "validity": _validity(),
    }, status=status)


@admin_step_up
def anchors(request: HttpRequest) -> HttpResponse:
    person = _admin(request)
    if request.method == "POST":
        form = AnchorForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                created = actions.import_trust_anchor(data=uploaded(form), name=form.cleaned_data["name"],
                                                      acting=person)
            except ActionRefused as exc:
                _refused_into(form, exc)
            else:
                messages.success(request, ngettext("Đã thêm %(n)d chứng thư CA vào danh sách tin cậy.",
                                                  "Đã thêm %(n)d chứng thư CA vào danh sách tin cậy.",
                                                  len(created)) % {"n": len(created)})
                return redirect("signing:anchors")
        return _anchors_page(request, form, status=400)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return _anchors_page(request, AnchorForm())


@admin_step_up
@require_POST
def anchor_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    person = _admin(request)
    anchor = queries.access_anchor(person, pk)
    actions.set_trust_anchor_enabled(anchor=anchor, enabled=not anchor.enabled, acting=person)
    messages.success(request, _("Đã cập nhật danh sách tin cậy."))
    return redirect("signing:anchors")


@admin_step_up
@require_GET
def owners(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "signing/owners.html", {**queries.owners_overview(), "validity": _validity()})


OWNER_FORMS = {
    "issue": IssueForm, "pkcs12": Pkcs12Form, "pkcs11": Pkcs11Form, "remote": RemoteForm, "image": ImageForm,
}


def _owner_page(request: HttpRequest, owner: Person | Unit, *, bound: dict[str, forms.Form] | None = None,
                status: int = 200) -> HttpResponse:
    is_person = isinstance(owner, Person)
    required = {"required": is_person}
    blank: dict[str, forms.Form] = {
        what: form_class(auto_id=f"{what}_%s", **(required if what in ("issue", "pkcs12") else {}))
        for what, form_class in OWNER_FORMS.items()
    }
    blank["image"].initial = {"width_mm": 35 if is_person else 38}
    blank.update(bound or {})
    info = backends.credential_info(owner)
    return render(request, "signing/owner.html", {
        "owner": owner, "is_person": is_person, "kind": "person" if is_person else "unit",
        "credentials": queries.credentials_of(owner), "certificates": queries.certificates_of(owner),
        "image": queries.image_of(owner), "info": info, "forms": blank,
        "backend_label": dict(Backend.choices).get(info.backend, ""), "validity": _validity(),
    }, status=status)


@admin_step_up
@require_GET
def owner_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _owner_page(request, queries.access_owner(_admin(request), kind, pk))


@admin_step_up
@require_GET
def owner_image(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    image = queries.image_of(queries.access_owner(_admin(request), kind, pk))
    if image is None:
        raise Http404
    response = HttpResponse(image.file.read_bytes(), content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    return response


@admin_step_up
@require_POST
def owner_action(request: HttpRequest, kind: str, pk: int, what: str) -> HttpResponse:
    person = _admin(request)
    owner = queries.access_owner(person, kind, pk)
    form_class = OWNER_FORMS.get(what)
    if form_class is None:
        raise Http404
    kwargs: dict[str, Any] = {"required": isinstance(owner, Person)} if what in ("issue", "pkcs12") else {}
    form = form_class(request.POST, request.FILES, auto_id=f"{what}_%s", **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if what == "issue":
                actions.issue_certificate(owner=owner, acting=person, algorithm=data["algorithm"],
                                          passphrase=data["passphrase"] or None)
                done = _("Đã cấp chứng thư số và khóa ký.")
            elif what == "pkcs12":
                binding_actions.bind_pkcs12(owner=owner, data=uploaded(form), password=data["password"],
                                            passphrase=data["passphrase"] or None, acting=person)
                done = _("Đã gắn chứng thư số từ tệp PKCS#12.")
            elif what == "pkcs11":
                certificate = data["certificate"]
                binding_actions.register_pkcs11_credential(
                    owner=owner, token_label=data["token_label"], key_label=data["key_label"],
                    key_id=data["key_id"].lower(), pin=data["pin"], acting=person,
                    certificate_data=bytes(certificate.read()) if certificate else None)
                done = _("Đã đăng ký thiết bị ký số.")
            elif what == "remote":
                binding_actions.bind_remote_certificate(owner=owner, data=uploaded(form),
                                                        service_url=data["service_url"],
                                                        credential_id=data["credential_id"], acting=person)
                done = _("Đã gắn chứng thư số ký từ xa.")
            else:
                actions.upload_signature_image(owner=owner, data=uploaded(form), width_mm=data["width_mm"],
                                               acting=person)
                done = _("Đã cập nhật hình chữ ký, con dấu.")
        except ActionRefused as exc:
            _refused_into(form, exc)
        else:
            messages.success(request, done)
            return redirect(_owner_url(owner))
    return _owner_page(request, owner, bound={what: form}, status=400)


@admin_step_up
@require_POST
def credential_default(request: HttpRequest, pk: int) -> HttpResponse:
    person = _admin(request)
    credential = queries.access_credential(person, pk)
    try:
        actions.set_default_credential(credential=credential, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đặt khóa ký mặc định."))
    return redirect(_owner_url(credential.owner))


def my_passphrase(request: HttpRequest) -> HttpResponse:
    """A signer changes the passphrase of their own server-held key (the old one is needed)."""
    person = getattr(request, "person", None)
    credential = backends.credential_of(person) if person else None
    if person is None or credential is None or credential.backend != Backend.SOFTWARE:
        raise Http404
    form = ChangePassphraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_passphrase(credential=credential, old=form.cleaned_data["old"],
                                      new=form.cleaned_data["passphrase"], acting=person)
        except ActionRefused as exc:
            _refused_into(form, exc)
        else:
            messages.success(request, _("Đã đổi mã PIN khóa ký."))
            return redirect("signing:my_passphrase")
    elif request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "signing/passphrase.html", {"form": form, "credential": credential},
                  status=400 if form.errors else 200)
