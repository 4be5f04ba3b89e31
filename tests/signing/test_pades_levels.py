"""PAdES levels B-T, B-LT and B-LTA with vanthu's own TSA, OCSP responder and CRLs on 127.0.0.1, checked
by vanthu's validator and by poppler's pdfsig."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing import pdf_checks
from tests.signing.pdf_checks import (
    DATE,
    DOCUMENT_TIMESTAMP_TYPES,
    NUMBER,
    SON_BLOCK,
    assert_pdfsig_valid,
    pdfsig_report,
)
from vanthu.signing import service, validation
from vanthu.signing.testing import SIGNING_SECRET

equipped_cast = pdf_checks.lean_equipped_cast


def _issue(cast, pdf: bytes) -> bytes:
    signed = service.sign_personal(pdf=pdf, person=cast.son, block=SON_BLOCK, secret=SIGNING_SECRET)
    return service.seal_issued(pdf=signed, unit=cast.staff, number_text=NUMBER, date_text=DATE,
                               secret=SIGNING_SECRET)


def _assert_b_t(issued: bytes) -> None:
    assert_pdfsig_valid(issued, 2)
    result = service.validate(issued)
    assert result.valid, result
    assert [s.level for s in result.signatures] == ["B-T", "B-T"]
    assert all(s.timestamp is not None for s in result.signatures)


@pytest.mark.django_db
def test_b_t_with_the_builtin_tsa(equipped_cast, draft_pdf, settings):
    settings.TSA_URL = "builtin"
    settings.PADES_LEVEL = "B-T"
    _assert_b_t(_issue(equipped_cast, draft_pdf))


def test_b_t_with_the_tsa_over_http(live_pki, draft_pdf, settings):
    settings.TSA_URL = live_pki.live_url + "/pki/tsa"
    settings.PADES_LEVEL = "B-T"
    _assert_b_t(_issue(live_pki, draft_pdf))


def test_b_lt_embeds_certificates_and_revocation_data(live_pki, draft_pdf, settings):
    settings.TSA_URL = live_pki.live_url + "/pki/tsa"
    settings.PADES_LEVEL = ""  # the default with a TSA service: B-LT
    issued = _issue(live_pki, draft_pdf)
    assert_pdfsig_valid(issued, 2)
    reader = PdfFileReader(io.BytesIO(issued))
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3
    assert (len(dss.get("/OCSPs", [])) + len(dss.get("/CRLs", []))) >= 1
    result = validation.validate_pdf(issued, allow_fetching=False)
    assert result.valid, result
    assert [s.level for s in result.signatures] == ["B-LT", "B-LT"]


def test_b_lta_adds_a_document_timestamp(live_pki, draft_pdf, settings):
    """Checklist point 21."""
    settings.TSA_URL = "builtin"
    settings.PADES_LEVEL = "B-LTA"
    issued = _issue(live_pki, draft_pdf)
    assert_pdfsig_valid(issued, 2)
    kinds = [kind.strip() for kind, _verdict in pdfsig_report(issued)]
    assert sum(kind in DOCUMENT_TIMESTAMP_TYPES for kind in kinds) >= 1, kinds
    result = service.validate(issued)
    assert result.valid, result
    kinds = [s.kind for s in result.signatures]
    assert kinds.count("timestamp") >= 1
    assert kinds[:1] == ["personal"]
    assert result.signatures[0].level == "B-LTA"
