"""The faster difference analysis (vanthu/signing/speedups_diff.py) gives exactly pyHanko's verdicts: the same
modification level, changed fields, list of suspicious changes, coverage and DocMDP verdict for every signature,
and the same vanthu report, with speedups on and off, over vanthu's and plain pyHanko's documents and over
incremental updates made after signing (tests/signing/diff_corpus.py)."""

from __future__ import annotations

import hashlib
import inspect
import io
from importlib.metadata import version
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import policies

from tests.signing import diff_corpus
from vanthu.signing import speedups, speedups_diff
from vanthu.signing.bench import BLOCK, make_pki, plain_issue, vanthu_issue

speedups.install()
ORIGINAL = speedups.ORIGINAL

# sha256 of the pyHanko functions speedups_diff.py replaces or copies: a pyHanko upgrade that changes any of them
# fails here, and the replacements must be re-checked against the new code.
PINNED_SOURCES = {
    "HistoricalResolver._load_reverse_xref_cache": "7a0a27ccb00c0cc0958636117b9165df5be1fd2bed7805219ebc90650b499132",
    "policies._find_orphans": "a6f28fa9ffbc011cf3c04832d5196c89f9bdaa2b6ae1061223eb94c0e5373968",
    "HistoricalResolver._subsume_object": "94755d9c35afd3c9eb6c0895595974ae0b4afc4177379b954d5b087d329311f8",
    "generic._read_string_literal_bytes": "a5364a8088596ff614d2c1c1f027e9c47d305708be972bcbdd2d2dac5495521e",
    "DictionaryObject.read_from_stream": "cd3539c5f3cabe3ebc3badc2193b1401a7017de8e5efcc13b6bd2e5ecfb93590",
}


def _source_hashes() -> dict[str, str]:
    functions = {
        "HistoricalResolver._load_reverse_xref_cache": ORIGINAL["_load_reverse_xref_cache"],
        "policies._find_orphans": ORIGINAL["_find_orphans"],
        "HistoricalResolver._subsume_object": ORIGINAL["_subsume_object"],
        "generic._read_string_literal_bytes": ORIGINAL["_read_string_literal_bytes"],
        "DictionaryObject.read_from_stream": ORIGINAL["read_dictionary"].__func__,
    }
    return {name: hashlib.sha256(inspect.getsource(f).encode()).hexdigest() for name, f in functions.items()}


def test_the_replaced_pyhanko_code_is_the_version_they_were_written_for():
    assert version("pyhanko") == speedups_diff.PYHANKO_VERSION
    assert _source_hashes() == PINNED_SOURCES
    assert HistoricalResolver._load_reverse_xref_cache is speedups_diff.load_reverse_xref_cache
    assert policies._find_orphans is speedups_diff.find_orphans


@pytest.fixture(scope="module")
def chain():
    return make_pki("rsa")


def _third_signature(pdf: bytes, chain: Any) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name="Signature3", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return signers.PdfSigner(meta, signer=chain.plain_person).sign_pdf(writer).getvalue()


def _document_timestamp(pdf: bytes, chain: Any) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return signers.PdfTimeStamper(chain.timestamper).timestamp_pdf(writer, "sha256").getvalue()


def _dss(pdf: bytes, chain: Any) -> bytes:
    from pyhanko.sign.validation import DocumentSecurityStore

    stream = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(stream, None, certs=[chain.person.certificate, *chain.person.chain], strict=False)
    return stream.getvalue()


@pytest.fixture(scope="module")
def corpus(chain) -> dict[str, bytes]:
    from vanthu.demo.pdfs import sample_draft
    from vanthu.signing import pades, pades_engine

    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    draft30 = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line, pages=30)
    personal = pades.sign_personal_with(
        draft, credential=chain.person, block=BLOCK, found_services=pades_engine.Services(level="B-B")
    )
    issued = vanthu_issue(draft, chain, "B-B")
    with speedups.suspended():
        plain = plain_issue(draft, chain, "B-T")
    bases = {
        "issued 1p B-B": issued,
        "issued 1p B-T": vanthu_issue(draft, chain, "B-T"),
        "issued 30p B-B": vanthu_issue(draft30, chain, "B-B"),
        "issued 30p B-T": vanthu_issue(draft30, chain, "B-T"),
        "personal only": personal,
        "plain pyHanko 1p B-T": plain,
    }
    found = dict(bases)
    found["issued + third signature"] = _third_signature(issued, chain)
    found["issued + document timestamp"] = _document_timestamp(issued, chain)
    found["issued + DSS"] = _dss(issued, chain)
    found["issued + DSS + document timestamp"] = _document_timestamp(found["issued + DSS"], chain)
    found["plain + third signature"] = _third_signature(plain, chain)
    for base in (
        "issued 1p B-B",
        "issued 30p B-T",
        "personal only",
        "plain pyHanko 1p B-T",
        "issued + document timestamp",
    ):
        for name, pdf in diff_corpus.tampered(bases.get(base) or found[base]).items():
            found[f"{base} + {name}"] = pdf
    return found


def test_verdicts_are_pyhankos_for_every_document(corpus, chain):
    assert len(corpus) > 100
    for name, pdf in corpus.items():
        ours, ours_report = diff_corpus.verdicts(pdf), diff_corpus.report(pdf, chain)
        with speedups.suspended():
            theirs, theirs_report = diff_corpus.verdicts(pdf), diff_corpus.report(pdf, chain)
        assert ours == theirs, name
        assert ours_report == theirs_report, name


def _usages(resolver: HistoricalResolver) -> dict[Any, Any]:
    resolver._load_reverse_xref_cache()
    cache = resolver._indirect_object_access_cache
    return {ref: cache[ref] for ref in dict.keys(cache)}


def test_reverse_xref_caches_and_orphans_are_pyhankos_for_every_revision(corpus):
    for name, pdf in corpus.items():
        ours_reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        theirs_reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        for revision in range(ours_reader.total_revisions):
            ours_resolver = ours_reader.get_historical_resolver(revision)
            theirs_resolver = theirs_reader.get_historical_resolver(revision)
            ours = _outcome(lambda r=ours_resolver: _usages(r))
            with speedups.suspended():
                theirs = _outcome(lambda r=theirs_resolver: _usages(r))
            assert ours == theirs, (name, revision)
            if revision:
                ours = _outcome(lambda r=ours_resolver: policies._find_orphans(r))
                again = _outcome(lambda r=ours_resolver: policies._find_orphans(r))
                with speedups.suspended():
                    theirs = _outcome(lambda r=theirs_resolver: policies._find_orphans(r))
                assert ours == theirs == again, (name, revision)


def _outcome(run: Any) -> Any:
    try:
        return run()
    except Exception as exc:
        return type(exc), str(exc)


def _nested_catalog_entry(pdf: bytes, depth: int) -> bytes:
    """`pdf` with an array nested `depth` levels deep holding a reference, hung from the catalog."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        value: Any = generic.ArrayObject([writer.root.raw_get("/Pages")])
        for _ in range(depth):
            value = generic.ArrayObject([value])
        writer.root[generic.pdf_name("/Deep")] = value
        writer.update_root()

    return diff_corpus.update(pdf, change)


@pytest.mark.parametrize("depth", [5, speedups_diff.MAX_DEPTH - 2, speedups_diff.MAX_DEPTH + 5, 600])
def test_deep_structures_get_pyhankos_answer(corpus, depth):
    """Past MAX_DEPTH pyHanko's own walk runs (it may hit the recursion limit where tuples would not)."""
    pdf = _nested_catalog_entry(corpus["issued 1p B-B"], depth)
    ours_reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    theirs_reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    last = ours_reader.total_revisions - 1
    ours = _outcome(lambda: _usages(ours_reader.get_historical_resolver(last)))
    with speedups.suspended():
        theirs = _outcome(lambda: _usages(theirs_reader.get_historical_resolver(last)))
    # a RecursionError's message says where the limit was hit ("while calling a Python object"): types only
    if isinstance(theirs, tuple) and theirs[0] is RecursionError:
        assert ours[0] is RecursionError
    else:
        assert ours == theirs


MUST_BE_REJECTED = (
    "content_replaced",
    "content_overlaid",
    "content_stream_rewritten",
    "page_added",
    "mediabox_changed",
    "font_swapped",
    "text_annotation_added",
    "link_annotation_added",
    "field_flags_changed",
    "field_added",
    "signature_appearance_replaced",
    "signature_value_cleared",
    "catalog_open_action",
    "object_freed",
    "field_then_content",
    "identical_then_annotation",
)


def test_changes_after_signing_are_rejected_with_the_speedups(corpus, chain):
    """The corpus is not vacuous: with the speedups on, each forbidden change after the signatures is rejected."""
    for change in MUST_BE_REJECTED:
        report = diff_corpus.report(corpus[f"issued 1p B-B + {change}"], chain)
        assert report["readable"], change
        assert not report["valid"], change
        assert report["signatures"][0]["modified_after"] == "other", change
