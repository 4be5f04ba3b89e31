"""Writes to a person's second factor (decision 0020): enrol a TOTP device, confirm it, remove it; the reset by
an administrator of the person's unit, with a recorded reason."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.actors import SystemActor
from vanthu.core.errors import ActionRefused
from vanthu.org import security_keys
from vanthu.org.access import Actor, require_admin_of
from vanthu.org.models import Person, SecurityKey
from vanthu.org.second_factor import clean_code
from vanthu.org.signals import announce

DEVICE_NAME_MAX = 64


@action("org.second_factor.enrolment_started")
def start_totp(*, acting: Person) -> TOTPDevice:
    """A new, unconfirmed device for the person (the QR code shows its secret); an earlier unconfirmed one is
    replaced. It counts only once confirmed with a code from the phone."""
    TOTPDevice.objects.filter(user_id=acting.user_id, confirmed=False).delete()
    device = TOTPDevice.objects.create(user_id=acting.user_id, name=_("Ứng dụng xác thực"), confirmed=False)
    log.record(actor=acting, verb="org.second_factor.enrolment_started", target=acting, unit=acting.unit,
               data={"device": device.pk})
    return device


def pending_totp(person: Person) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=person.user_id, confirmed=False).order_by("-pk").first()


@action("org.second_factor.enrolled")
def confirm_totp(*, acting: Person, otp: str | None, name: str = "") -> TOTPDevice:
    """The person types the code their phone shows for the new device: from then on it is their second factor."""
    device = pending_totp(acting)
    if device is None:
        raise ActionRefused(_("Chưa có thiết bị đang đăng ký. Hãy bắt đầu lại."), code="no_pending_device")
    token = clean_code(otp)
    if not token:
        raise ActionRefused(_("Hãy nhập mã xác thực (6 chữ số trên ứng dụng xác thực)."), code="otp_required",
                            field="otp")
    if not device.verify_token(token):
        raise ActionRefused(_("Mã xác thực không đúng. Hãy quét lại mã QR và nhập mã đang hiện."),
                            code="otp_wrong", field="otp")
    device.confirmed = True
    if name.strip():
        device.name = name.strip()[:DEVICE_NAME_MAX]
    device.save(update_fields=["confirmed", "name"])
    event = log.record(actor=acting, verb="org.second_factor.enrolled", target=acting, unit=acting.unit,
                       data={"device": device.pk, "name": device.name})
    announce(event, person=acting, detail=device.name)
    return device


@action("org.second_factor.removed")
def remove_device(*, device_id: int, acting: Person) -> None:
    """The person removes one of their own devices (another's is not found)."""
    device = TOTPDevice.objects.filter(pk=device_id, user_id=acting.user_id).first()
    if device is None:
        raise ActionRefused(_("Không tìm thấy thiết bị."), code="not_found", status=404)
    device.delete()
    event = log.record(actor=acting, verb="org.second_factor.removed", target=acting, unit=acting.unit,
                       data={"device": device_id, "name": device.name})
    announce(event, person=acting, detail=device.name)


@action("org.second_factor.reset")
def reset_second_factor(*, person: Person, acting: Actor, reason: str) -> int:
    """An administrator of the person's unit (or of a unit above it) removes all the person's devices, e.g. a
    lost phone; the person enrols again at the next signature. The reason is required and kept in the audit."""
    require_admin_of(acting, person.unit, target=person)
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("Hãy ghi lý do đặt lại xác thực hai lớp."), code="reason_required", field="reason",
                            target=person)
    removed, _by_model = TOTPDevice.objects.filter(user_id=person.user_id).delete()
    keys, _by_model = SecurityKey.objects.filter(person=person).delete()
    removed += keys
    event = log.record(actor=acting, verb="org.second_factor.reset", target=person, unit=person.unit,
                       data={"reason": reason, "devices": removed})
    announce(event, person=person, detail=reason)
    return removed


@action("org.second_factor.demo_enrolled")
def enrol_fixed_totp(*, person: Person, key: str, acting: SystemActor) -> TOTPDevice:
    """A confirmed device with a given secret, for the demo and test characters (a system actor only: the demo
    builder, fixtures). Its secret is public (`second_factor.demo_key`), so never for a real person."""
    if not isinstance(acting, SystemActor):
        raise ActionRefused(_("Chỉ chương trình dựng dữ liệu mẫu được đăng ký khóa cố định."), code="forbidden",
                            status=403)
    device = TOTPDevice.objects.create(user_id=person.user_id, name=_("Ứng dụng xác thực (dữ liệu mẫu)"),
                                       key=key, confirmed=True)
    log.record(actor=acting, verb="org.second_factor.demo_enrolled", target=person, unit=person.unit,
               data={"device": device.pk})
    return device


@action("org.second_factor.key_enrolled")
def enrol_security_key(*, acting: Person, response: str, name: str = "") -> SecurityKey:
    """A WebAuthn security key, from the browser's answer to the registration options issued to the person."""
    credential_id, public_key, sign_count = security_keys.verify_registration(acting, response)
    if SecurityKey.objects.filter(credential_id=credential_id).exists():
        raise ActionRefused(_("Khóa bảo mật này đã được đăng ký."), code="webauthn_duplicate")
    key = SecurityKey.objects.create(person=acting, name=name.strip()[:DEVICE_NAME_MAX] or _("Khóa bảo mật"),
                                     credential_id=credential_id, public_key=public_key, sign_count=sign_count)
    event = log.record(actor=acting, verb="org.second_factor.key_enrolled", target=acting, unit=acting.unit,
                       data={"key": key.pk, "name": key.name})
    announce(event, person=acting, detail=key.name)
    return key


@action("org.second_factor.key_removed")
def remove_security_key(*, key_id: int, acting: Person) -> None:
    key = SecurityKey.objects.filter(pk=key_id, person=acting).first()
    if key is None:
        raise ActionRefused(_("Không tìm thấy thiết bị."), code="not_found", status=404)
    key.delete()
    event = log.record(actor=acting, verb="org.second_factor.key_removed", target=acting, unit=acting.unit,
                       data={"key": key_id, "name": key.name})
    announce(event, person=acting, detail=key.name)
