"""RFC 3161 time stamps: vanthu's built-in timestamp authority (the client PAdES signing uses: tsa_stamper.py).

Server side: `respond(request_der)` answers a DER TimeStampReq with a DER TimeStampResp signed by the active
`TimestampAuthority` (a certificate from vanthu's issuing CA with extendedKeyUsage timeStamping, critical;
the key under the server key, see keystore.py). views.timestamp serves it at POST /pki/tsa to registered clients
(a bearer token per client, rate-limited: service_clients.py).

Client side (tsa_stamper.py, apart so that the views serving this TSA do not import pyhanko.sign and
aiohttp): `timestamper()` returns the pyHanko TimeStamper for settings.TSA_URL:
- ""          → None (no time stamps: PAdES B-B);
- "builtin"   → `BuiltinTimeStamper`: vanthu's own TSA, called in-process (the same token the HTTP endpoint
                at PUBLIC_URL/pki/tsa would return, without a request from vanthu to itself — which would
                need a free worker and a reachable PUBLIC_URL);
- a URL       → pyHanko's `HTTPTimeStamper(url)`, with `Authorization: Bearer <settings.TSA_TOKEN>` when set.
                Pass `session=` (an aiohttp ClientSession, or pyHanko's LazySession) when signing through
                pyHanko's async API in a long-lived event loop, so one session serves every request
                (signing.md trap 3). With pyHanko's sync API each call runs its own event loop, so no
                session can be shared; the timestamper then opens one per request
                (~20–35 ms extra per signature), which we accept for now.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils.translation import gettext as _

from vanthu.signing import cms_der, pki
from vanthu.signing.keystore import PrivateKey
from vanthu.signing.models import TimestampAuthority
from vanthu.signing.types import SigningRefused

# vanthu's TSA policy: a UUID-based OID (ITU-T X.667), so no registered arc is needed.
POLICY_OID = "2.25.263141578532167734582718090512286345287"
_POLICY_DER = core.ObjectIdentifier(POLICY_OID).dump()
ACCEPTED_DIGESTS = {"sha256": 32, "sha384": 48, "sha512": 64}
CONTENT_TYPE_QUERY = "application/timestamp-query"
CONTENT_TYPE_REPLY = "application/timestamp-reply"


@dataclass(frozen=True)
class LoadedAuthority:
    """The TSA's certificate (asn1crypto), parsed key and issuer chain, ready to sign without the database."""

    certificate: asn1_x509.Certificate
    key: PrivateKey
    chain: list[asn1_x509.Certificate]


# The active TSA as last loaded in this process, by its row and certificate: its certificate, key and chain are
# parsed once (and the token's cached pieces, cms_der.py, hang on that certificate), not at every time-stamp.
_loaded: dict[tuple[int, bytes], LoadedAuthority] = {}


def current() -> LoadedAuthority:
    """The active built-in TSA (reads the database: one small query; the whole row only when another TSA is
    active than the one loaded). SigningRefused when vanthu's CA was never
    initialised."""
    active = TimestampAuthority.objects.filter(is_active=True)  # the newest first (Meta.ordering), as before
    found = active.values_list("pk", "certificate_der").first()  # which one: the row and its certificate
    if found is None:
        raise SigningRefused(_("Hệ thống chưa có dịch vụ cấp dấu thời gian: quản trị cần khởi tạo CA của hệ "
                               "thống (vanthu pki init)."), code="no_tsa")
    key = (found[0], bytes(found[1]))
    loaded = _loaded.get(key)
    if loaded is None:  # the whole row, its key and issuers, only when it is not the one already loaded
        row = TimestampAuthority.objects.select_related("issuer__parent").get(pk=found[0])
        loaded = LoadedAuthority(certificate=pki.to_asn1(row.certificate_der), key=pki.server_key(row.key_encrypted),
                                 chain=[pki.to_asn1(pki.der(c)) for c in pki.own_chain(row.issuer)])
        _loaded.clear()
        _loaded[key] = loaded
    return loaded


class RejectionResponse(core.Sequence):
    """A TimeStampResp without its OPTIONAL token, for rejections: asn1crypto's TimeStampResp insists on one, so
    read rejections with this class too."""

    _fields = [("status", tsp.PKIStatusInfo)]


def _rejection(status: str, fail_info: str, text: str) -> bytes:
    return RejectionResponse({"status": tsp.PKIStatusInfo({
        "status": tsp.PKIStatus(status),
        "status_string": [text],
        "fail_info": tsp.PKIFailureInfo({fail_info}),
    })}).dump()


def _sign(key: PrivateKey, data: bytes, md: str) -> tuple[bytes, str]:
    hash_algo = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[md]
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hash_algo), "rsassa_pkcs1v15"
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.sign(data, ec.ECDSA(hash_algo)), f"{md}_ecdsa"


def _tst_info(request: tsp.TimeStampReq, authority: LoadedAuthority, gen_time: dt.datetime) -> bytes:
    """The DER TSTInfo (RFC 3161 §2.4.2), written from the request's own DER pieces: version 1, vanthu's
    policy, the imprint, a random serial, the time, accuracy 1 s, ordering left at its default (false), the
    nonce if asked, and the TSA's name."""
    nonce = request["nonce"]
    return cms_der.sequence(
        cms_der.INTEGER_1,
        _POLICY_DER,
        request["message_imprint"].dump(),
        core.Integer(int.from_bytes(os.urandom(16), "big") >> 1).dump(),
        core.GeneralizedTime(gen_time).dump(),
        cms_der.sequence(cms_der.INTEGER_1),
        nonce.dump() if nonce.native is not None else b"",
        cms_der.tlv(0xA0, cms_der.tlv(0xA4, authority.certificate.subject.dump())),
    )


def token_der(request: tsp.TimeStampReq, authority: LoadedAuthority, *, now: dt.datetime | None = None) -> bytes:
    """The DER TimeStampToken (CMS SignedData over a TSTInfo) for an accepted request, written as DER from the
    TSA certificate's cached pieces (cms_der.py): building it with asn1crypto objects cost ~20 ms a token,
    more than the rest of a B-T seal."""
    # the machine's clock, never an application-level one (the demo simulates past days with timezone.now)
    gen_time = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    mechanism = "rsassa_pkcs1v15" if isinstance(authority.key, rsa.RSAPrivateKey) else "sha256_ecdsa"
    pieces = cms_der.signer_pieces(authority.certificate, authority.chain,
                                   algos.SignedDigestAlgorithm({"algorithm": mechanism}))
    return cms_der.timestamp_token(
        pieces, tst_info=_tst_info(request, authority, gen_time), gen_time=gen_time,
        sign=lambda attributes: _sign(authority.key, attributes, "sha256")[0],
        include_certificates=bool(request["cert_req"].native),
    )


def token(request: tsp.TimeStampReq, authority: LoadedAuthority, *, now: dt.datetime | None = None) -> cms.ContentInfo:
    """The TimeStampToken (CMS SignedData over a TSTInfo) for an accepted request."""
    return cms.ContentInfo.load(token_der(request, authority, now=now))


def respond(request_der: bytes, *, authority: LoadedAuthority | None = None, now: dt.datetime | None = None) -> bytes:
    """Answer a DER TimeStampReq with a DER TimeStampResp (RFC 3161 §2.4.2): `granted` with a token, or
    `rejection` with badDataFormat / badAlg / unacceptedPolicy."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        request.native  # noqa: B018 - parse fully now, not halfway through building the answer
        algorithm = request["message_imprint"]["hash_algorithm"]["algorithm"].native
        imprint = request["message_imprint"]["hashed_message"].native
    except Exception:
        return _rejection("rejection", "bad_data_format", "malformed TimeStampReq")
    if algorithm not in ACCEPTED_DIGESTS:
        return _rejection("rejection", "bad_alg", f"unsupported hash algorithm {algorithm}")
    if len(imprint) != ACCEPTED_DIGESTS[algorithm]:
        return _rejection("rejection", "bad_data_format", "imprint length does not match its algorithm")
    policy = request["req_policy"].native
    if policy is not None and policy != POLICY_OID:
        return _rejection("rejection", "unaccepted_policy", "unknown policy")
    tst = token_der(request, authority or current(), now=now)
    return cms_der.sequence(cms_der.sequence(b"\x02\x01\x00"), tst)  # TimeStampResp: status granted (0), token
