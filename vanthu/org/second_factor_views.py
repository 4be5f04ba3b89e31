"""Pages of the second factor (decision 0020): the person's devices (enrol with a QR code, remove), the code
page of the step-up, and an administrator's reset of a person of their unit."""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.core.errors import ActionRefused
from vanthu.org import second_factor, security_keys
from vanthu.org.access import can_administer
from vanthu.org.models import Person
from vanthu.org.second_factor_actions import (
    confirm_totp,
    enrol_security_key,
    pending_totp,
    remove_device,
    remove_security_key,
    reset_second_factor,
    start_totp,
)
from vanthu.org.views import require_person


def _otp_field() -> forms.CharField:
    return forms.CharField(label=gettext_lazy("Mã xác thực"), max_length=second_factor.OTP_MAX,  # or a key answer
                           help_text=gettext_lazy("6 chữ số trên ứng dụng xác thực của đồng chí."),
                           error_messages={"required": gettext_lazy("Hãy nhập mã xác thực.")},
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True, "size": 8}))


class CodeForm(forms.Form):
    otp = _otp_field()


class EnrolForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên thiết bị"), max_length=64, required=False,
                           help_text=gettext_lazy("Ví dụ: điện thoại công tác."))
    otp = _otp_field()


class ResetForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=500,
                             error_messages={"required": gettext_lazy("Hãy ghi lý do đặt lại xác thực hai lớp.")},
                             widget=forms.Textarea(attrs={"rows": 3}))


def _refused_into(form: forms.Form, exc: ActionRefused) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _needs_proof(request: HttpRequest, person: Person) -> bool:
    """Changing the devices of an enrolled person needs a fresh code first (a stolen session cannot swap them)."""
    return second_factor.is_enrolled(person) and not second_factor.stepped_up(request)


@require_GET
def devices(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    return render(request, "org/second_factor.html", {
        "devices": second_factor.devices_of(person), "keys": list(person.security_keys.all())})


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """The QR code of a new device and the code that confirms it."""
    person = require_person(request)
    if _needs_proof(request, person):
        return redirect(second_factor.verify_url(request))
    device = pending_totp(person)
    if device is None or request.GET.get("new"):
        device = start_totp(acting=person)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirm_totp(acting=person, otp=form.cleaned_data["otp"], name=form.cleaned_data["name"])
        except ActionRefused as exc:
            _refused_into(form, exc)
        else:
            second_factor.mark_verified(request)
            messages.success(request, _("Đã đăng ký thiết bị xác thực hai lớp."))
            return redirect(_next(request) or "second_factor")
    return render(request, "org/second_factor_enrol.html",
                  {"form": form, "secret": _base32(device.bin_key), "next": _next(request)},
                  status=400 if form.errors else 200)


def _base32(key: bytes) -> str:
    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@require_GET
def enrol_qr(request: HttpRequest) -> HttpResponse:
    """The QR code (SVG) of the person's device being enrolled: an otpauth:// URL with its secret."""
    person = require_person(request)
    device = pending_totp(person)
    if device is None:
        raise Http404
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml",
                        headers={"Cache-Control": "no-store"})


@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    if _needs_proof(request, person):
        return redirect(second_factor.verify_url(request))
    try:
        remove_device(device_id=pk, acting=person)
    except ActionRefused as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gỡ thiết bị xác thực."))
    return redirect("second_factor")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code page of the step-up (and of the login when VANTHU_2FA_ALL_LOGINS is on)."""
    person = require_person(request)
    if not second_factor.is_enrolled(person):
        messages.warning(request, _("Việc này cần xác thực hai lớp. Hãy đăng ký thiết bị xác thực trước."))
        target = _next(request)
        return redirect(reverse("second_factor_enrol") + (f"?{urlencode({'next': target})}" if target else ""))
    form = CodeForm(request.POST or None)
    has_keys = person.security_keys.exists()
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify(person, form.cleaned_data["otp"])
        except ActionRefused as exc:
            _refused_into(form, exc)
        else:
            second_factor.mark_verified(request)
            return redirect(_next(request) or "inbox")
    return render(request, "org/second_factor_verify.html", {"form": form, "next": _next(request),
                                                             "has_keys": has_keys},
                  status=400 if form.errors else 200)


@second_factor.admin_step_up
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator of the person's unit resets their second factor, giving the reason (404 for others)."""
    acting = require_person(request)
    person = get_object_or_404(Person.objects.select_related("unit"), pk=pk)
    if not can_administer(acting, person.unit):
        raise Http404
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            removed = reset_second_factor(person=person, acting=acting, reason=form.cleaned_data["reason"])
        except ActionRefused as exc:
            _refused_into(form, exc)
        else:
            messages.success(request, _("Đã đặt lại xác thực hai lớp của %(name)s (%(n)s thiết bị).")
                             % {"name": person.full_name, "n": removed})
            return redirect("second_factor_reset", pk=person.pk)
    context: dict[str, Any] = {"form": form, "subject": person,
                               "devices": second_factor.devices_of(person)}
    return render(request, "org/second_factor_reset.html", context, status=400 if form.errors else 200)


# --- WebAuthn security keys: the JSON the static script (static/js/security-key.js) exchanges --------------------


@require_POST
def key_registration_options(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    if _needs_proof(request, person):
        return JsonResponse({"error": _("Hãy nhập mã xác thực trước khi thêm thiết bị.")}, status=403)
    return HttpResponse(security_keys.registration_options(person), content_type="application/json")


@require_POST
def key_register(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    if _needs_proof(request, person):
        return JsonResponse({"error": _("Hãy nhập mã xác thực trước khi thêm thiết bị.")}, status=403)
    try:
        key = enrol_security_key(acting=person, response=request.POST.get("response", ""),
                                 name=request.POST.get("name", ""))
    except ActionRefused as exc:
        return JsonResponse({"error": exc.message}, status=400)
    second_factor.mark_verified(request)
    messages.success(request, _("Đã đăng ký khóa bảo mật."))
    return JsonResponse({"id": key.pk, "name": key.name}, status=201)


@require_POST
def key_assertion_options(request: HttpRequest) -> HttpResponse:
    """A challenge for the person's security keys: its answer goes in the `otp` field of the form it serves."""
    person = require_person(request)
    if not person.security_keys.exists():
        raise Http404
    return HttpResponse(security_keys.assertion_options(person), content_type="application/json")


@require_POST
def key_remove(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    if _needs_proof(request, person):
        return redirect(second_factor.verify_url(request))
    try:
        remove_security_key(key_id=pk, acting=person)
    except ActionRefused as exc:
        raise Http404 from exc
    messages.success(request, _("Đã gỡ thiết bị xác thực."))
    return redirect("second_factor")
