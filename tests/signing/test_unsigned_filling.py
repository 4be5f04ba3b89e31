"""A form field filled or changed after the last signature is signed by no one: the number of an issued document
changed after the seal makes the seal's report invalid (while the number and date filled before the seal stay
allowed after the personal signature, because the seal covers them)."""

from __future__ import annotations

import pytest

from tests.signing import diff_corpus
from vanthu.signing import validation
from vanthu.signing.bench import BLOCK, make_pki, vanthu_issue


@pytest.fixture(scope="module")
def issued():
    from vanthu.demo.pdfs import sample_draft

    chain = make_pki("rsa")
    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    return chain, vanthu_issue(draft, chain, "B-B")


def test_the_issued_document_is_valid_with_the_filling_before_the_seal(issued):
    chain, pdf = issued
    result = validation.validate_pdf(pdf, trust_roots=[chain.root])
    assert result.valid
    assert [s.modified_after for s in result.signatures] == ["form_filling", "none"]


@pytest.mark.parametrize("name", ["vanthu_so", "vanthu_ngay"])
def test_a_field_changed_after_the_seal_is_refused(issued, name):
    chain, pdf = issued
    changed = diff_corpus.update(pdf, lambda writer: diff_corpus.field_value_changed(writer, name))
    result = validation.validate_pdf(changed, trust_roots=[chain.root])
    assert not result.valid
    personal, seal = result.signatures
    assert personal.valid
    assert seal.modified_after == "form_filling"
    assert not seal.valid
    assert any("sau chữ ký cuối cùng" in p for p in seal.problems)
