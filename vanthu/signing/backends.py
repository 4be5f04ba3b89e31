"""Key back-ends: open a person's or unit's signing credential, whichever back-end holds its key.

API used by PAdES signing (pades.py) — stable:

- `credential_info(owner) -> types.CredentialInfo`: what `owner` (a Person or a Unit) can sign with now,
  without unlocking anything: available / backend / needs_secret / subject / not_after / problem.
- `open_credential(owner, *, secret) -> credentials.Credential`: check the certificate (validity window,
  revocation in vanthu's records, keyUsage, owner name) and unlock the key. Raises `SigningRefused` with a
  Vietnamese message (wrong passphrase or PIN, token missing, expired or revoked certificate …).
  Always call `credential.close()` when done (a PKCS#11 session is open until then). Per back-end:
  * software: the key is decrypted with `secret` (the passphrase; None for server-protected keys) and held
    parsed in a `CachedKeySigner` — never pyHanko's stock SimpleSigner, which re-parses the key for every
    raw signature (signing.md trap 1: 164 → 41 ms with RSA). Keep the Credential for the whole signing
    (both of pyHanko's raw signatures use the same parsed key).
  * pkcs11: a session on the token labelled `token_label` of settings.PKCS11_MODULE, logged in with `secret`
    (the PIN), and pyHanko's PKCS11Signer (`use_raw_mechanism=True` for ECDSA: SoftHSM2 and many cards lack
    CKM_ECDSA_SHA256).
  * remote: `Credential(kind="remote", signer=None)`: the certificate and chain only; the signature value
    comes from the external signer through the interrupted flow below.
  * sim (SIM-PKI): `Credential(kind="sim", signer=None)`, the same interrupted flow; the signature value comes
    from the person's SIM through the MSSP (`mssp.py`), asked and polled by a job (`service.sim_signature`).
  `credential.image_png` is the owner's signature image (blue) or seal image (red), or None.

Remote ("interrupted") flow, CSC signHash style — the writes are actions in actions.py:

1. pades.py prepares the PDF (pyHanko `PdfSigner.init_signing_session` → `PdfTBSDocument`), computes the
   digest of the CMS signed attributes, and calls
   `actions.begin_remote_signing(owner=..., digest=..., prepared=<bytes to keep>, context={...},
   acting=person, ttl=timedelta(minutes=5)) -> RemoteSigningRequest` (state "pending").
   `prepared` / `context` are stored as given, for pades.py to finish the PDF later.
2. The external signer (the person's remote-signing app; `credential.service_url` and
   `remote_credential_id` say where) signs `request.digest` (sha256) with the certificate's key and returns
   the raw signature value (PKCS#1 v1.5 for RSA; DER ECDSA-Sig-Value for ECDSA).
3. `actions.complete_remote_signing(request=..., signature=..., acting=...) -> RemoteSigningRequest` checks the
   signature verifies over the digest with the certificate (`verify_raw_signature`), refuses otherwise
   (SigningRefused, request stays pending until it expires), stores it and marks the request "completed".
4. pades.py reads `request.prepared`, `request.context`, `request.signature` and finishes the PDF.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.core import lockout
from vanthu.org.models import Person, Unit
from vanthu.signing import keystore, pki
from vanthu.signing.credentials import HASHES as HASHES  # re-exported: pure crypto lives in credentials.py
from vanthu.signing.credentials import Credential
from vanthu.signing.credentials import verify_raw_signature as verify_raw_signature
from vanthu.signing.models import Backend, Certificate, KeyCredential, SignatureImage
from vanthu.signing.types import CredentialInfo, SigningRefused

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from vanthu.signing.cached_signer import CachedKeySigner


def credential_of(owner: Person | Unit) -> KeyCredential | None:
    """The owner's active credential: the default one, else the newest."""
    field = "person" if isinstance(owner, Person) else "unit"
    return (KeyCredential.objects.filter(**{field: owner}, is_active=True).select_related("certificate")
            .order_by("-is_default", "-created_at", "-pk").first())


def _refusal_without_credential(owner: Person | Unit) -> SigningRefused:
    if isinstance(owner, Person):
        message = _("%(who)s chưa có chứng thư số và khóa ký. Đề nghị quản trị cấp hoặc gắn chứng thư số.")
    else:
        message = _("%(who)s chưa có chứng thư số của cơ quan (con dấu số). Đề nghị quản trị cấp hoặc gắn "
                    "chứng thư số.")
    return SigningRefused(message % {"who": pki.owner_label(owner)}, code="no_credential")


def _needs_secret(credential: KeyCredential) -> bool:
    if credential.backend == Backend.SOFTWARE:
        return keystore.needs_passphrase(bytes(credential.key_encrypted or b""))
    return credential.backend == Backend.PKCS11


def _usable(owner: Person | Unit) -> KeyCredential:
    """The owner's active credential with a certificate that passes the checks, else SigningRefused saying why:
    no credential at all, or — when only retired ones remain — why the newest was retired (revoked …)."""
    credential = credential_of(owner)
    if credential is None:
        field = "person" if isinstance(owner, Person) else "unit"
        retired = (KeyCredential.objects.filter(**{field: owner}, is_active=False).select_related("certificate")
                   .order_by("-created_at", "-pk").first())
        if retired is not None:
            pki.check_certificate(pki.load(retired.certificate.der), owner=owner, row=retired.certificate)
        raise _refusal_without_credential(owner)
    pki.check_certificate(pki.load(credential.certificate.der), owner=owner, row=credential.certificate)
    return credential


def credential_info(owner: Person | Unit) -> CredentialInfo:
    """What `owner` can sign with now (no secret needed, nothing unlocked). See the module docstring."""
    credential = credential_of(owner)
    try:
        _usable(owner)
    except SigningRefused as exc:
        problem = exc.message
    else:
        problem = ""
    if credential is None:
        return CredentialInfo(available=False, backend="", needs_secret=False, problem=problem)
    row = credential.certificate
    return CredentialInfo(available=not problem, backend=credential.backend, needs_secret=_needs_secret(credential),
                          subject=row.common_name, not_after=row.not_after, problem=problem)


def signature_image(owner: Person | Unit) -> bytes | None:
    """The owner's transparent PNG: a person's signature or a unit's seal; None when none was uploaded."""
    return _image(owner)[0]


def _image(owner: Person | Unit) -> tuple[bytes | None, tuple[float, float] | None]:
    """The owner's image and its printed size in mm (None when not given), in one query."""
    field = "person" if isinstance(owner, Person) else "unit"
    image = SignatureImage.objects.filter(**{field: owner}).select_related("file").first()
    if image is None:
        return None, None
    size = None
    if image.width_mm and image.height_mm:
        size = (float(Decimal(image.width_mm)), float(Decimal(image.height_mm)))
    return image.file.read_bytes(), size


def chain_of(row: Certificate) -> list[asn1_x509.Certificate]:
    """The issuer certificates stored with a Certificate row, nearest first (asn1crypto)."""
    return list(_parsed(bytes(row.der), tuple(row.chain))[1])


@lru_cache(maxsize=64)
def _parsed(der: bytes, chain: tuple[str, ...]) -> tuple[asn1_x509.Certificate, tuple[asn1_x509.Certificate, ...],
                                                         SimpleCertificateStore]:
    """A certificate and its stored chain parsed (asn1crypto), with the registry a signer embeds them from, once
    per process for the same bytes (issue 7, seventh pass: parsing them and filling the registry was ~1 ms of
    every seal). Keyed by the bytes themselves, so a renewed certificate or another chain is parsed anew; the
    parsed objects are only read after this (pyHanko's certificate stores and CMS embedding read them)."""
    certificate = pki.to_asn1(der)
    issuers = tuple(pki.to_asn1(base64.b64decode(item)) for item in chain)
    registry = SimpleCertificateStore()
    registry.register_multiple([certificate, *issuers])
    return certificate, issuers, registry


def open_credential(owner: Person | Unit, *, secret: str | None) -> Credential:
    """Check the owner's certificate and unlock its key (see the module docstring). Close it after use."""
    credential = _usable(owner)
    row = credential.certificate
    asn1_cert, issuers, registry = _parsed(bytes(row.der), tuple(row.chain))
    chain = list(issuers)
    common: dict[str, Any] = {"certificate": asn1_cert, "chain": chain, "key_algorithm": row.key_algorithm,
                              "owner_label": pki.owner_label(owner)}
    common["image_png"], common["image_mm"] = _image(owner)
    if credential.backend == Backend.SOFTWARE:
        return Credential(kind="software", signer=_software_signer(credential, secret, asn1_cert, chain, registry),
                          **common)
    if credential.backend == Backend.PKCS11:
        signer, close = _pkcs11_signer(credential, secret, asn1_cert, chain, row.key_algorithm)
        return Credential(kind="pkcs11", signer=signer, close=close, **common)
    return Credential(kind="sim" if credential.backend == Backend.SIM else "remote", signer=None, **common)


def lockout_key(credential: KeyCredential) -> str:
    """The key under which wrong passphrases and PINs of this credential are counted (core/lockout.py)."""
    return f"key:{credential.pk}"


def require_unlocked(credential: KeyCredential) -> bool:
    """Refuse (429) while the credential is locked after too many wrong passphrases or PINs. Else whether it has
    failures on record (False: a success has none to clear, lockout.check)."""
    try:
        return lockout.check(lockout_key(credential))
    except lockout.Locked as exc:
        raise SigningRefused(
            _("Khóa ký đã bị tạm khóa do nhập sai Mã PIN %(count)d lần; khóa mở lại lúc %(time)s ngày "
              "%(date)s.") % {"count": settings.LOCKOUT_FAILURES, **lockout.reopens(exc.until)},
            code="key_locked", field="secret", target=credential, status=429,
            retry_after=lockout.seconds_left(exc.until)) from exc


def _wrong_secret(message: str, credential: KeyCredential, *, field: str = "secret") -> SigningRefused:
    """A wrong passphrase or PIN: counted against the credential once the action has rolled back."""
    return SigningRefused(message, code="wrong_secret", field=field, target=credential,
                          lockout_key=lockout_key(credential))


def _software_signer(credential: KeyCredential, secret: str | None, cert: asn1_x509.Certificate,
                     chain: list[asn1_x509.Certificate], registry: SimpleCertificateStore) -> CachedKeySigner:
    blob = bytes(credential.key_encrypted or b"")
    if keystore.needs_passphrase(blob) and not secret:
        raise SigningRefused(_("Cần nhập Mã PIN."), code="secret_required", field="secret",
                             target=credential)
    failures_on_record = keystore.needs_passphrase(blob) and require_unlocked(credential)
    try:
        key = keystore.unlock(blob, passphrase=secret if keystore.needs_passphrase(blob) else None)
    except keystore.WrongSecret as exc:
        raise _wrong_secret(_("Mã PIN không đúng."), credential) from exc
    if failures_on_record:  # none on record when checked: nothing to clear
        lockout.succeeded(lockout_key(credential))
    from vanthu.signing.cached_signer import CachedKeySigner  # pyhanko.sign: only a signing process pays for it

    return CachedKeySigner(signing_cert=cert, key=key, chain=chain, registry=registry)


def _pkcs11_signer(credential: KeyCredential, secret: str | None, cert: asn1_x509.Certificate,
                   chain: list[asn1_x509.Certificate], algorithm: str) -> tuple[Signer, Any]:
    from pyhanko.sign.pkcs11 import PKCS11Signer

    require_unlocked(credential)
    session = open_token(credential.token_label, pin=secret, target=credential,
                         lockout_key=lockout_key(credential))
    lockout.succeeded(lockout_key(credential))
    try:
        find_private_key(session, label=credential.key_label, key_id=credential.key_id, target=credential)
        signer = PKCS11Signer(session, key_label=credential.key_label or None,
                              key_id=bytes.fromhex(credential.key_id) if credential.key_id else None,
                              signing_cert=cert, ca_chain=chain, use_raw_mechanism=algorithm == "ecdsa")
    except BaseException:
        session.close()
        raise
    return signer, session.close


def open_token(token_label: str, *, pin: str | None, target: Any = None, lockout_key: str | None = None) -> Any:
    """A logged-in PKCS#11 session on the token with this label (settings.PKCS11_MODULE).

    SigningRefused (Vietnamese) for: no PIN, wrong PIN, PIN locked, token absent, module not loadable.
    """
    import pkcs11
    from pkcs11 import exceptions as p11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    if not pin:
        raise SigningRefused(_("Cần nhập Mã PIN của thiết bị ký số."), code="secret_required", field="secret",
                             target=target)
    try:
        return open_pkcs11_session(settings.PKCS11_MODULE, token_criteria=TokenCriteria(label=token_label),
                                   user_pin=pin)
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange) as exc:
        raise SigningRefused(_("Mã PIN của thiết bị ký số không đúng."), code="wrong_secret", field="secret",
                             target=target, lockout_key=lockout_key) from exc
    except p11.PinLocked as exc:
        raise SigningRefused(_("Mã PIN của thiết bị ký số đã bị khóa do nhập sai nhiều lần. Liên hệ quản trị "
                               "để mở khóa."), code="pin_locked", target=target) from exc
    except (pkcs11.PKCS11Error, OSError) as exc:
        raise SigningRefused(
            _("Không tìm thấy thiết bị ký số “%(label)s”. Hãy cắm thiết bị vào máy rồi thử lại.")
            % {"label": token_label}, code="token_absent", target=target) from exc


def find_on_token(session: Any, object_class: Any, *, label: str, key_id: str) -> list[Any]:
    """The token's objects of a class (pkcs11.ObjectClass) with this label and/or id (hex)."""
    from pkcs11 import Attribute

    query: dict[Any, Any] = {Attribute.CLASS: object_class}
    if label:
        query[Attribute.LABEL] = label
    if key_id:
        query[Attribute.ID] = bytes.fromhex(key_id)
    return list(session.get_objects(query))


def find_private_key(session: Any, *, label: str, key_id: str, target: Any = None) -> Any:
    """The one private key on the token with this label and/or id (hex); SigningRefused if none or several."""
    from pkcs11 import ObjectClass

    found = find_on_token(session, ObjectClass.PRIVATE_KEY, label=label, key_id=key_id)
    if len(found) != 1:
        raise SigningRefused(_("Không tìm thấy khóa ký “%(label)s” trên thiết bị ký số.")
                             % {"label": label or key_id}, code="key_absent", target=target)
    return found[0]

