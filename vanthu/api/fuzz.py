"""schemathesis over the whole API, in process (issue 18 item 7): the short form runs in the test suite
(tests/api/test_schemathesis.py), the long form is `vanthu apifuzz` (docs/api.md records its figures).

Every operation is generated from the served OpenAPI document, in positive mode (data the schema admits) and
negative mode (data it does not), and called through the WSGI application as each given person (their tokens).
Ids in paths are seeded with real ones half of the time, so operations reach their real work and not only 404.
Each answer goes through schemathesis' checks; failures are counted by check and kept as short lines.
`run_stateful` is schemathesis' stateful phase: its state machine chains operations over the links it infers
from the document (a listed or created document's id into the operations on it), with `use_after_free` and
`ensure_resource_availability` among the checks.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# What must never fail; the suite asserts these are zero.
CONTRACT_CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
                   "response_headers_conformance", "response_schema_conformance", "negative_data_rejection",
                   "missing_required_header", "unsupported_method", "ignored_auth", "use_after_free",
                   "ensure_resource_availability")
# Checks of schemathesis' stateful phase (its state machine over OpenAPI links), which these runs do not use.
STATEFUL_CHECKS = ("use_after_free", "ensure_resource_availability")
# Who may use an operation (issue 13 item 6: every operation exercised authenticated as a person allowed to use
# it): the first rule whose method and path prefix match names the fixed characters (vanthu/demo/characters.py)
# whose role the operation needs; the other people of the run come after them in turn, so the refusals are
# fuzzed too. Reads open to everyone fall to the last rule (every person of the run).
ALLOWED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("POST", "/api/v1/incoming", ("lan",)),
    ("POST", "/api/v1/drafts", ("quang",)),
    ("POST", "/api/v1/assignments/", ("quang", "lan")),
    ("POST", "/api/v1/tasks", ("hung", "quang")),
    ("POST", "/api/v1/directives", ("hung",)),
    ("POST", "/api/v1/extensions/", ("hung",)),
    ("POST", "/api/v1/catalogues/{catalogue_id}/approve", ("hung", "son")),
    ("POST", "/api/v1/catalogues", ("lan",)),
    ("POST", "/api/v1/records/freeze", ("son", "hung")),  # heads (and security officers): decision 0027
    ("POST", "/api/v1/records/unfreeze", ("son", "hung")),
    ("POST", "/api/v1/records", ("lan", "quang")),
    ("POST", "/api/v1/transfers", ("lan",)),
    ("POST", "/api/v1/handovers", ("lan", "quang")),
    ("GET", "/api/v1/exchange/peers", ("quantri",)),
    ("GET", "/api/v1/exchange/", ("lan",)),
    ("GET", "/api/v1/arrivals", ("lan",)),
    ("GET", "/api/v1/registers/", ("lan",)),
    ("GET", "/api/v1/records-due", ("lan",)),
    ("POST", "/api/v1/documents/{document_id}/direct", ("hung", "son")),
    ("POST", "/api/v1/documents/{document_id}/sign", ("son", "hung")),
    ("POST", "/api/v1/documents/{document_id}/remote-signature", ("son", "hung")),
    ("POST", "/api/v1/documents/{document_id}/return-for-revision", ("son", "hung")),
    ("POST", "/api/v1/documents/{document_id}/review", ("son", "hung")),
    ("POST", "/api/v1/documents/{document_id}/versions", ("quang",)),
    ("POST", "/api/v1/documents/{document_id}/submit", ("quang",)),
    ("POST", "/api/v1/documents/{document_id}/", ("lan",)),  # register, present, issue, recall, copies, retries
)


def allowed_people(method: str, path: str, people: list[str]) -> list[str]:
    """The run's people in the order an operation's cases use them: those allowed to use it first."""
    for rule_method, prefix, names in ALLOWED:
        if method == rule_method and path.startswith(prefix):
            first = [name for name in names if name in people]
            return first + [name for name in people if name not in first]
    return list(people)


# Reported but expected where no schema can say the rule (an id that does not exist, a state that forbids it).
ADVISORY_CHECKS = ("positive_data_acceptance",)


@dataclass
class Report:
    operations: int = 0
    cases: int = 0
    calls: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)
    refusals: Counter[str] = field(default_factory=Counter)  # positive data refused: status and error code
    unsatisfiable: int = 0  # operation × mode with no data of that kind (nothing invalid to send)
    invisible_negative: int = 0  # negative cases whose invalid part HTTP cannot carry (an empty list of values)
    stateful: bool = False  # the run of schemathesis' state machine (its checks then ran)
    callers: dict[str, set[str]] = field(default_factory=dict)  # operation → people who called it
    reached: dict[str, set[str]] = field(default_factory=dict)  # operation → people it answered with a 2xx

    people: list[str] = field(default_factory=list)

    def called_as_allowed(self) -> set[str]:
        """The operations called at least once as the first person allowed to use them (ALLOWED)."""
        def first(op: str) -> str:
            method, _, path = op.partition(" ")
            return allowed_people(method, path, self.people)[0]

        return {op for op, names in self.callers.items() if first(op) in names}

    def contract_failures(self) -> dict[str, int]:
        return {name: n for name, n in self.failures.items() if name not in ADVISORY_CHECKS}

    def lines(self) -> list[str]:
        out = [f"operations: {self.operations}", f"generated cases: {self.cases}", f"calls: {self.calls}",
               f"operation × mode with nothing to generate: {self.unsatisfiable}",
               f"negative cases whose invalid part a query string cannot carry: "
               f"{self.invisible_negative}",
               "statuses: " + ", ".join(f"{s}×{n}" for s, n in sorted(self.statuses.items()))]
        if self.callers:
            allowed = len(self.called_as_allowed())
            out.append(f"operations called as a person allowed to use them: {allowed} of {len(self.callers)}")
            out.append(f"operations that answered 2xx (reached their work): {len(self.reached)} of "
                       f"{len(self.callers)}")
        for name in (*CONTRACT_CHECKS, *ADVISORY_CHECKS):
            if name in STATEFUL_CHECKS and not self.stateful:
                out.append(f"  {name}: not run (needs schemathesis' stateful phase)")
            else:
                out.append(f"  {name}: {self.failures.get(name, 0)} failures")
        if self.refusals:
            out.append("positive data refused (rules no schema can express):")
            out += [f"  {kind}: {n}" for kind, n in self.refusals.most_common()]
        for name, samples in self.samples.items():
            out.append(f"examples of {name}:")
            out += [f"  {s}" for s in samples[:5]]
        return out


def _checks() -> list[Callable[..., Any]]:
    from schemathesis import checks

    # negative_data_rejection and positive_data_acceptance are judged here from the generation mode (schemathesis'
    # own versions report after the run, outside the per-case loop).
    own = ("use_after_free", "ensure_resource_availability", "negative_data_rejection", "positive_data_acceptance")
    return [getattr(checks, name) for name in (*CONTRACT_CHECKS, *ADVISORY_CHECKS) if name not in own]


def load_schema() -> Any:
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    # The token is the caller's, given to each call: schemathesis does not invent Authorization headers.
    schema.config.generation.with_security_parameters = False
    return schema


LIMITS_CACHE = "apifuzz-rate-limits"


@contextlib.contextmanager
def _own_rate_limits() -> Iterator[None]:
    """The run's rate-limit counters (decision 0021) in a cache of their own, never the deployment's: the
    stateful phase empties it at the start of each scenario, as it rolls the database back, so that what a
    scenario meets does not depend on the scenarios before it (ignored_auth's probes send an invalid token after
    every 2xx: over a run, far more than one address's rate of failed tokens, which the API then answers 429)."""
    from django.conf import settings
    from django.test.utils import override_settings

    own = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": LIMITS_CACHE}
    with override_settings(CACHES={**settings.CACHES, LIMITS_CACHE: own}, RATELIMIT_USE_CACHE=LIMITS_CACHE):
        yield


def _record(report: Report, exc: BaseException, case: Any) -> None:
    from schemathesis.core.failures import Failure

    failures = list(getattr(exc, "exceptions", [exc]))
    for failure in failures:
        if not isinstance(failure, Failure):
            name = type(failure).__name__
            detail = str(failure)[:200]
        else:
            # the check that reported it (schemathesis' failures name theirs in `checks`), so that the report's
            # line of that check counts it; the message says what was answered
            name = next(iter(getattr(failure, "checks", ()) or ()), "") or type(failure).__name__
            detail = f"{failure.title or ''}: {failure.message or ''}"[:300]
        report.failures[name] += 1
        report.samples.setdefault(name, []).append(f"{case.method} {case.formatted_path}: {detail}")


def _sends_nothing_invalid(case: Any) -> bool:
    """A negative case whose mutation a query string cannot carry: a parameter with no values (nothing is
    sent), one value in a list, or an object (sent as its text, which a text parameter takes). The request the
    server gets is then valid and a 200 is right. (A list of several values for a one-value parameter is sent
    as a repeated parameter, which the server refuses.) An empty value: the parameter left out, as decision 0019
    says for forms and query strings."""
    query = case.query if isinstance(case.query, dict) else {}
    # an empty value is the parameter left out (decision 0019: empty is null in forms and query strings)
    return any(isinstance(value, dict) or (isinstance(value, list) and len(value) <= 1) or value == ""
               for value in query.values())


class _Unknown:
    method = "?"
    formatted_path = "?"


def _refusal_kind(response: Any) -> str:
    try:
        code = response.json()["error"]["code"]
    except Exception:
        code = "?"
    return f"{response.status_code} {code}"


def run(
    *, tokens: dict[str, str], seeds: dict[str, list[int]], max_examples: int, seed: int = 18,
    modes: tuple[str, ...] = ("positive", "negative"),     operations: Callable[[str, str], bool] | None = None,
) -> Report:
    """Fuzz every operation as each person of `tokens` (name → secret). `seeds` maps a path parameter name
    (document_id, task_id, …) to real ids to use half of the time."""
    from django.core import signals
    from django.db import close_old_connections

    report = Report(people=list(tokens))
    # The calls go through the WSGI handler in this thread, on the caller's connection (inside its transaction,
    # in a test or `vanthu apifuzz`): keep it open between requests, as Django's test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with _own_rate_limits():
            _run_all(load_schema(), report, operations=operations, modes=modes, chooser=random.Random(seed),
                     people=list(tokens.items()), seeds=seeds, max_examples=max_examples)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return report


def _run_all(
    schema: Any, report: Report, *, operations: Callable[[str, str], bool] | None, modes: tuple[str, ...],
    chooser: random.Random, people: list[tuple[str, str]], seeds: dict[str, list[int]], max_examples: int,
) -> None:
    from schemathesis import GenerationMode

    checks = _checks()

    for result in schema.get_all_operations():
        operation = result.ok()
        if operations is not None and not operations(operation.method.upper(), operation.path):
            continue
        report.operations += 1
        by_name = dict(people)
        ordered = [(name, by_name[name])
                   for name in allowed_people(operation.method.upper(), operation.path, list(by_name))]
        for mode in modes:
            _fuzz_one(operation.as_strategy(generation_mode=GenerationMode(mode)), mode=mode, report=report,
                      checks=checks, chooser=chooser, people=ordered, seeds=seeds, max_examples=max_examples)


def _fuzz_one(
    strategy: Any, *, mode: str, report: Report, checks: list[Callable[..., Any]], chooser: random.Random,
    people: list[tuple[str, str]], seeds: dict[str, list[int]], max_examples: int,
) -> None:
    from hypothesis import HealthCheck, Phase, given, settings

    count = [0]  # this operation's cases in this mode: the first goes to the first person allowed to use it
    if True:
        if True:
            @given(case=strategy)
            @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def test(case: Any) -> None:
                report.cases += 1
                for name, values in seeds.items():
                    if (mode == "positive" and case.path_parameters and name in case.path_parameters and values
                            and chooser.random() < 0.5):
                        case.path_parameters[name] = chooser.choice(values)
                person, secret = people[count[0] % len(people)]
                count[0] += 1
                headers = {"Authorization": f"Bearer {secret}"}
                operation = f"{case.method.upper()} {case.operation.path}"
                report.callers.setdefault(operation, set()).add(person)
                try:
                    response = case.call(headers=headers)
                except Exception as exc:
                    _record(report, exc, case)
                    return
                report.calls += 1
                report.statuses[response.status_code] += 1
                if response.status_code < 300:
                    report.reached.setdefault(operation, set()).add(person)
                if mode == "positive" and response.status_code >= 400:
                    report.refusals[_refusal_kind(response)] += 1
                    report.failures["positive_data_acceptance"] += 1
                if mode == "negative" and response.status_code < 400 and _sends_nothing_invalid(case):
                    report.invisible_negative += 1
                elif mode == "negative" and response.status_code < 400:
                    report.failures["negative_data_rejection"] += 1
                    report.samples.setdefault("negative_data_rejection", []).append(
                        f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:150]} -> "
                        f"{response.status_code}")
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:
                    _record(report, exc, case)

            try:
                test()
            except (Exception, BaseExceptionGroup) as exc:
                if type(exc).__name__ == "Unsatisfiable":  # nothing invalid to send (an operation without input)
                    report.unsatisfiable += 1
                else:
                    _record(report, exc, _Unknown())


def run_stateful(*, tokens: dict[str, str], max_examples: int, steps: int, seed: int = 18) -> Report:
    """schemathesis' stateful phase: its state machine over the links it infers from the OpenAPI document (an
    operation whose answer carries an id → the operations taking that id), each scenario as one person, with the
    contract's checks plus the stateful ones (`use_after_free`, `ensure_resource_availability`)."""
    from django.core import signals
    from django.db import close_old_connections
    from schemathesis import checks as sc

    report = Report(stateful=True)
    stateful = [getattr(sc, name) for name in (*CONTRACT_CHECKS, *ADVISORY_CHECKS)
                if name not in ("negative_data_rejection", "positive_data_acceptance")]
    people = list(tokens.items())
    # The calls (loading the schema included) go through the WSGI handler on the caller's connection, inside
    # its transaction: keep it open between requests (see `run`).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with _own_rate_limits():
            _run_machine(load_schema().as_state_machine(), report, people=people, checks=stateful,
                         max_examples=max_examples, steps=steps)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return report


def _run_machine(base: Any, report: Report, *, people: list[tuple[str, str]],
                 checks: list[Callable[..., Any]], max_examples: int, steps: int) -> None:
    """One run of the state machine per person. Hypothesis replays a scenario and expects the same draws: each
    scenario starts from the same database (a savepoint taken in `setup`, rolled back in `teardown`) with no rate
    limit used, and one person's token is used for the whole run — nothing a scenario draws depends on what an
    earlier one did."""
    from django.core.cache import caches
    from django.db import transaction
    from hypothesis import HealthCheck, settings

    report.operations = len(getattr(base, "bundles", {}) or {})
    for _name, secret in people:

        class Machine(base):
            def setup(self) -> None:
                self._savepoint = transaction.savepoint()
                caches[LIMITS_CACHE].clear()  # and no rate limit used (`_own_rate_limits`)

            def teardown(self) -> None:
                transaction.savepoint_rollback(self._savepoint)

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"headers": {"Authorization": f"Bearer {secret}"}}  # noqa: B023

            def validate_response(self, response: Any, case: Any, additional_checks: Any = None,
                                  **kwargs: Any) -> None:
                report.cases += 1
                report.calls += 1
                report.statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=checks, headers=kwargs.get("headers"))
                except (Exception, BaseExceptionGroup) as exc:
                    _record(report, exc, case)

        Machine.run(settings=settings(max_examples=max(1, max_examples // len(people)), stateful_step_count=steps,
                                      derandomize=True, database=None, deadline=None,
                                      suppress_health_check=list(HealthCheck)))
