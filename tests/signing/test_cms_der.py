"""CMS containers written as DER by hand (cms_der.py) are what asn1crypto, pyHanko and OpenSSL expect."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from asn1crypto import algos, cms, pem, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from vanthu.signing import cms_der
from vanthu.signing.bench import make_pki


@pytest.fixture(scope="module")
def chain():
    return make_pki("rsa")


def test_signed_attributes_are_a_sorted_der_set(chain):
    pieces = cms_der.signer_pieces(chain.person.certificate, chain.person.chain[:1],
                                   algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}))
    der = cms_der.signed_attributes(pieces, b"\x11" * 32)
    attributes = cms.CMSAttributes.load(der)
    assert attributes.dump(force=True) == der, "re-encoding gives the same bytes: valid DER"
    types = {a["type"].native for a in attributes}
    assert types == {"content_type", "message_digest", "signing_certificate_v2"}


def test_container_parses_and_names_the_signer(chain):
    pieces = cms_der.signer_pieces(chain.person.certificate, chain.person.chain[:1],
                                   algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}))
    signed = cms_der.signed_attributes(pieces, b"\x22" * 32)
    signature = chain.person.signer._key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    info = cms.ContentInfo.load(cms_der.content_info(pieces, signed_attrs=signed, signature=signature))
    signer_info = info["content"]["signer_infos"][0]
    assert signer_info["sid"].chosen["serial_number"].native == chain.person.certificate.serial_number
    assert signer_info["signed_attrs"].dump()[1:] == signed[1:]
    assert len(info["content"]["certificates"]) == 2


def test_timestamp_token_verifies_with_openssl(chain, tmp_path: Path):
    authority = chain.timestamper.authority
    pieces = cms_der.signer_pieces(authority.certificate, authority.chain,
                                   algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}))
    digest = hashlib.sha256(b"van ban").digest()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tst_info = tsp.TSTInfo({
        "version": "v1", "policy": "2.25.1", "serial_number": int.from_bytes(os.urandom(8), "big"), "gen_time": now,
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "tsa": asn1_x509.GeneralName(name="directory_name", value=authority.certificate.subject),
    }).dump()
    token = cms_der.timestamp_token(pieces, tst_info=tst_info, gen_time=now,
                                    sign=lambda data: authority.key.sign(data, padding.PKCS1v15(), hashes.SHA256()))
    (tmp_path / "token.der").write_bytes(token)
    (tmp_path / "root.pem").write_bytes(pem.armor("CERTIFICATE", chain.root.dump()))
    (tmp_path / "issuing.pem").write_bytes(pem.armor("CERTIFICATE", authority.chain[0].dump()))
    done = subprocess.run(["openssl", "ts", "-verify", "-token_in", "-in", str(tmp_path / "token.der"),
                           "-digest", digest.hex(), "-CAfile", str(tmp_path / "root.pem"),
                           "-untrusted", str(tmp_path / "issuing.pem")], capture_output=True, text=True)
    assert "Verification: OK" in done.stdout, done.stdout + done.stderr
