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


def test_each_scenario_starts_with_no_rate_limit_used(cast, doc_types, incoming_pdf, settings):
    """ignored_auth's probes send an invalid token after every 2xx of the stateful phase: over a run, more than one
    address's rate of failed tokens (decision 0021), which the API rightly answers 429. Each scenario starts with
    no rate limit used, as it starts from the same database, so the probes meet the 401 and not an earlier
    scenario's 429; a failure is counted under its check's name (the report's line of that check)."""
    from schemathesis.openapi.checks import AuthScenario, IgnoredAuth

    from vanthu.api.fuzz import Report, _record

    settings.RATELIMIT_API_AUTH = "3/m"  # as many as one scenario's probes (3 steps) at most, fewer than the run's
    register_incoming(cast, doc_types, incoming_pdf)
    report = run_stateful(tokens={"lan": new_token(cast.lan)}, max_examples=24, steps=3, seed=18)
    summary = "\n".join(report.lines())
    assert report.statuses.get(200, 0) > 3, summary  # enough 2xx, each probed, to pass the rate in one run
    assert report.statuses.get(429, 0) == 0, summary
    assert "ignored_auth: 0 failures" in summary, summary
    assert report.contract_failures() == {}, summary
    counted = Report()
    _record(counted, IgnoredAuth(operation="GET /api/v1/inbox", message="Expected 401 or 403, got `429`",
                                 scenario=AuthScenario.INVALID_AUTH), type("Case", (), {
                                     "method": "GET", "formatted_path": "/api/v1/inbox"})())
    assert counted.failures == {"ignored_auth": 1}
    assert counted.samples["ignored_auth"][0].endswith("Expected 401 or 403, got `429`")
