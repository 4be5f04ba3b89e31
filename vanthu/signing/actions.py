"""Writes of the signing app: vanthu's CA, certificates and keys, trust anchors, images, remote requests
(binding a certificate issued elsewhere: binding_actions.py; what the actions share: actions_common.py).

Every function is one `@action` (one transaction, audit on success, audited refusal). `acting` is the person
doing it, or a `SystemActor` (`vanthu pki …` run by the operator on the server, fixtures), audited under its
name; nobody (None) is refused. The administration (vanthu's CA, certificates and keys, the trust store) is
for an admin of a top unit (`org.access.can_administer_all`; the pages ask the same); a person may also
change their own key's passphrase and upload their own signature image. The remote-signing steps check no
right here: the documents action that starts them does.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from cryptography import x509
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core import files, lockout
from vanthu.core.actions import action
from vanthu.org.access import Actor, can_administer_all, person_or_none
from vanthu.org.models import Person, Unit
from vanthu.signing import backends, keystore, pki, rights
from vanthu.signing.actions_common import (
    add_credential,
    certificate_row,
    check_new_passphrase,
    check_owner_active,
    owner_field,
    require_admin,
    unit_of,
)
from vanthu.signing.keystore import PrivateKey
from vanthu.signing.models import (
    Backend,
    CaRole,
    Certificate,
    CertificateAuthority,
    CertSource,
    CertStatus,
    KeyCredential,
    RemoteSigningRequest,
    RemoteState,
    RevocationReason,
    SignatureImage,
    TimestampAuthority,
    TrustAnchor,
)
from vanthu.signing.types import SigningRefused

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_PIXELS = (60, 4000)  # smallest and largest side, in pixels
SIGNATURE_MM = (15, 80)  # width of a handwritten signature image
SEAL_MM = (25, 60)  # diameter (width) of a seal image: real seals are 30–45 mm


# --- helpers ----------------------------------------------------------------------------------------------

def _issuing_ca() -> CertificateAuthority:
    ca = CertificateAuthority.objects.filter(role=CaRole.ISSUING, is_active=True).select_related("parent").first()
    if ca is None:
        raise SigningRefused(_("CA của hệ thống chưa được khởi tạo (vanthu pki init)."), code="no_ca")
    return ca


def _retire_credentials(certificate: Certificate) -> None:
    certificate.credentials.update(is_active=False, is_default=False)


# --- vanthu's own CA --------------------------------------------------------------------------------------

@action("signing.ca.initialised")
def init_ca(*, acting: Actor, organisation: str = "", algorithm: str = "rsa",
            valid_from: dt.datetime | None = None) -> CertificateAuthority:
    """Create vanthu's root CA, its issuing CA and the built-in TSA. Returns the issuing CA.

    `organisation` goes in O= of the CA names (default: the top unit's name). Keys are kept under the
    server key (keystore). Refused when the CA already exists.
    """
    require_admin(acting)
    if algorithm not in ("rsa", "ecdsa"):
        raise SigningRefused(_("Thuật toán khóa phải là RSA hoặc ECDSA."), code="bad_algorithm", field="algorithm")
    if CertificateAuthority.objects.exists():
        raise SigningRefused(_("CA của hệ thống đã được khởi tạo."), code="ca_exists")
    if not organisation:
        top = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
        organisation = top.name if top is not None else "vanthu"
    start = valid_from or timezone.now() - pki.CLOCK_SKEW

    def store(*, slug: str, role: str, parent: CertificateAuthority | None, name: str, key: PrivateKey,
              cert: x509.Certificate) -> CertificateAuthority:
        return CertificateAuthority.objects.create(
            slug=slug, role=role, parent=parent, name=name, certificate_der=pki.der(cert),
            key_encrypted=keystore.lock(key, passphrase=None), key_algorithm=algorithm,
            fingerprint=pki.fingerprint(cert), not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc)

    root_name = _("CA gốc %(org)s") % {"org": organisation}
    root_key = pki.generate_key(algorithm)
    root_cert = pki.build_ca(subject=pki.ca_subject(root_name, organisation), key=root_key, issuer=None,
                             not_before=start, path_length=1)
    root = store(slug="root", role=CaRole.ROOT, parent=None, name=root_name[:200], key=root_key, cert=root_cert)

    issuing_name = _("CA cấp chứng thư %(org)s") % {"org": organisation}
    issuing_key = pki.generate_key(algorithm)
    issuing_cert = pki.build_ca(subject=pki.ca_subject(issuing_name, organisation), key=issuing_key,
                                issuer=pki.Issuer(root_cert, root_key, root.slug), not_before=start, path_length=0)
    issuing = store(slug="issuing", role=CaRole.ISSUING, parent=root, name=issuing_name[:200], key=issuing_key,
                    cert=issuing_cert)

    tsa_name = _("Dịch vụ cấp dấu thời gian %(org)s") % {"org": organisation}
    tsa_key = pki.generate_key(algorithm)
    tsa_cert = pki.build_end_entity(subject=pki.ca_subject(tsa_name, organisation), public_key=tsa_key.public_key(),
                                    issuer=pki.Issuer(issuing_cert, issuing_key, issuing.slug), purpose="tsa",
                                    not_before=start)
    TimestampAuthority.objects.create(
        issuer=issuing, name=tsa_name[:200], certificate_der=pki.der(tsa_cert),
        key_encrypted=keystore.lock(tsa_key, passphrase=None), serial=pki.serial_hex(tsa_cert),
        not_before=tsa_cert.not_valid_before_utc, not_after=tsa_cert.not_valid_after_utc)
    log.record(actor=acting, verb="signing.ca.initialised", target=issuing,
               data={"organisation": organisation, "algorithm": algorithm, "root": root.fingerprint,
                     "issuing": issuing.fingerprint})
    return issuing


# --- certificates and keys --------------------------------------------------------------------------------

def _issue(*, owner: Person | Unit, public_key: Any, ca: CertificateAuthority, valid_from: dt.datetime | None,
           days: int | None, purpose: str = "signing") -> tuple[x509.Certificate, list[x509.Certificate]]:
    subject = pki.person_subject(owner) if isinstance(owner, Person) else pki.unit_subject(owner)
    cert = pki.build_end_entity(subject=subject, public_key=public_key, issuer=pki.issuer_of(ca), purpose=purpose,
                                not_before=valid_from, days=days)
    return cert, pki.own_chain(ca)


@action("signing.certificate.issued")
def issue_certificate(*, owner: Person | Unit, acting: Actor, passphrase: str | None,
                      algorithm: str = "", valid_from: dt.datetime | None = None, days: int | None = None,
                      make_default: bool = True, purpose: str = "signing",
                      key: PrivateKey | None = None) -> KeyCredential:
    """Issue a certificate from vanthu's CA to a person (personal signature) or a unit (organisation seal),
    with a new server-held key encrypted under `passphrase` (None: under the server key, no passphrase at
    signing — acceptable for a unit's seal used by its clerk, not for a person).

    `valid_from`/`days` override the default window (2 years from now); `purpose="bare"` issues without
    keyUsage (tests of refusals only); `key` certifies a key made beforehand (of `algorithm`) instead of a
    new one (fixtures keep a pool: RSA key generation costs ~70 ms). `algorithm` "" = the issuing CA's.
    """
    require_admin(acting)
    check_owner_active(owner)
    check_new_passphrase(passphrase, required=False)
    ca = _issuing_ca()
    algorithm = algorithm or ca.key_algorithm
    if algorithm not in ("rsa", "ecdsa"):
        raise SigningRefused(_("Thuật toán khóa phải là RSA hoặc ECDSA."), code="bad_algorithm", field="algorithm")
    if key is None:
        key = pki.generate_key(algorithm)
    elif pki.key_algorithm(key) != algorithm:
        raise SigningRefused(_("Khóa không đúng thuật toán đã chọn."), code="bad_algorithm", field="algorithm")
    cert, chain = _issue(owner=owner, public_key=key.public_key(), ca=ca, valid_from=valid_from, days=days,
                         purpose=purpose)
    row = certificate_row(cert, owner=owner, chain=chain, source=CertSource.ISSUED)
    credential = add_credential(owner=owner, certificate=row, backend=Backend.SOFTWARE, make_default=make_default,
                                 key_encrypted=keystore.lock(key, passphrase=passphrase or None))
    rights.record(acting=acting, verb="signing.certificate.issued", row=row, owner=owner,
                  data={"owner": pki.owner_label(owner), "serial": row.serial, "algorithm": algorithm,
                        "not_after": row.not_after.isoformat(), "passphrase": passphrase is not None})
    return credential


@action("signing.certificate.revoked")
def revoke_certificate(*, certificate: Certificate, reason: str, acting: Actor) -> Certificate:
    """Revoke a certificate: from now on it appears in its CA's CRL and OCSP answers `revoked` (for
    certificates issued by vanthu), and no one can sign with it in vanthu."""
    require_admin(acting)
    if reason not in RevocationReason.values:
        raise SigningRefused(_("Cần chọn lý do thu hồi."), code="reason_required", field="reason")
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status == CertStatus.REVOKED:
        raise SigningRefused(_("Chứng thư số này đã bị thu hồi trước đó."), code="already_revoked",
                             target=locked)
    locked.status = CertStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason
    locked.save(update_fields=["status", "revoked_at", "revocation_reason"])
    _retire_credentials(locked)
    rights.record(acting=acting, verb="signing.certificate.revoked", row=locked, owner=locked.owner,
                  data={"serial": locked.serial, "reason": reason})
    return locked


@action("signing.certificate.renewed")
def renew_certificate(*, certificate: Certificate, passphrase: str | None, acting: Actor,
                      days: int | None = None) -> KeyCredential:
    """A new key and certificate from vanthu's CA for the same owner and algorithm; the old certificate
    becomes `superseded` (not revoked: what was signed with it stays valid) and its keys are retired."""
    require_admin(acting)
    locked = Certificate.objects.select_for_update(of=("self",)).select_related("person", "unit").get(
        pk=certificate.pk)
    if locked.issued_by_id is None:
        raise SigningRefused(_("Chứng thư số này do tổ chức khác cấp: hãy gia hạn tại tổ chức đó rồi gắn chứng "
                               "thư mới."), code="not_ours", target=locked)
    if locked.status != CertStatus.ACTIVE:
        raise SigningRefused(_("Chỉ gia hạn được chứng thư số đang hiệu lực."), code="not_active", target=locked)
    owner = locked.owner
    check_owner_active(owner)
    check_new_passphrase(passphrase, required=False)
    key = pki.generate_key(locked.key_algorithm)
    cert, chain = _issue(owner=owner, public_key=key.public_key(), ca=_issuing_ca(), valid_from=None, days=days)
    row = certificate_row(cert, owner=owner, chain=chain, source=CertSource.ISSUED, renewed_from=locked)
    locked.status = CertStatus.SUPERSEDED
    locked.save(update_fields=["status"])
    _retire_credentials(locked)
    credential = add_credential(owner=owner, certificate=row, backend=Backend.SOFTWARE, make_default=True,
                                 key_encrypted=keystore.lock(key, passphrase=passphrase or None))
    rights.record(acting=acting, verb="signing.certificate.renewed", row=row, owner=owner,
                  data={"old_serial": locked.serial, "serial": row.serial, "not_after": row.not_after.isoformat()})
    return credential


@action("signing.passphrase.changed")
def change_passphrase(*, credential: KeyCredential, old: str | None, new: str, acting: Actor) -> None:
    """Change the passphrase of a server-held key (the owner types the old one)."""
    if credential.backend != Backend.SOFTWARE or credential.key_encrypted is None:
        raise SigningRefused(_("Khóa này không lưu trên máy chủ."), code="not_software")
    own = isinstance(acting, Person) and credential.person_id == acting.pk
    if not own and not can_administer_all(acting):
        raise SigningRefused(_("Không đổi được mã PIN khóa ký của người khác."), code="forbidden", status=403)
    check_new_passphrase(new, required=True)
    blob = bytes(credential.key_encrypted)
    if keystore.needs_passphrase(blob):
        backends.require_unlocked(credential)
    try:
        credential.key_encrypted = keystore.relock(blob, old=old if keystore.needs_passphrase(blob) else None,
                                                   new=new)
    except keystore.WrongSecret as exc:
        raise SigningRefused(_("Mã PIN khóa ký hiện tại không đúng."), code="wrong_secret", field="old",
                             target=credential, lockout_key=backends.lockout_key(credential)) from exc
    lockout.succeeded(backends.lockout_key(credential))
    credential.save(update_fields=["key_encrypted"])
    log.record(actor=acting, verb="signing.passphrase.changed", target=credential,
               unit=unit_of(credential.owner))


@action("signing.credential.default_set")
def set_default_credential(*, credential: KeyCredential, acting: Actor) -> KeyCredential:
    require_admin(acting)
    if not credential.is_active:
        raise SigningRefused(_("Khóa ký này đã ngừng sử dụng."), code="inactive", target=credential)
    owner = credential.owner
    KeyCredential.objects.filter(**owner_field(owner), is_default=True).exclude(pk=credential.pk).update(
        is_default=False)
    credential.is_default = True
    credential.save(update_fields=["is_default"])
    log.record(actor=acting, verb="signing.credential.default_set", target=credential, unit=unit_of(owner),
               data={"backend": credential.backend})
    return credential


# --- trust store ------------------------------------------------------------------------------------------

@action("signing.anchor.imported")
def import_trust_anchor(*, data: bytes, acting: Actor, name: str = "") -> list[TrustAnchor]:
    """Import CA certificates (PEM with one or more, or DER) into the trust store. Self-signed ones become
    trusted roots; the others are intermediates for path building."""
    require_admin(acting)
    certs = pki.parse_certificates(data)
    created: list[TrustAnchor] = []
    now = timezone.now()
    for cert in certs:
        label = pki.common_name(cert.subject)
        if not pki.is_ca(cert):
            raise SigningRefused(_("“%(cn)s” không phải chứng thư của tổ chức cấp chứng thư số (CA).")
                                 % {"cn": label}, code="not_ca", field="file")
        if cert.not_valid_after_utc < now:
            raise SigningRefused(_("Chứng thư CA “%(cn)s” đã hết hạn ngày %(day)s.")
                                 % {"cn": label, "day": pki.local_date(cert.not_valid_after_utc)},
                                 code="certificate_expired", field="file")
        if TrustAnchor.objects.filter(fingerprint=pki.fingerprint(cert)).exists():
            raise SigningRefused(_("Chứng thư CA “%(cn)s” đã có trong danh sách tin cậy.") % {"cn": label},
                                 code="duplicate_anchor", field="file")
        try:
            with transaction.atomic():
                anchor = TrustAnchor.objects.create(
                    name=(name if name and len(certs) == 1 else label)[:200], certificate_der=pki.der(cert),
                    fingerprint=pki.fingerprint(cert), subject=cert.subject.rfc4514_string()[:500],
                    is_root=pki.is_self_signed(cert), not_before=cert.not_valid_before_utc,
                    not_after=cert.not_valid_after_utc, added_by=person_or_none(acting))
        except IntegrityError as exc:  # the same certificate twice in one file
            raise SigningRefused(_("Chứng thư CA “%(cn)s” đã có trong danh sách tin cậy.") % {"cn": label},
                                 code="duplicate_anchor", field="file") from exc
        created.append(anchor)
        log.record(actor=acting, verb="signing.anchor.imported", target=anchor,
                   data={"name": anchor.name, "fingerprint": anchor.fingerprint, "root": anchor.is_root})
    return created


@action("signing.anchor.changed")
def set_trust_anchor_enabled(*, anchor: TrustAnchor, enabled: bool, acting: Actor) -> TrustAnchor:
    require_admin(acting)
    anchor.enabled = enabled
    anchor.save(update_fields=["enabled"])
    log.record(actor=acting, verb="signing.anchor.changed", target=anchor, data={"enabled": enabled})
    return anchor


# --- signature and seal images ----------------------------------------------------------------------------

def _check_image(data: bytes, *, seal: bool) -> tuple[int, int]:
    """Pixel size of a valid image: PNG, transparent background, blue ink (signature) or red (seal)."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise SigningRefused(_("Tệp hình quá lớn (tối đa 2 MB)."), code="image_too_large", field="file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
        if kind != "PNG":
            raise SigningRefused(_("Hình phải là tệp PNG có nền trong suốt."), code="image_not_png", field="file")
        if not (IMAGE_PIXELS[0] <= min(width, height) and max(width, height) <= IMAGE_PIXELS[1]):
            raise SigningRefused(_("Kích thước hình phải từ %(a)d đến %(b)d điểm ảnh mỗi chiều.")
                                 % {"a": IMAGE_PIXELS[0], "b": IMAGE_PIXELS[1]}, code="image_size", field="file")
        with Image.open(io.BytesIO(data)) as image:
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise SigningRefused(_("Không đọc được tệp hình (cần PNG)."), code="image_unreadable",
                             field="file") from exc
    alpha = rgba.getchannel("A")
    low, _high = alpha.getextrema()
    if low != 0:
        raise SigningRefused(_("Hình phải có nền trong suốt (PNG có kênh alpha)."), code="image_not_transparent",
                             field="file")
    mask = alpha.point(lambda a: 255 if a >= 128 else 0)
    if mask.getbbox() is None:
        raise SigningRefused(_("Hình trống: không có nét nào."), code="image_empty", field="file")
    red, green, blue = (rgba.getchannel(c) for c in "RGB")
    counted = max(1, sum(mask.histogram()[255:]))
    mean = [sum(i * n for i, n in enumerate(ch.histogram(mask))) / counted for ch in (red, green, blue)]
    if seal and not (mean[0] > mean[1] + 40 and mean[0] > mean[2] + 40):
        raise SigningRefused(_("Hình con dấu phải màu đỏ."), code="image_colour", field="file")
    if not seal and not (mean[2] > mean[0] + 30 and mean[2] >= mean[1]):
        raise SigningRefused(_("Hình chữ ký phải màu xanh (mực xanh)."), code="image_colour", field="file")
    return width, height


@action("signing.image.uploaded")
def upload_signature_image(*, owner: Person | Unit, data: bytes, width_mm: Decimal | float | int,
                           acting: Actor) -> SignatureImage:
    """Set a person's signature image (blue) or a unit's seal image (red, real size) — transparent PNGs.
    `width_mm` is the printed width; the height follows the image's proportions."""
    seal = isinstance(owner, Unit)
    own = not seal and isinstance(acting, Person) and owner.pk == acting.pk
    if not own and not can_administer_all(acting):
        raise SigningRefused(_("Chỉ quản trị hoặc chính người ký được thay hình chữ ký."), code="forbidden",
                             status=403)
    low, high = SEAL_MM if seal else SIGNATURE_MM
    width = Decimal(str(width_mm)).quantize(Decimal("0.1"))
    if not (low <= width <= high):
        raise SigningRefused(_("Chiều rộng hình phải từ %(a)d đến %(b)d mm.") % {"a": low, "b": high},
                             code="image_mm", field="width_mm")
    pixels_w, pixels_h = _check_image(data, seal=seal)
    height = (width * pixels_h / pixels_w).quantize(Decimal("0.1"))
    stored = files.store_bytes(data, content_type="image/png")
    image, _created = SignatureImage.objects.update_or_create(
        **owner_field(owner), defaults={"file": stored, "width_mm": width, "height_mm": height,
                                         "uploaded_by": person_or_none(acting)})
    log.record(actor=acting, verb="signing.image.uploaded", target=image, unit=unit_of(owner),
               data={"owner": pki.owner_label(owner), "sha256": stored.sha256, "width_mm": str(width)})
    return image


# --- remote ("interrupted") signing -----------------------------------------------------------------------

@action("signing.remote.requested")
def begin_remote_signing(*, owner: Person | Unit, digest: bytes, acting: Person | None, prepared: bytes = b"",
                         context: dict[str, Any] | None = None, digest_algorithm: str = "sha256",
                         ttl: dt.timedelta = dt.timedelta(minutes=5)) -> RemoteSigningRequest:
    """Store the digest an external signer must sign for `owner`'s remote credential (see backends)."""
    credential = backends.credential_of(owner)
    if credential is None or credential.backend not in (Backend.REMOTE, Backend.SIM):
        raise SigningRefused(_("%(who)s không dùng ký số từ xa.") % {"who": pki.owner_label(owner)},
                             code="not_remote")
    pki.check_certificate(pki.load(credential.certificate.der), owner=owner, row=credential.certificate)
    if digest_algorithm not in backends.HASHES or len(digest) != backends.HASHES[digest_algorithm].digest_size:
        raise SigningRefused(_("Giá trị băm không hợp lệ."), code="bad_digest")
    request = RemoteSigningRequest.objects.create(
        credential=credential, digest=digest, digest_algorithm=digest_algorithm, prepared=prepared,
        context=context or {}, requested_by=acting, expires_at=timezone.now() + ttl)
    log.record(actor=acting, verb="signing.remote.requested", target=request, unit=unit_of(owner),
               data={"owner": pki.owner_label(owner), "digest": digest.hex()})
    return request


@action("signing.remote.completed")
def complete_remote_signing(*, request: RemoteSigningRequest, signature: bytes,
                            acting: Person | None) -> RemoteSigningRequest:
    """Accept the signature value returned by the external signer, after checking it against the
    certificate. Refused (and left pending) when it does not verify; refused when expired or finished."""
    locked = RemoteSigningRequest.objects.select_for_update().select_related("credential__certificate").get(
        pk=request.pk)
    if locked.state != RemoteState.PENDING:
        raise SigningRefused(_("Yêu cầu ký số này đã kết thúc."), code="remote_finished", target=locked)
    if timezone.now() > locked.expires_at:
        raise SigningRefused(_("Yêu cầu ký số đã quá hạn, hãy ký lại."), code="remote_expired", target=locked)
    cert = pki.load(locked.credential.certificate.der)
    if not backends.verify_raw_signature(cert, digest=bytes(locked.digest), signature=signature,
                                         digest_algorithm=locked.digest_algorithm):
        raise SigningRefused(_("Chữ ký nhận từ dịch vụ ký số từ xa không khớp với chứng thư số."),
                             code="remote_bad_signature", target=locked)
    locked.signature = signature
    locked.state = RemoteState.COMPLETED
    locked.completed_at = timezone.now()
    locked.save(update_fields=["signature", "state", "completed_at"])
    log.record(actor=acting, verb="signing.remote.completed", target=locked,
               unit=unit_of(locked.credential.owner))
    return locked
