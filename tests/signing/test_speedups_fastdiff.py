"""The corpus for a strict fast path before pyHanko's difference analysis (decision 0039), and what it shows.

tests/signing/fastdiff_corpus.py makes vanthu-issued documents whose seal revision carries one more change
(made by vanthu's own sealing code, so the seal itself is valid), documents changed after the seal, and
documents whose later revisions are exactly vanthu's shapes over a signed draft that decides the verdict.
For every one: the verdicts (per signature: coverage, DocMDP, modification level and changed fields, or the
suspicious change) and vanthu's whole report are the same with vanthu's speedups on and with pyHanko as
shipped, and the expected verdict holds. Genuine issuances (other numbers and dates, 1 and 30 pages, B-B and
B-T) are compared the same way.

The last group is why decision 0039 ships no whitelist: the seal revision is exactly what vanthu writes, yet
pyHanko's verdict on the personal signature depends on the signed revision (a path to the number field from
elsewhere, an object that does not parse), so a fast path must read the whole signed revision
to agree with pyHanko — the reading is most of the analysis's cost."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest
from pyhanko.sign.diff_analysis import ModificationLevel

from tests.signing import diff_corpus, fastdiff_corpus
from tests.signing.diff_corpus import report, verdicts
from vanthu.signing import speedups, speedups_diff
from vanthu.signing.bench import BLOCK, make_pki

speedups.install()

# seal-revision changes pyHanko accepts (an unreferenced object, the info dictionary, XMP metadata, a page
# written again unchanged; and, for the filled fields, what its form rules allow: another /V than the
# appearance shows, other flags and /DA, an appearance that reuses a stream of the signed revision, an extra empty
# invisible signature field): the verdict stays "form filling", as for a genuine issuance. A fast path must give
# the same answer for these or hand them to pyHanko.
HARMLESS_IN_SEAL = {"unreferenced_object_added", "info_changed", "metadata_added", "page_rewritten_identically",
                    "number_appearance_reuses_signed_stream", "number_flags_and_look_changed",
                    "number_value_differs_from_appearance", "second_signature_field_added"}
# of those, the ones where the number field no longer shows its value: pyHanko still says "form filling", but
# vanthu's check of its number and date fields (decision 0036, signing/registration.py) makes the seal not valid
FIELD_NOT_SHOWN = {"number_appearance_reuses_signed_stream", "number_value_differs_from_appearance"}
# changes after the seal that only fill fields: the seal's report says nobody signed them
FILLING_AFTER_SEAL = {"number_value_changed", "date_value_changed"}
HARMLESS_AFTER_SEAL = {"page_rewritten_identically", "unreferenced_object_added"}


@pytest.fixture(scope="module")
def chain():
    return make_pki("rsa")


@pytest.fixture(scope="module")
def draft() -> bytes:
    from vanthu.demo.pdfs import sample_draft

    return sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)


@pytest.fixture(scope="module")
def signed(draft, chain) -> bytes:
    return fastdiff_corpus.personal(draft, chain)


@pytest.fixture(scope="module")
def issued(signed, chain) -> bytes:
    return fastdiff_corpus.sealed(signed, chain)


@pytest.fixture(scope="module")
def in_seal(signed, chain) -> dict[str, bytes]:
    found = {}
    for name, change in fastdiff_corpus.IN_SEAL_REVISION.items():
        found[name] = fastdiff_corpus.sealed(signed, chain, change=change)
    return found


@pytest.fixture(scope="module")
def after_seal(issued) -> dict[str, bytes]:
    found = {name: diff_corpus.update(issued, change) for name, change in fastdiff_corpus.AFTER_SEAL.items()}
    found["catalog_replaced_by_trailer"] = fastdiff_corpus.catalog_replaced_by_trailer(issued)
    found["number_object_freed"] = fastdiff_corpus.number_object_freed(issued)
    return found


@pytest.fixture(scope="module")
def signed_drafts(draft, chain) -> dict[str, bytes]:
    drafts = {
        "dangling_reference_to_number_field": fastdiff_corpus.draft_with_dangling_reference(draft, chain),
        "broken_object_reachable": fastdiff_corpus.draft_with_broken_object(draft),
    }
    # the broken draft is signed as vanthu signed before decision 0036: the personal signature now refuses it
    # (tests/documents/test_unparsable_objects.py), but a file signed before may still be sealed
    return {name: fastdiff_corpus.sealed(fastdiff_corpus.personal_unchecked(pdf, chain), chain)
            for name, pdf in drafts.items()}


def judged_both_ways(pdf: bytes, chain: Any) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """The verdicts and report with vanthu's speedups, asserted equal to pyHanko's as shipped."""
    ours, ours_report = verdicts(pdf), report(pdf, chain)
    with speedups.suspended():
        theirs, theirs_report = verdicts(pdf), report(pdf, chain)
    assert ours == theirs
    assert ours_report == theirs_report
    return ours, ours_report


def personal_diff(found: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The difference analysis of the personal signature (the first one)."""
    return found[0][-1]


def test_pyhanko_is_the_version_the_corpus_was_judged_with():
    assert version("pyhanko") == speedups_diff.PYHANKO_VERSION


def test_a_genuine_issuance_is_form_filling_of_the_three_fields(issued, chain):
    found, whole = judged_both_ways(issued, chain)
    assert personal_diff(found) == ("diff", ModificationLevel.FORM_FILLING, ["vanthu_dau", "vanthu_ngay", "vanthu_so"])
    assert whole["valid"]


@pytest.mark.parametrize("change", sorted(fastdiff_corpus.IN_SEAL_REVISION))
def test_a_change_inside_the_seal_revision_gets_pyhankos_verdict(in_seal, chain, change):
    found, whole = judged_both_ways(in_seal[change], chain)
    seal = found[1][-1]
    assert seal == ("none",) or seal[0] == "diff"  # the seal covers its own revision: nothing after it
    if change in FIELD_NOT_SHOWN:
        assert personal_diff(found)[:2] == ("diff", ModificationLevel.FORM_FILLING), change
        assert not whole["valid"], change
        assert whole["signatures"][0]["valid"], change
        assert not whole["signatures"][1]["valid"], change
        assert any("Ô số, ký hiệu" in p for p in whole["signatures"][1]["problems"]), change
    elif change in HARMLESS_IN_SEAL:
        assert personal_diff(found)[:2] == ("diff", ModificationLevel.FORM_FILLING), change
        assert whole["valid"], change
    else:
        assert personal_diff(found)[0] == "suspicious" or personal_diff(found)[1] > ModificationLevel.FORM_FILLING
        assert not whole["valid"], change
        assert whole["signatures"][0]["modified_after"] in ("annotations", "other"), change


@pytest.mark.parametrize("change", sorted([*fastdiff_corpus.AFTER_SEAL, "catalog_replaced_by_trailer",
                                           "number_object_freed"]))
def test_a_change_after_the_seal_gets_pyhankos_verdict(after_seal, chain, change):
    _found, whole = judged_both_ways(after_seal[change], chain)
    if change in HARMLESS_AFTER_SEAL:
        assert whole["valid"], change
    elif change in FILLING_AFTER_SEAL:
        assert not whole["valid"], change
        assert whole["signatures"][1]["modified_after"] == "form_filling", change
    else:
        assert not whole["valid"], change


@pytest.mark.parametrize("case", ["dangling_reference_to_number_field", "broken_object_reachable"])
def test_the_signed_revision_decides_the_verdict_over_an_exact_vanthu_seal_revision(signed_drafts, chain, case):
    """The seal's revision is exactly vanthu's, but pyHanko does not call it form filling: a whitelist of the
    later revision's shapes would answer differently unless it read the whole signed revision."""
    found, whole = judged_both_ways(signed_drafts[case], chain)
    judged = personal_diff(found) if found[0][1] != "error" else found[0]
    assert judged[:2] != ("diff", ModificationLevel.FORM_FILLING), case
    assert not whole["valid"], case


@pytest.mark.parametrize("pages", [1, 30])
@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_genuine_issuances_get_pyhankos_verdict(chain, pages, level):
    from vanthu.demo.pdfs import sample_draft

    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line, pages=pages)
    signed = fastdiff_corpus.personal(draft, chain, level)
    fillings = [("Số: 1/QĐ-BTL", "Hà Nội, ngày 01 tháng 01 năm 2027"), ("Số: 999/KH-TM", ""),
                ("", "Ngày 31 tháng 12 năm 2026"), ("Số: 45/CV-(P)", "TP. Hồ Chí Minh, ngày 9 tháng 9 năm 2026")]
    for number, date in fillings:
        pdf = fastdiff_corpus.sealed(signed, chain, level=level, number=number, date=date)
        found, whole = judged_both_ways(pdf, chain)
        changed = sorted({"vanthu_dau"} | ({"vanthu_so"} if number else set()) | ({"vanthu_ngay"} if date else set()))
        assert personal_diff(found) == ("diff", ModificationLevel.FORM_FILLING, changed), (number, date)
        assert whole["valid"], (number, date)


@pytest.mark.parametrize("change", ["content_replaced", "number_widget_moved", "catalog_open_action",
                                    "personal_signature_dictionary_overwritten", "unreferenced_object_added"])
def test_changes_inside_a_30_page_b_t_seal_revision_get_pyhankos_verdict(chain, change):
    from vanthu.demo.pdfs import sample_draft

    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line, pages=30)
    signed = fastdiff_corpus.personal(draft, chain, "B-T")
    pdf = fastdiff_corpus.sealed(signed, chain, level="B-T", change=fastdiff_corpus.IN_SEAL_REVISION[change])
    found, whole = judged_both_ways(pdf, chain)
    assert whole["valid"] is (change in HARMLESS_IN_SEAL - FIELD_NOT_SHOWN), change
    if change in HARMLESS_IN_SEAL:
        assert personal_diff(found)[:2] == ("diff", ModificationLevel.FORM_FILLING)


@pytest.mark.parametrize("change", [None, "content_replaced", "text_annotation_added", "number_widget_moved",
                                    "catalog_open_action", "unreferenced_object_added"])
def test_revisions_with_cross_reference_streams_get_pyhankos_verdict(draft, chain, change):
    signed = fastdiff_corpus.personal(fastdiff_corpus.with_xref_stream(draft), chain)
    assert b"/XRef" in signed[len(draft) // 2:]
    pdf = fastdiff_corpus.sealed(signed, chain, change=fastdiff_corpus.IN_SEAL_REVISION[change] if change else None)
    assert pdf.count(b"/Type /XRef") + pdf.count(b"/Type/XRef") >= 3
    found, whole = judged_both_ways(pdf, chain)
    genuine = change is None or change in HARMLESS_IN_SEAL - FIELD_NOT_SHOWN
    assert whole["valid"] is genuine, change
    if genuine:
        assert personal_diff(found)[:2] == ("diff", ModificationLevel.FORM_FILLING)
