"""The short form of the intake fuzzing (issue 13 item 6): a fixed set of hypothesis cases (derandomized) per
target, each under the 10-second limit. The long form is `vanthu fuzz intake --minutes N`."""

from __future__ import annotations

import pytest
from asn1crypto import pem

from tests.api.conftest import incoming_form, new_token
from tests.api.test_drafting_api import draft_form
from vanthu.api import intake_fuzz


@pytest.fixture(scope="module")
def seeds():
    from vanthu.demo.pdfs import sample_draft, sample_incoming

    return intake_fuzz.make_seeds(incoming=sample_incoming(), draft=sample_draft())


@pytest.fixture
def context(cast, doc_types):
    return intake_fuzz.Context(incoming_token=new_token(cast.lan), draft_token=new_token(cast.quang),
                               incoming_form=incoming_form(cast, doc_types), draft_form=draft_form(cast, doc_types))


def test_upload_check_and_signature_validation_survive_mutated_files(seeds):
    report = intake_fuzz.fuzz(seeds=seeds, targets=("check", "verify"), max_examples=40)
    summary = "\n".join(report.lines())
    assert report.failures == 0, summary
    assert report.cases["check"] >= 35, summary
    assert report.cases["verify"] >= 15, summary
    outcomes = set(report.outcomes)
    # the mutations reach every kind of answer: accepted, the hostile kinds refused, broken files refused
    assert {"check: accepted", "check: refused pdf_corrupt", "check: refused pdf_active_content",
            "check: refused zip_bomb"} <= outcomes, summary
    assert "verify: unreadable" in outcomes, summary


def test_incoming_and_draft_uploads_refuse_cleanly_and_leave_nothing_behind(seeds, context):
    report = intake_fuzz.fuzz(seeds=seeds, targets=("incoming", "draft"), max_examples=12, context=context)
    summary = "\n".join(report.lines())
    assert report.failures == 0, summary
    assert report.cases["incoming"] >= 10, summary
    assert report.cases["draft"] >= 10, summary
    assert any(o.startswith("incoming: refused") for o in report.outcomes), summary
    assert any(o.startswith("draft: refused") for o in report.outcomes), summary


def test_conversion_of_mutated_docx_ends_in_a_pdf_or_a_message(seeds):
    report = intake_fuzz.fuzz(seeds=seeds, targets=("convert",), max_examples=4)
    summary = "\n".join(report.lines())
    assert report.failures == 0, summary
    assert report.cases["convert"] >= 1, summary


@pytest.mark.parametrize("mutation", ["flip", "truncate", "xref", "nesting", "javascript"])
def test_vanthu_verify_exits_0_1_or_2_on_a_mutated_signed_file(seeds, tmp_path, mutation):
    data = intake_fuzz.apply(seeds, "signed", [(mutation, 12345)])
    roots = b"".join(pem.armor("CERTIFICATE", root.dump()) for root in seeds.roots)
    with intake_fuzz.time_limit(intake_fuzz.TIMEOUT_SECONDS):
        code = intake_fuzz.verify_cli(data, roots, tmp_path)
    assert code in (1, 2)
    assert intake_fuzz.verify_cli(seeds.signed, roots, tmp_path) == 0


def test_a_hang_is_caught_by_the_time_limit():
    import time

    def forever() -> None:
        with intake_fuzz.time_limit(0.2):
            while True:
                time.sleep(0.01)

    with pytest.raises(intake_fuzz.Hang):
        forever()


def _fuzz_command(*args: str) -> tuple[int, str]:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("fuzz", "intake", *args, stdout=out, stderr=io.StringIO())
    return int(exit_.value.code or 0), out.getvalue()


def test_vanthu_fuzz_intake_prints_the_figures_and_leaves_the_database_as_it_was(cast, doc_types, incoming_pdf,
                                                                                 draft_pdf):
    import json

    from tests.api.conftest import register_incoming
    from tests.api.test_drafting_api import create_draft
    from vanthu.core.models import StoredFile
    from vanthu.documents.models import Document

    register_incoming(cast, doc_types, incoming_pdf)
    assert create_draft(intake_fuzz_client(cast), cast, doc_types, draft_pdf).status_code == 201
    before = (Document.objects.count(), StoredFile.objects.count())
    code, out = _fuzz_command("--minutes", "0.02", "--targets", "check,incoming", "--json")
    figures = json.loads(out)
    assert code == 0, figures
    assert figures["crashes"] == 0
    assert figures["hangs"] == 0
    assert figures["per_target"]["check"] >= 1
    assert (Document.objects.count(), StoredFile.objects.count()) == before  # rolled back


def test_vanthu_fuzz_intake_refuses_an_unknown_target():
    assert _fuzz_command("--targets", "nothing")[0] == 2


def intake_fuzz_client(cast):
    from tests.api.conftest import ApiClient

    return ApiClient(new_token(cast.quang))
