"""The receiver's PAdES check against a peer's roots (exchange/pdfcheck.py) takes the certificate paths remembered
per chain (signing/speedups_paths.py, decision 0040) under the same rules as the trust store's check: a second
document from the same peer validates no path again, with the same report as a full validation; another peer's
roots (the same names, other keys) are not trusted from memory."""

from __future__ import annotations

import pyhanko_certvalidator
import pytest
from asn1crypto import pem

from vanthu.exchange import pdfcheck
from vanthu.exchange.models import Peer
from vanthu.signing import speedups, speedups_paths, validation
from vanthu.signing.bench import BLOCK, make_pki, vanthu_issue

speedups.install()


def _peer(roots, pk: int) -> Peer:
    text = "".join(pem.armor("CERTIFICATE", root.dump()).decode("ascii") for root in roots)
    return Peer(pk=pk, name=f"peer {pk}", organ_ids="*.Q11", base_url="http://127.0.0.1:1", trust_roots=text)


@pytest.fixture(scope="module")
def bench():
    return make_pki("rsa")


@pytest.fixture(scope="module")
def issued(bench) -> bytes:
    from vanthu.demo.pdfs import sample_draft

    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    return vanthu_issue(draft, bench, "B-T")


@pytest.fixture(autouse=True)
def _empty_cache():
    speedups_paths.forget()
    yield
    speedups_paths.forget()


def _full(pdf: bytes, peer: Peer) -> dict:
    """The report with every path validated in full by pyhanko-certvalidator."""
    remembering = pyhanko_certvalidator.async_validate_path
    pyhanko_certvalidator.async_validate_path = speedups.ORIGINAL["async_validate_path"]
    try:
        return validation.report_dict(pdfcheck.validate(pdf, peer=peer))
    finally:
        pyhanko_certvalidator.async_validate_path = remembering


def test_a_peers_documents_take_the_remembered_paths(bench, issued, monkeypatch):
    calls = []
    original = speedups.ORIGINAL["async_validate_path"]

    async def counted(*args, **kwargs):
        calls.append(1)
        return await original(*args, **kwargs)

    monkeypatch.setitem(speedups_paths.ORIGINAL, "async_validate_path", counted)
    peer = _peer([bench.root], pk=1)
    first = validation.report_dict(pdfcheck.validate(issued, peer=peer))
    assert first["valid"]
    full = len(calls)
    assert full >= 3  # the person's, the unit's and the TSA's chains
    again = validation.report_dict(pdfcheck.validate(issued, peer=peer))
    assert len(calls) == full, "no path validated again for the peer's second document"
    assert again == first == _full(issued, peer)


def test_another_peers_roots_with_the_same_names_are_not_trusted_from_memory(bench, issued):
    assert validation.report_dict(pdfcheck.validate(issued, peer=_peer([bench.root], pk=1)))["valid"]
    impostor = _peer([make_pki("rsa").root], pk=2)  # the same names, other keys
    report = validation.report_dict(pdfcheck.validate(issued, peer=impostor))
    assert not report["valid"]
    assert not any(s["trusted"] for s in report["signatures"])
    assert report == _full(issued, impostor)
