"""schemathesis over the whole API, short form (issue 18 item 7): a fixed seed, a few cases per operation and
mode, as three people, with real ids in paths half of the time. Runs on SQLite and PostgreSQL (both halves of
./test). The long form is `vanthu apifuzz` (figures in docs/api.md).

It fails when any operation answers a server error, a status its schema does not list, a body outside its
schema, a wrong content type or headers, or accepts data its schema forbids."""

from __future__ import annotations

from tests.api.conftest import new_token, register_incoming
from vanthu.api.fuzz import CONTRACT_CHECKS, STATEFUL_CHECKS, run, run_stateful


def test_schemathesis_short_run_finds_no_breach_of_the_contract(cast, doc_types, incoming_pdf):
    document = register_incoming(cast, doc_types, incoming_pdf)
    tokens = {"lan": new_token(cast.lan), "hung": new_token(cast.hung), "quang": new_token(cast.quang),
              "son": new_token(cast.son), "quantri": new_token(cast.admin)}
    report = run(tokens=tokens, seeds={"document_id": [document.pk]}, max_examples=3, seed=18)
    summary = "\n".join(report.lines())
    assert report.operations >= 56, summary
    # every operation was called, and called as a person allowed to use it (issue 13 item 6)
    assert len(report.callers) == report.operations, summary
    assert report.called_as_allowed() == set(report.callers), summary
    assert report.calls >= report.operations * 2, summary
    assert report.contract_failures() == {}, summary
    assert report.statuses.get(500, 0) == 0, summary
    assert set(CONTRACT_CHECKS) >= {"not_a_server_error", "status_code_conformance", "response_schema_conformance"}
    assert report.statuses.get(200, 0) > 0, summary  # real work was reached, not only refusals


def test_schemathesis_stateful_phase_finds_no_breach_of_the_contract(cast, doc_types, incoming_pdf):
    """schemathesis' own stateful phase: scenarios chaining operations over the links it infers (a listed or
    created document's id into the operations on it), with use_after_free and ensure_resource_availability."""
    register_incoming(cast, doc_types, incoming_pdf)
    tokens = {"lan": new_token(cast.lan), "hung": new_token(cast.hung)}
    report = run_stateful(tokens=tokens, max_examples=6, steps=4, seed=18)
    summary = "\n".join(report.lines())
    assert report.stateful
    assert report.calls >= 6, summary
    assert report.contract_failures() == {}, summary
    assert report.statuses.get(500, 0) == 0, summary
    assert all(f"{name}: 0 failures" in summary for name in STATEFUL_CHECKS), summary
