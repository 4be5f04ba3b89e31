"""Certificates with `cryptography`: vanthu's own CA (root → issuing CA), end-entity certificates for people
and units, CRLs and OCSP responses, imports (PEM/DER/PKCS#12) and the checks made before signing.

Pure functions build certificates from keys and names; the few functions that read the database say so
(`ca_key`, `crl_der`, `ocsp_response`). Writes (creating a CA, issuing, revoking) are actions in actions.py.

Certificates issued by vanthu carry, under settings.PUBLIC_URL (read when the certificate is issued):
- CRL Distribution Point `/pki/crl/<ca>.crl`, AIA OCSP `/pki/ocsp`, AIA caIssuers `/pki/ca/<ca>.crt`;
- people: CN = full name, OU = unit, O = top unit, C = VN; units (organisation seal): CN = unit name,
  OU = parent unit (if any), O = top unit, C = VN. Both: keyUsage digitalSignature + nonRepudiation
  (critical), extendedKeyUsage emailProtection + documentSigning (RFC 9336) — emailProtection because NSS
  (poppler's pdfsig) and Adobe require it of signing certificates that carry an EKU at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vanthu.org.models import Person, Unit
from vanthu.org.queries import top_unit
from vanthu.signing import keystore
from vanthu.signing.keystore import PrivateKey
from vanthu.signing.models import Certificate, CertificateAuthority, CertStatus
from vanthu.signing.types import SigningRefused

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # RFC 9336 id-kp-documentSigning
SIGNING_USAGES = ("digital_signature", "content_commitment")  # content_commitment = nonRepudiation
CLOCK_SKEW = dt.timedelta(minutes=5)  # not_before is set this far back, for clients whose clocks run late
ROOT_YEARS, ISSUING_YEARS, END_ENTITY_YEARS, TSA_YEARS = 20, 10, 2, 5
REVINFO_LIFETIME = dt.timedelta(days=1)  # nextUpdate of CRLs and OCSP responses
# thisUpdate of CRLs and OCSP responses lies this far back (but never before the newest revocation they report):
# validators fix their "now" before fetching, and pyhanko-certvalidator rejects revocation data dated more than
# one second after it ("too recent") — a slow fetch would otherwise fail.
REVINFO_BACKDATE = dt.timedelta(minutes=1)


# --- keys and small conversions --------------------------------------------------------------------------

def generate_key(algorithm: str) -> PrivateKey:
    """A new RSA-2048 ("rsa") or ECDSA P-256 ("ecdsa") private key."""
    if algorithm == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key algorithm {algorithm!r}")


def key_algorithm(public_key: object) -> str:
    if isinstance(public_key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "rsa"
    if isinstance(public_key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return "ecdsa"
    raise SigningRefused(_("Khóa của chứng thư số không phải RSA hoặc ECDSA, vanthu không dùng được."),
                         code="unsupported_key")


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load(der_bytes: bytes | memoryview) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(der_bytes))


def to_asn1(cert: x509.Certificate | bytes | memoryview) -> asn1_x509.Certificate:
    """asn1crypto form, as pyHanko and certvalidator want it."""
    data = der(cert) if isinstance(cert, x509.Certificate) else bytes(cert)
    return asn1_x509.Certificate.load(data)


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def key_usage_names(cert: x509.Certificate) -> list[str]:
    """Names of the keyUsage bits set (cryptography's attribute names), [] without the extension."""
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return []
    names = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign"]
    found = [n for n in names if getattr(ku, n)]
    if ku.key_agreement:
        found += [n for n in ("encipher_only", "decipher_only") if getattr(ku, n)]
    return found


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, Exception):
        return False
    return True


def local_date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "d/m/Y")


# --- URLs printed in certificates: the paths of urls.py, fixed forever once printed (so no reverse())

def public(path: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}{path}"


def crl_url(ca_slug: str) -> str:
    return public(f"/pki/crl/{ca_slug}.crl")


def ca_certificate_url(ca_slug: str) -> str:
    return public(f"/pki/ca/{ca_slug}.crt")


def ocsp_url() -> str:
    return public("/pki/ocsp")


def tsa_url() -> str:
    return public("/pki/tsa")


# --- names ----------------------------------------------------------------------------------------------

def _top_unit_name(unit: Unit) -> str:
    return top_unit(unit).name


def person_subject(person: Person) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, _top_unit_name(person.unit)[:64])]
    if person.unit.parent_id is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, person.unit.name[:64]))
    if person.position:
        attrs.append(x509.NameAttribute(NameOID.TITLE, person.position[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, person.full_name[:64]))
    return x509.Name(attrs)


def unit_subject(unit: Unit) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, _top_unit_name(unit)[:64])]
    if unit.parent is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit.parent.name[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, unit.name[:64]))
    return x509.Name(attrs)


def ca_subject(name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
                      x509.NameAttribute(NameOID.COMMON_NAME, name[:64])])


def owner_label(owner: Person | Unit) -> str:
    return owner.full_name if isinstance(owner, Person) else owner.name


# --- building certificates ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Issuer:
    """What signs a new certificate: the CA's certificate, key and slug (for its CRL and caIssuers URLs)."""

    certificate: x509.Certificate
    key: PrivateKey
    slug: str


def _window(not_before: dt.datetime | None, years: int, issuer: x509.Certificate | None,
            days: int | None = None) -> tuple[dt.datetime, dt.datetime]:
    start = not_before if not_before is not None else timezone.now() - CLOCK_SKEW
    end = start + (dt.timedelta(days=days) if days is not None else dt.timedelta(days=365 * years + years // 4))
    if issuer is not None:
        end = min(end, issuer.not_valid_after_utc)
    return start, end


def _revinfo_extensions(builder: x509.CertificateBuilder, issuer_slug: str) -> x509.CertificateBuilder:
    builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(crl_url(issuer_slug))],
        relative_name=None, reasons=None, crl_issuer=None)]), critical=False)
    return builder.add_extension(x509.AuthorityInformationAccess([
        x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url())),
        x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS,
                               x509.UniformResourceIdentifier(ca_certificate_url(issuer_slug))),
    ]), critical=False)


def _key_usage(*, signing: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing and not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def build_ca(*, subject: x509.Name, key: PrivateKey, issuer: Issuer | None, not_before: dt.datetime | None = None,
             path_length: int | None = None) -> x509.Certificate:
    """A root (issuer None, self-signed) or subordinate CA certificate."""
    years = ROOT_YEARS if issuer is None else ISSUING_YEARS
    start, end = _window(not_before, years, issuer.certificate if issuer else None)
    signer_key = key if issuer is None else issuer.key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(signing=True, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = _revinfo_extensions(builder, issuer.slug)
    return builder.sign(signer_key, hashes.SHA256())


def build_end_entity(*, subject: x509.Name, public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
                     issuer: Issuer, purpose: str = "signing", not_before: dt.datetime | None = None,
                     days: int | None = None) -> x509.Certificate:
    """A certificate for a person or unit (purpose "signing") or for the TSA (purpose "tsa": extendedKeyUsage
    timeStamping only, critical, as RFC 3161 §2.3 requires)."""
    years = TSA_YEARS if purpose == "tsa" else END_ENTITY_YEARS
    start, end = _window(not_before, years, issuer.certificate, days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    if purpose == "tsa":
        builder = builder.add_extension(_key_usage(signing=True), critical=True).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    elif purpose == "signing":
        builder = builder.add_extension(_key_usage(signing=True), critical=True).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), critical=False)
    elif purpose == "bare":
        pass  # no keyUsage at all: only for tests of the refusal of such certificates
    else:
        raise ValueError(f"unknown purpose {purpose!r}")
    return _revinfo_extensions(builder, issuer.slug).sign(issuer.key, hashes.SHA256())


# --- the database side of vanthu's own CA ---------------------------------------------------------------

@functools.lru_cache(maxsize=32)
def _unlocked(blob: bytes) -> PrivateKey:
    return keystore.unlock(blob, passphrase=None)


def server_key(blob: bytes | memoryview) -> PrivateKey:
    """Decrypt a server-protected key (CA, TSA), kept parsed in memory: responders sign often."""
    return _unlocked(bytes(blob))


def issuer_of(ca: CertificateAuthority) -> Issuer:
    return Issuer(certificate=load(ca.certificate_der), key=server_key(ca.key_encrypted), slug=ca.slug)


def own_chain(ca: CertificateAuthority) -> list[x509.Certificate]:
    """The CA's certificate and its parents up to the root, nearest first (reads the database)."""
    chain: list[x509.Certificate] = []
    node: CertificateAuthority | None = ca
    while node is not None:
        chain.append(load(node.certificate_der))
        node = node.parent
    return chain


def crl_der(ca: CertificateAuthority, *, now: dt.datetime | None = None) -> bytes:
    """A fresh CRL of `ca` listing its revoked certificates with their reasons (reads the database).

    The CRL number is the time of issue in seconds since the epoch: it only grows, and no counter row is
    written by this public GET endpoint. thisUpdate is backdated (REVINFO_BACKDATE).
    """
    issuer = issuer_of(ca)
    revoked = list(ca.issued.filter(status=CertStatus.REVOKED).values_list("serial", "revoked_at",
                                                                           "revocation_reason"))
    moment = now or timezone.now()
    this_update = max([moment - REVINFO_BACKDATE, *(r[1] for r in revoked if r[1] is not None)])
    this_update = this_update.replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(this_update)
        .next_update(this_update + REVINFO_LIFETIME)
        .add_extension(x509.CRLNumber(int(moment.timestamp())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    for serial, revoked_at, reason in revoked:
        assert revoked_at is not None  # a constraint of Certificate
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(revoked_at)
            .add_extension(x509.CRLReason(x509.ReasonFlags(reason)), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _issuer_hashes(ca: CertificateAuthority, algorithm: str) -> tuple[bytes, bytes]:
    cert = to_asn1(ca.certificate_der)
    name_hash = hashlib.new(algorithm, cert.subject.dump()).digest()
    key_hash = hashlib.new(algorithm, bytes(cert.public_key["public_key"])).digest()
    return name_hash, key_hash


def _status_of(ca: CertificateAuthority, serial: int) -> tuple[str, dt.datetime | None, str]:
    """("good" | "revoked" | "unknown", revoked_at, reason) for a serial issued by `ca`."""
    hex_serial = format(serial, "x")
    row = ca.issued.filter(serial=hex_serial).values_list("status", "revoked_at", "revocation_reason").first()
    if row is not None:
        status, revoked_at, reason = row
        return ("revoked", revoked_at, reason) if status == CertStatus.REVOKED else ("good", None, "")
    if ca.timestamp_authorities.filter(serial=hex_serial).exists():
        return "good", None, ""
    for child in ca.children.all():
        if load(child.certificate_der).serial_number == serial:
            return "good", None, ""
    return "unknown", None, ""


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


def ocsp_response(request_der: bytes, *, now: dt.datetime | None = None) -> bytes:
    """Answer an OCSP request (RFC 6960) for a certificate issued by one of vanthu's CAs (reads the database).

    The CA signs its own responses (no delegated responder); a nonce in the request is echoed. Requests
    about other CAs get `unauthorized`, malformed ones `malformedRequest`.
    """
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        algorithm = request.hash_algorithm.name
        hashlib.new(algorithm)
    except Exception:  # garbage, several requests in one, an unknown hash algorithm …
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    ca = next((c for c in CertificateAuthority.objects.all()
               if _issuer_hashes(c, algorithm) == (request.issuer_name_hash, request.issuer_key_hash)), None)
    if ca is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    issuer = issuer_of(ca)
    status, revoked_at, reason = _status_of(ca, request.serial_number)
    cert_status = {"good": ocsp.OCSPCertStatus.GOOD, "revoked": ocsp.OCSPCertStatus.REVOKED,
                   "unknown": ocsp.OCSPCertStatus.UNKNOWN}[status]
    this_update = max([(now or timezone.now()) - REVINFO_BACKDATE, *([revoked_at] if revoked_at else [])])
    this_update = this_update.replace(microsecond=0)
    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash,
        issuer_key_hash=request.issuer_key_hash,
        serial_number=request.serial_number,
        algorithm=request.hash_algorithm,
        cert_status=cert_status,
        this_update=this_update,
        next_update=this_update + REVINFO_LIFETIME,
        revocation_time=revoked_at,
        revocation_reason=x509.ReasonFlags(reason) if reason else None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.certificate)
    try:
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
        builder = builder.add_extension(nonce, critical=False)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


# --- imports ----------------------------------------------------------------------------------------------

def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from a PEM file (one or more) or a DER file (one). Refuses anything else in Vietnamese."""
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise SigningRefused(_("Không đọc được tệp chứng thư số: cần tệp PEM hoặc DER (.crt, .cer, .pem)."),
                             code="unreadable_certificate", field="file") from exc
    if not certs:
        raise SigningRefused(_("Tệp không chứa chứng thư số nào."), code="unreadable_certificate", field="file")
    return certs


@dataclass(frozen=True)
class Pkcs12Content:
    key: PrivateKey
    certificate: x509.Certificate
    chain: list[x509.Certificate]


def parse_pkcs12(data: bytes, password: str) -> Pkcs12Content:
    """Key, certificate and chain from a PKCS#12 (.p12/.pfx) file. Wrong password and unreadable file are told
    apart: a file whose outer structure parses but does not open is a wrong password."""
    try:
        loaded = pkcs12.load_pkcs12(data, password.encode("utf-8") if password else None)
    except ValueError as exc:
        try:
            asn1_pkcs12.Pfx.load(data).native  # noqa: B018 - parse fully, or raise
        except Exception:
            raise SigningRefused(_("Không đọc được tệp PKCS#12 (.p12, .pfx): tệp hỏng hoặc không đúng định dạng."),
                                 code="unreadable_pkcs12", field="file") from exc
        raise SigningRefused(_("Mật khẩu của tệp PKCS#12 không đúng."), code="wrong_password",
                             field="password") from exc
    if loaded.key is None or loaded.cert is None:
        raise SigningRefused(_("Tệp PKCS#12 không chứa đủ khóa bí mật và chứng thư số."),
                             code="unreadable_pkcs12", field="file")
    key = loaded.key
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningRefused(_("Khóa trong tệp PKCS#12 không phải RSA hoặc ECDSA, vanthu không dùng được."),
                             code="unsupported_key", field="file")
    cert = loaded.cert.certificate
    if cert.public_key() != key.public_key():
        raise SigningRefused(_("Khóa bí mật trong tệp PKCS#12 không khớp với chứng thư số."),
                             code="key_mismatch", field="file")
    return Pkcs12Content(key=key, certificate=cert, chain=[c.certificate for c in loaded.additional_certs])


def order_chain(cert: x509.Certificate, pool: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """The issuers of `cert` found in `pool`, nearest first, stopping at a self-signed one or a gap."""
    candidates = list(pool)
    chain: list[x509.Certificate] = []
    current = cert
    while not is_self_signed(current):
        issuer = next((c for c in candidates if c.subject == current.issuer and c not in chain
                       and _issued(current, c)), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except Exception:
        return False
    return True


# --- checks before binding or signing -------------------------------------------------------------------

def _plain(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces: 'TRAN QUOC HUNG' matches 'Trần Quốc Hùng'."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())


def names_match(cert: x509.Certificate, owner: Person | Unit) -> bool:
    """The certificate's CN is the person's full name, or the unit's name or short name."""
    cn = _plain(common_name(cert.subject))
    if isinstance(owner, Person):
        return cn == _plain(owner.full_name)
    return cn in {_plain(owner.name), _plain(owner.short_name)}


def check_certificate(cert: x509.Certificate, *, owner: Person | Unit, row: Certificate | None = None,
                      at: dt.datetime | None = None) -> None:
    """Refuse (SigningRefused, Vietnamese) a certificate that cannot sign for `owner` at `at` (default now):
    a CA certificate, outside its validity window, revoked or superseded in vanthu's records (`row`), without
    keyUsage digitalSignature or nonRepudiation, or issued to someone else (CN ≠ owner's name)."""
    moment = at or timezone.now()
    who = owner_label(owner)
    if is_ca(cert):
        raise SigningRefused(_("Đây là chứng thư của tổ chức cấp chứng thư số, không dùng để ký văn bản."),
                             code="ca_certificate", target=row)
    if row is not None and row.status == CertStatus.REVOKED:
        assert row.revoked_at is not None
        raise SigningRefused(
            _("Chứng thư số của %(who)s đã bị thu hồi ngày %(day)s (lý do: %(reason)s).")
            % {"who": who, "day": local_date(row.revoked_at), "reason": row.get_revocation_reason_display()},
            code="certificate_revoked", target=row)
    if row is not None and row.status == CertStatus.SUPERSEDED:
        raise SigningRefused(_("Chứng thư số của %(who)s đã được thay thế bằng chứng thư mới.") % {"who": who},
                             code="certificate_superseded", target=row)
    if moment < cert.not_valid_before_utc:
        raise SigningRefused(
            _("Chứng thư số của %(who)s chưa có hiệu lực (hiệu lực từ ngày %(day)s).")
            % {"who": who, "day": local_date(cert.not_valid_before_utc)}, code="certificate_not_yet_valid",
            target=row)
    if moment > cert.not_valid_after_utc:
        raise SigningRefused(
            _("Chứng thư số của %(who)s đã hết hạn ngày %(day)s.")
            % {"who": who, "day": local_date(cert.not_valid_after_utc)}, code="certificate_expired", target=row)
    if not set(SIGNING_USAGES) & set(key_usage_names(cert)):
        raise SigningRefused(
            _("Chứng thư số của %(who)s không được cấp cho mục đích ký số "
              "(thiếu digitalSignature hoặc nonRepudiation trong keyUsage).") % {"who": who},
            code="certificate_key_usage", target=row)
    if not names_match(cert, owner):
        raise SigningRefused(
            _("Chứng thư số cấp cho “%(cn)s”, không phải cho %(who)s.")
            % {"cn": common_name(cert.subject), "who": who}, code="certificate_wrong_owner", target=row)
