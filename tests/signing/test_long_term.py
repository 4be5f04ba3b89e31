"""Long-term signatures added after the fact (signing/long_term.py): a file sealed at B-B in the clerk's request is
brought to B-T, B-LT or B-LTA by incremental updates with vanthu's own TSA and OCSP/CRL responders over HTTP on
127.0.0.1; the sealed bytes stay the file's beginning, both signatures stay valid (vanthu's validator, `vanthu
verify --offline` from the embedded data alone, poppler's pdfsig); a second run changes nothing; a TSA that does
not answer is refused as such."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import pem

from tests.signing.pdf_checks import DATE, NUMBER, SON_BLOCK, assert_pdfsig_valid
from vanthu.signing import service, trust
from vanthu.signing.testing import SIGNING_SECRET

VANTHU = str(Path(sys.executable).with_name("vanthu"))


def _sealed_b_b(cast, pdf: bytes) -> bytes:
    signed = service.sign_personal(pdf=pdf, person=cast.son, block=SON_BLOCK, secret=SIGNING_SECRET, level="B-B")
    with service.unit_seal(unit=cast.staff, secret=SIGNING_SECRET, level="B-B") as seal:
        return seal.seal_issued(pdf=signed, number_text=NUMBER, date_text=DATE)


def _verify_offline(tmp_path: Path, pdf: bytes) -> dict:
    """`vanthu verify --offline --json` with vanthu's CA as the only root: revocation from the file's DSS alone."""
    roots = tmp_path / "roots.pem"
    roots.write_bytes(b"".join(pem.armor("CERTIFICATE", c.dump()) for c in trust.trust_roots()))
    target = tmp_path / "van-ban.pdf"
    target.write_bytes(pdf)
    done = subprocess.run([VANTHU, "verify", str(target), "--trust", str(roots), "--offline", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.stdout, done.stderr)
    return json.loads(done.stdout)


@pytest.mark.parametrize("target", ["B-LT", "B-LTA"])
def test_a_b_b_seal_is_brought_to_the_level_and_its_signatures_stay_valid(live_pki, draft_pdf, settings, tmp_path,
                                                                          target):
    settings.TSA_URL = live_pki.live_url + "/pki/tsa"
    settings.PADES_LEVEL = target
    sealed = _sealed_b_b(live_pki, draft_pdf)
    assert service.level_of(sealed) == "B-B"
    assert [s.level for s in service.validate(sealed).signatures] == ["B-B", "B-B"]

    enriched = service.enrich(sealed)
    assert enriched.changed
    assert enriched.level == target
    assert enriched.pdf.startswith(sealed)  # incremental updates: the sealed file is kept byte for byte
    assert_pdfsig_valid(enriched.pdf, 2)  # the personal signature and the seal, as poppler sees them
    result = service.validate(enriched.pdf)
    assert result.valid, result
    assert [s.kind for s in result.signatures][:2] == ["personal", "organisation"]
    assert all(s.timestamp is not None for s in result.signatures)
    assert [s.level for s in result.signatures[:2]] == [target, target]
    report = _verify_offline(tmp_path, enriched.pdf)
    assert report["valid"] is True
    assert [s["level"] for s in report["signatures"][:2]] == [target, target]
    if target == "B-LTA":
        assert enriched.archive_expires is not None

    again = service.enrich(enriched.pdf)  # a file at the level is left alone
    assert not again.changed
    assert again.pdf == enriched.pdf


def test_b_t_by_a_document_timestamp(live_pki, draft_pdf, settings):
    settings.TSA_URL = live_pki.live_url + "/pki/tsa"
    settings.PADES_LEVEL = "B-T"
    sealed = _sealed_b_b(live_pki, draft_pdf)
    enriched = service.enrich(sealed)
    assert enriched.level == "B-T"
    assert enriched.pdf.startswith(sealed)
    assert_pdfsig_valid(enriched.pdf, 2)
    result = service.validate(enriched.pdf)
    assert result.valid, result
    assert [s.level for s in result.signatures] == ["B-T", "B-T", "B-LTA"]
    assert result.signatures[2].kind == "timestamp"


def test_the_built_in_tsa_signs_in_the_request_and_the_job_adds_only_the_rest(live_pki, draft_pdf, settings):
    settings.TSA_URL = "builtin"
    settings.PADES_LEVEL = "B-LTA"
    assert service.request_level() == "B-T"
    signed = service.sign_personal(pdf=draft_pdf, person=live_pki.son, block=SON_BLOCK, secret=SIGNING_SECRET,
                                   level=service.request_level())
    with service.unit_seal(unit=live_pki.staff, secret=SIGNING_SECRET, level=service.request_level()) as seal:
        sealed = seal.seal_issued(pdf=signed, number_text=NUMBER, date_text=DATE)
    assert service.level_of(sealed) == "B-T"
    enriched = service.enrich(sealed)
    assert enriched.level == "B-LTA"
    result = service.validate(enriched.pdf)
    assert result.valid, result
    assert [s.level for s in result.signatures[:2]] == ["B-LTA", "B-LTA"]


def test_a_tsa_that_does_not_answer_is_refused_and_nothing_is_returned(live_pki, draft_pdf, settings):
    settings.PADES_LEVEL = "B-LTA"
    settings.TSA_URL = live_pki.live_url + "/pki/tsa"
    sealed = _sealed_b_b(live_pki, draft_pdf)
    settings.TSA_URL = "http://127.0.0.1:9/tsa"  # the discard port: nothing listens
    with pytest.raises(service.SigningRefused) as refused:
        service.enrich(sealed)
    assert refused.value.code in ("tsa_unreachable", "revinfo_unreachable")


def test_request_level_is_b_b_with_a_tsa_over_the_network(settings):
    settings.TSA_URL = "http://127.0.0.1:9/tsa"
    settings.PADES_LEVEL = "B-LT"
    assert service.request_level() == "B-B"
    assert service.needs_enrichment()
    settings.PADES_LEVEL = "B-B"
    assert not service.needs_enrichment()
    settings.TSA_URL = "builtin"
    settings.PADES_LEVEL = "B-T"
    assert service.request_level() == "B-T"
    assert not service.needs_enrichment()
