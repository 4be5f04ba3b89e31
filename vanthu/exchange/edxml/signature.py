"""The sending unit's XML signature over the envelope: XMLDSig, enveloped, RSA-SHA256 (signxml).

sign(): the Signature goes into edXMLHeader (after TraceHeaderList, where the VXP SDK puts it), with
Reference URI="" — the whole message, attachments included — and the transforms enveloped-signature +
exclusive c14n. The key comes in as a `cryptography` private key, PEM/DER bytes, or a callable that signs
bytes (`data -> PKCS#1 v1.5 SHA-256 signature value`, e.g. `lambda d: credential.signer.sign_raw(d, "sha256")`
for a key on a PKCS#11 token, which never leaves it). SHA-1 is refused.

verify(): checks the signature cryptographically with the certificate the message carries and returns that
certificate; whether it is trusted (the peer directory, the trust store) is the caller's decision. SHA-1
signatures (the official SDK's samples still use rsa-sha1) are accepted on receipt only, and said so: `sha1`
is true and `warning` explains.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.utils.translation import gettext as _
from lxml import etree
from signxml import DigestAlgorithm, SignatureConstructionMethod, SignatureMethod, XMLVerifier
from signxml.algorithms import CanonicalizationMethod, digest_algorithm_implementations
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.util import _remove_sig, bits_to_bytes_unit, long_to_bytes, strip_pem_header
from signxml.verifier import SignatureConfiguration, VerifyResult

from vanthu.exchange.edxml import largetext
from vanthu.exchange.edxml.errors import EnvelopeInvalid, SignatureRefused
from vanthu.exchange.edxml.largetext import LargeTexts
from vanthu.exchange.edxml.model import EDXML_NAMESPACES, NS_DSIG
from vanthu.exchange.edxml.parse import DEFAULT_MAX_BYTES, load_xml, safe_parser

SignBytes = Callable[[bytes], bytes]
KeyInput = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | bytes | SignBytes
CertInput = x509.Certificate | bytes

SIGNING_ALGORITHMS = {"rsa-sha256": SignatureMethod.RSA_SHA256, "ecdsa-sha256": SignatureMethod.ECDSA_SHA256}
SHA1_METHODS = {SignatureMethod.RSA_SHA1.value, SignatureMethod.ECDSA_SHA1.value, SignatureMethod.DSA_SHA1.value}
ACCEPTED_METHODS = frozenset({
    SignatureMethod.RSA_SHA1, SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512,
    SignatureMethod.ECDSA_SHA256, SignatureMethod.ECDSA_SHA384, SignatureMethod.ECDSA_SHA512,
})
ACCEPTED_DIGESTS = frozenset({DigestAlgorithm.SHA1, DigestAlgorithm.SHA256, DigestAlgorithm.SHA384,
                              DigestAlgorithm.SHA512})


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on a message's XML signature."""

    present: bool
    valid: bool
    certificate: x509.Certificate | None = None  # the signer's, as carried in KeyInfo/X509Data
    algorithm: str = ""  # SignatureMethod URI
    digest_algorithm: str = ""  # DigestMethod URI
    sha1: bool = False  # a SHA-1 signature or digest: accepted on receipt only
    warning: str = ""  # translated; set when sha1
    reason: str = ""  # translated; why it is not valid

    @property
    def algorithm_name(self) -> str:
        return self.algorithm.rsplit("#", 1)[-1] if self.algorithm else ""

    @property
    def signer(self) -> str:
        """The certificate subject, RFC 4514."""
        return self.certificate.subject.rfc4514_string() if self.certificate is not None else ""


class _CallableKey:
    """Duck-typed private key for signxml: the signature value comes from a callable (a token, a remote key)."""

    def __init__(self, sign: SignBytes, certificate: x509.Certificate) -> None:
        self._sign = sign
        public = certificate.public_key()
        # signxml sizes ECDSA (r, s) with it
        self.key_size = public.curve.key_size if isinstance(public, ec.EllipticCurvePublicKey) \
            else getattr(public, "key_size", 0)

    def sign(self, data: bytes, *args: Any, **kwargs: Any) -> bytes:
        algorithm = kwargs.get("algorithm") or (kwargs.get("signature_algorithm") or args[-1])
        algorithm = getattr(algorithm, "algorithm", algorithm)  # ec.ECDSA(hash) → hash
        if not isinstance(algorithm, hashes.SHA256):
            raise SignatureRefused(_("Chỉ ký bằng SHA-256."), code="algorithm")
        if "padding" in kwargs and not isinstance(kwargs["padding"], padding.PKCS1v15):
            raise SignatureRefused(_("Chỉ ký bằng SHA-256."), code="algorithm")
        return self._sign(data)


def load_certificate(value: CertInput) -> x509.Certificate:
    if isinstance(value, x509.Certificate):
        return value
    try:
        if value.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(value)
        return x509.load_der_x509_certificate(value)
    except ValueError as exc:
        raise SignatureRefused(_("Không đọc được chứng thư số của đơn vị ký."), code="certificate") from exc


def load_private_key(value: bytes) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    try:
        if value.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(value, password=None)
        else:
            key = serialization.load_der_private_key(value, password=None)
    except (ValueError, TypeError) as exc:
        raise SignatureRefused(_("Không đọc được khóa ký của đơn vị."), code="key") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SignatureRefused(_("Khóa ký phải là RSA hoặc ECDSA."), code="key")
    return key


def sign(data: bytes, *, key: KeyInput, certificate: CertInput, chain: list[CertInput] | tuple[()] = (),
         algorithm: str | None = None, prefix: str | None = "ds", max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The message `data` (built by build.py, or any edXML) with the unit's enveloped signature added.

    `algorithm`: "rsa-sha256" (QCVN 102 practice) or "ecdsa-sha256"; by default the one the certificate's key
    calls for. Anything with SHA-1 is refused with SignatureRefused. `prefix`: "ds" writes ds:Signature, None the
    unprefixed form (both XMLDSig).
    """
    signer = _Signer(key=key, certificate=certificate, chain=chain, algorithm=algorithm)
    return signer.sign_root(load_xml(data, max_bytes=max_bytes), prefix=prefix)


def sign_tree(root: etree._Element, *, key: KeyInput, certificate: CertInput,
              chain: list[CertInput] | tuple[()] = (), algorithm: str | None = None,
              prefix: str | None = "ds", large: LargeTexts | None = None) -> bytes:
    """`sign` over a message already in memory as a tree (built.py's `sign_document`): signed in place and
    serialised, without the serialisation and parse `sign` starts from. The tree must be what `load_xml` gives
    for the bytes it stands for (whitespace included), so that the bytes written are those `sign` writes, and is
    given up: its large texts are left as markers (largetext.py). `large`: the texts the caller put as markers
    already (`LargeTexts.put`)."""
    signer = _Signer(key=key, certificate=certificate, chain=chain, algorithm=algorithm)
    return signer.sign_root(root, prefix=prefix, large=large)


class _Signer:
    """The key, certificates and algorithm of one signature, checked before any XML is read."""

    def __init__(self, *, key: KeyInput, certificate: CertInput, chain: list[CertInput] | tuple[()],
                 algorithm: str | None) -> None:
        cert = load_certificate(certificate)
        if algorithm is None:
            is_ec = isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
            algorithm = "ecdsa-sha256" if is_ec else "rsa-sha256"
        if "sha1" in algorithm.lower().replace("-", ""):
            raise SignatureRefused(_("Không ký bằng SHA-1: thuật toán này không còn an toàn; dùng RSA-SHA256."),
                                   code="sha1")
        if algorithm not in SIGNING_ALGORITHMS:
            raise SignatureRefused(_("Thuật toán ký %(alg)s không được hỗ trợ.") % {"alg": algorithm},
                                   code="algorithm")
        signing_key: Any
        if isinstance(key, bytes):
            signing_key = load_private_key(key)
        elif callable(key) and not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            signing_key = _CallableKey(key, cert)
        else:
            signing_key = key
        self.key = signing_key
        self.method = SIGNING_ALGORITHMS[algorithm]
        self.certificates = [cert, *(load_certificate(c) for c in chain)]

    def sign_root(self, root: etree._Element, *, prefix: str | None, large: LargeTexts | None = None) -> bytes:
        """Sign and serialise `root`, a tree given up (its large texts are left as markers)."""
        if any(etree.QName(e).localname == "Signature" for e in root.iter(etree.Element)):
            raise SignatureRefused(_("Gói tin đã có chữ ký."), code="already_signed")
        # The signature goes where the SDK puts it: at the end of edXMLHeader.
        header = next((e for e in root.iter(etree.Element)
                       if etree.QName(e).localname == "edXMLHeader"
                       and (etree.QName(e).namespace or "") in EDXML_NAMESPACES), root)
        # the attachments' base64 is canonicalised and written out without lxml copying it (largetext.py)
        large = large or LargeTexts(keep=False)
        large.root = root
        with large:
            try:
                _enveloped_signature(root, header, prefix=prefix, method=self.method, key=self.key,
                                     certificates=self.certificates, large=large)
            except (InvalidInput, ValueError, TypeError) as exc:
                raise SignatureRefused(_("Không ký được gói tin: %(reason)s") % {"reason": exc},
                                       code="sign_failed") from exc
            return b"".join(large.serialise(
                lambda: bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))))


def _enveloped_signature(root: etree._Element, header: etree._Element, *, prefix: str | None,
                         method: SignatureMethod, key: Any, certificates: list[x509.Certificate],
                         large: LargeTexts) -> None:
    """Append to `header` the enveloped signature signxml's `XMLSigner(method, SHA-256, exclusive c14n)` makes
    over `root` with a placeholder there — the same elements in the same order, hence the same bytes (RSA PKCS#1
    v1.5 is deterministic: tests/exchange/test_signature.py compares them) — without its three copies of the whole
    envelope (each a serialisation and a parse): the digest is taken over `root` before the signature is added,
    which is what signxml digests (its copy with the placeholder removed). Exclusive c14n renders only the
    namespaces an element uses, so SignedInfo canonicalises the same in place. `large`: the block in which `root`'s
    large texts stand aside (largetext.py); the digest is taken over the pieces it gives."""
    namespaces: Any = {prefix: NS_DSIG}

    def tag(name: str) -> str:
        return name if prefix is None else f"{{{NS_DSIG}}}{name}"  # signxml's _ds_tag (unqualified under xmlns)

    c14n = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value
    digest = largetext.digest(large.serialise(
        lambda: etree.tostring(root, method="c14n", exclusive=True, with_comments=False)), hashes.SHA256())
    signature = etree.SubElement(header, f"{{{NS_DSIG}}}Signature", nsmap=namespaces)
    signed_info = etree.SubElement(signature, tag("SignedInfo"), nsmap=namespaces)
    etree.SubElement(signed_info, tag("CanonicalizationMethod"), Algorithm=c14n)
    etree.SubElement(signed_info, tag("SignatureMethod"), Algorithm=method.value)
    reference = etree.SubElement(signed_info, tag("Reference"), URI="")
    transforms = etree.SubElement(reference, tag("Transforms"))
    etree.SubElement(transforms, tag("Transform"), Algorithm=SignatureConstructionMethod.enveloped.value)
    etree.SubElement(transforms, tag("Transform"), Algorithm=c14n)
    etree.SubElement(reference, tag("DigestMethod"), Algorithm=DigestAlgorithm.SHA256.value)
    etree.SubElement(reference, tag("DigestValue")).text = base64.b64encode(digest).decode()
    value = etree.SubElement(signature, tag("SignatureValue"))
    key_info = etree.SubElement(signature, tag("KeyInfo"))
    x509_data = etree.SubElement(key_info, tag("X509Data"))
    for certificate in certificates:
        etree.SubElement(x509_data, tag("X509Certificate")).text = _x509_text(certificate)
    signed_info_c14n = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
    if method == SignatureMethod.ECDSA_SHA256:
        r, s = decode_dss_signature(key.sign(signed_info_c14n, signature_algorithm=ec.ECDSA(hashes.SHA256())))
        size = bits_to_bytes_unit(key.key_size)
        raw = long_to_bytes(r, blocksize=size) + long_to_bytes(s, blocksize=size)
    else:
        raw = key.sign(signed_info_c14n, padding=padding.PKCS1v15(), algorithm=hashes.SHA256())
    value.text = base64.b64encode(raw).decode()


@functools.lru_cache(maxsize=64)
def _x509_text(certificate: x509.Certificate) -> str:
    """A certificate as KeyInfo carries it (its PEM body, as signxml writes it), kept per certificate: a unit
    signs every status and envelope with the same few (a certificate is equal to another only with the same DER)."""
    return strip_pem_header(certificate.public_bytes(serialization.Encoding.PEM))


def _signature_elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter(etree.Element) if etree.QName(e).localname == "Signature"
            and (etree.QName(e).namespace or "") in (NS_DSIG, *EDXML_NAMESPACES)]


def verify(data: bytes, *, at: dt.datetime | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
           root: etree._Element | None = None, consume: bool = False) -> SignatureCheck:
    """Verify the message's enveloped XML signature (see the module docstring). Never raises for a bad signature;
    EnvelopeInvalid only when `data` is not safe, well-formed XML. `root`: `load_xml(data)` when the caller has
    it already (only read here: signxml verifies its own tree, parsed from `data`). `consume`: the caller gives
    `root` up — signxml verifies that tree itself instead of parsing `data` again (it takes the signature out of
    it): the same tree, parsed from the same bytes by the same parser (the receive pipeline, which has read
    everything it needs from it first)."""
    given = root is not None
    root = load_xml(data, max_bytes=max_bytes) if root is None else root
    found = _signature_elements(root)
    if not found:
        return SignatureCheck(present=False, valid=False, reason=_("Gói tin không có chữ ký số."))
    if len(found) > 1:
        return SignatureCheck(present=True, valid=False, reason=_("Gói tin có nhiều hơn một chữ ký."))
    element = found[0]
    algorithm = _algorithm(element, "SignatureMethod")
    digest_algorithm = _algorithm(element, "DigestMethod")
    sha1 = algorithm in SHA1_METHODS or digest_algorithm == DigestAlgorithm.SHA1.value
    base = SignatureCheck(present=True, valid=False, algorithm=algorithm, digest_algorithm=digest_algorithm, sha1=sha1)
    if etree.QName(element).namespace != NS_DSIG:
        # Seen in the VXP SDK's samples: a Signature pasted without its xmlns, so in the edXML namespace.
        return replace(base, reason=_("Phần tử Signature không thuộc không gian tên XMLDSig (%(ns)s): không kiểm "
                                      "tra được.") % {"ns": NS_DSIG})
    ds = {"ds": NS_DSIG}
    references = element.findall("ds:SignedInfo/ds:Reference", ds)
    if len(references) != 1 or references[0].get("URI") != "":
        return replace(base, valid=False, reason=_("Chữ ký phải ký toàn bộ gói tin (một Reference URI=\"\")."),)
    certificate = _certificate(element)
    if certificate is None:
        return replace(base, valid=False, reason=_("Chữ ký không kèm chứng thư số đọc được (KeyInfo/X509Data)."),)
    config = SignatureConfiguration(location=".//", expect_references=1, signature_methods=ACCEPTED_METHODS,
                                    digest_algorithms=ACCEPTED_DIGESTS, verification_time=at)
    try:
        # the bytes, not `root`: signxml copies an element it is given by serialising and parsing it again; from
        # the bytes (which `root` was parsed from, with the same parser) it only parses — the same tree
        _Verifier(root if consume and given else None).verify(data, x509_cert=certificate, expect_config=config,
                                                               parser=safe_parser())
    except InvalidCertificate as exc:
        return replace(base, valid=False, certificate=certificate,
                              reason=_("Chứng thư số của người ký không dùng được: %(reason)s") % {"reason": exc},)
    except (InvalidDigest, InvalidSignature) as exc:
        return replace(base, valid=False, certificate=certificate,
                              reason=_("Chữ ký không khớp với nội dung: gói tin đã bị sửa sau khi ký (%(reason)s).")
                              % {"reason": exc})
    except (InvalidInput, ValueError, etree.LxmlError) as exc:
        return replace(base, valid=False, certificate=certificate,
                              reason=_("Chữ ký không đọc được: %(reason)s") % {"reason": exc})
    warning = _("Chữ ký dùng SHA-1: chỉ được chấp nhận khi nhận, không còn an toàn; đề nghị bên gửi ký bằng "
                "RSA-SHA256.") if sha1 else ""
    return replace(base, valid=True, certificate=certificate, warning=warning)


ENVELOPED_EXC_C14N = [SignatureConstructionMethod.enveloped.value,
                      CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value]


class _Verifier(XMLVerifier):
    """signxml's verifier, with the digest of the one reference every edXML signature has (URI="", enveloped +
    exclusive c14n) taken without its copies: signxml serialises and parses the whole envelope twice and parses its
    canonical form once more, to digest the envelope without its signature. Here the signature is taken out of
    signxml's own tree (parsed from the bytes for this verification only; nothing else reads it) and that tree is
    canonicalised: the same bytes digested (a root element has no ancestors whose namespaces a copy would drop).
    Any other reference goes to signxml as before. tests/exchange/test_signature.py compares the verdicts.

    `given`: the tree `load_xml` parsed from the bytes being verified, handed over by a caller that is done with
    it (`verify(consume=True)`): used as signxml's own tree instead of parsing the bytes once more, with the
    checks signxml's parse makes (no DTD, no entity)."""

    def __init__(self, given: etree._Element | None = None) -> None:
        super().__init__()
        self._given = given

    def _get_cert_validity_error(self, cert: Any, cert_source: Any) -> Any:
        """signxml's, with the certificate's description (its subject written out, for the message) made only
        when there is something to say: every envelope received paid for it. The same verdicts and messages."""
        at = self._get_cert_verification_time()
        if cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
            return None
        return super()._get_cert_validity_error(cert, cert_source)

    def get_root(self, data: Any) -> Any:
        given, self._given = self._given, None  # once: signxml asks for the root of the message once
        if given is None or given.getparent() is not None:
            return super().get_root(data)
        docinfo: Any = given.getroottree().docinfo
        if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise InvalidInput("DTD declarations are not supported in XML input")
        for _entity in given.iter(etree.Entity):
            raise InvalidInput("Entities are not supported in XML input")
        return given

    def _verify_reference(self, reference: Any, index: Any, root: Any, uri_resolver: Any, c14n_algorithm: Any,
                          signature: Any, signature_key_used: Any) -> Any:
        transforms = self._find(reference, "Transforms", require=False)
        steps = self._findall(transforms, "Transform") if transforms is not None else []
        if (reference.get("URI") != "" or uri_resolver is not None or root.getparent() is not None
                or [step.get("Algorithm") for step in steps] != ENVELOPED_EXC_C14N or any(len(s) for s in steps)):
            return super()._verify_reference(reference, index, root, uri_resolver, c14n_algorithm, signature,
                                             signature_key_used)
        digest_method = self._find(reference, "DigestMethod").get("Algorithm")
        digest_value = self._find(reference, "DigestValue")
        _remove_sig(self._get_signature(root), idempotent=True)
        # the attachments' base64 digested as it is, not copied by c14n; signxml's tree, read by nothing after
        with LargeTexts(root, keep=False) as large:
            pieces = large.serialise(
                lambda: self._c14n(root, algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0))
        digest_alg = DigestAlgorithm(digest_method)
        self.check_digest_alg_expected(digest_alg)
        computed = largetext.digest(pieces, digest_algorithm_implementations[digest_alg]())
        if base64.b64decode(digest_value.text) != computed:
            raise InvalidDigest(f"Digest mismatch for reference {index} ({reference.get('URI')})")
        payload_c14n = b"".join(pieces)
        key = signature_key_used if isinstance(signature_key_used, bytes) else signature_key_used.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return VerifyResult(payload_c14n, None, signature, signature_key=key)  # the signed XML not parsed: unused


def _algorithm(signature: etree._Element, name: str) -> str:
    """The Algorithm of SignedInfo's SignatureMethod or the Reference's DigestMethod, in whatever namespace."""
    for element in signature.iter(etree.Element):
        if etree.QName(element).localname == name:
            return element.get("Algorithm", "")
    return ""


def _certificate(element: etree._Element) -> x509.Certificate | None:
    node = element.find(f"{{{NS_DSIG}}}KeyInfo/{{{NS_DSIG}}}X509Data/{{{NS_DSIG}}}X509Certificate")
    if node is None or not (node.text or "").strip():
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join((node.text or "").split())))
    except ValueError:
        return None


__all__ = ["EnvelopeInvalid", "SignatureCheck", "SignatureRefused", "sign", "sign_tree", "verify"]
