"""Remote ("interrupted") signing: vanthu prepares the PDF and the digest, an external signer returns the raw
signature value, vanthu finishes the same PDF; the state in between is plain data kept in the database."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils

from tests.signing.pdf_checks import SON_BLOCK, assert_pdfsig_valid
from vanthu.core.actors import TEST_FIXTURES
from vanthu.signing import pades, pades_engine, service, validation
from vanthu.signing.bench import make_pki
from vanthu.signing.credentials import Credential
from vanthu.signing.service import SigningRefused


def _external_signature(key, digest: bytes) -> bytes:
    """What a remote signing service returns for a sha256 digest (CSC signHash, RSA PKCS#1 v1.5)."""
    return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


@pytest.fixture(scope="module")
def chain():
    return make_pki("rsa")


def _remote(credential: Credential) -> Credential:
    return Credential(kind="remote", certificate=credential.certificate, chain=credential.chain, signer=None,
                      key_algorithm="rsa", owner_label=credential.owner_label, image_png=credential.image_png)


def test_prepare_then_finish_with_an_external_signature(chain, draft_pdf):
    """Checklist point 19."""
    found = pades_engine.Services(level="B-B")
    prepared = pades.prepare_personal(draft_pdf, credential=_remote(chain.person), block=SON_BLOCK,
                                      found_services=found)
    document, context = prepared.as_state()
    stored = json.loads(json.dumps(context))  # what the database keeps
    again = pades_engine.PreparedSignature.from_state(document, stored)
    assert again.to_sign == prepared.to_sign
    signature = _external_signature(chain.person.signer._key, again.to_sign)
    signed = pades_engine.finish(again, signature=signature, found_services=found)
    assert signed[: len(draft_pdf)] == draft_pdf
    assert_pdfsig_valid(signed, 1)
    result = validation.validate_pdf(signed, trust_roots=[chain.root])
    assert result.valid
    assert result.signatures[0].signer == "Hoàng Văn Sơn"


def test_a_signature_from_another_key_is_refused(chain, draft_pdf):
    found = pades_engine.Services(level="B-B")
    prepared = pades.prepare_personal(draft_pdf, credential=_remote(chain.person), block=SON_BLOCK,
                                      found_services=found)
    wrong = _external_signature(chain.unit.signer._key, prepared.to_sign)
    with pytest.raises(SigningRefused) as refused:
        pades_engine.finish(prepared, signature=wrong, found_services=found)
    assert refused.value.code == "bad_signature"


def test_remote_key_cannot_sign_directly(chain, draft_pdf):
    with pytest.raises(SigningRefused) as refused:
        pades.sign_personal_with(draft_pdf, credential=_remote(chain.person), block=SON_BLOCK,
                                 found_services=pades_engine.Services(level="B-B"))
    assert refused.value.code == "remote_key"


@pytest.mark.django_db
def test_remote_signing_request_round_trip_through_the_database(cast, draft_pdf):
    from vanthu.signing import actions, binding_actions, pki
    from vanthu.signing.testing import ensure_ca, pooled_key

    key = pooled_key("rsa", 0)
    certificate = pki.build_end_entity(subject=pki.person_subject(cast.son), public_key=key.public_key(),
                                       issuer=pki.issuer_of(ensure_ca()))
    binding_actions.bind_remote_certificate(owner=cast.son, data=certificate.public_bytes(serialization.Encoding.PEM),
                                            service_url="https://ky-so.example.vn/csc/v2", credential_id="son-01",
                                            acting=TEST_FIXTURES)
    request = service.begin_remote_personal(pdf=draft_pdf, person=cast.son, block=SON_BLOCK, acting=cast.son)
    with pytest.raises(SigningRefused):
        service.signed_from_request(request)  # not signed yet
    signature = _external_signature(key, bytes(request.digest))
    request = actions.complete_remote_signing(request=request, signature=signature, acting=None)
    signed = service.signed_from_request(request)
    assert signed[: len(draft_pdf)] == draft_pdf
    result = validation.validate_pdf(signed)
    assert result.valid
    assert result.signatures[0].kind == "personal"
