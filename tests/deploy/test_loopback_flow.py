"""Issue 17's proof on loopback: the whole flow of an office through a deployment of docs/deploy.md — nginx, two
gunicorn app servers, two job workers, an S3 server (moto) holding the files, PostgreSQL and Redis, each its own
process (vanthu/demo/loopback.py, tests/deploy/conftest.py).

A registry clerk (Lan) registers an incoming document through app server 1 and presents it; the leader (Sơn)
directs it through app server 2, with the drafter (Quang) leading; app server 1 is then killed (SIGKILL, as a
crashed machine); through the proxy, which now finds only app server 2, Quang drafts the reply in Word, whichever
worker takes the job converts it to PDF (the document's trail names the worker), Sơn signs it (his key and his
second factor), Lan issues it (number, date, the Staff's seal, her second factor) and Quang reports the
assignment done with the reply. Every answer after the kill is 2xx from app server 2 and nothing is lost or
doubled. App server 1 comes back (as systemd restarts it) and the issued signed PDF downloads through the proxy
from both app servers with the same SHA-256. The trail printed (`pytest -s`) names, for each step, the app server
that answered and, for each job, the worker that ran it; `/healthz` names every part and its state.

Short form (in ./test, on PostgreSQL): one round. Long form: VANTHU_LOOPBACK_LONG=1 (rounds: 3, app server 1
killed in the middle one and back for the last; `VANTHU_LOOPBACK_ROUNDS=N` for another number), e.g.
`VANTHU_LOOPBACK_LONG=1 pytest -s -p no:randomly tests/deploy/test_loopback_flow.py` (docs/deploy.md shows its
transcript).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.deploy.conftest import running_loopback
from tests.documents.docx_builder import decree30_docx
from vanthu.demo.loopback import Loopback
from vanthu.demo.pdfs import sample_incoming

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

LONG = os.environ.get("VANTHU_LOOPBACK_LONG") == "1"
ROUNDS = int(os.environ.get("VANTHU_LOOPBACK_ROUNDS", "3" if LONG else "1"))
KILLED_IN = (ROUNDS + 1) // 2  # the round in whose middle app server 1 is killed
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TOKENS = """
import json
from vanthu.api.actions import create_token
from vanthu.core.actors import operator
from vanthu.org.models import Person
made = {name: create_token(person=Person.objects.get(user__username=name), name="loopback flow",
                           acting=operator("loopback flow"))[1] for name in ("lan", "son", "quang")}
print(json.dumps(made))
"""
STATE = """
import json
from vanthu.documents.models import Document
from vanthu.workflow.models import Assignment
docs = [{"id": d.pk, "subject": d.subject, "status": d.status, "number": d.number, "notation": d.notation}
        for d in Document.objects.order_by("pk")]
done = list(Assignment.objects.filter(reply__isnull=False).values_list("document_id", "reply_id", "state"))
print(json.dumps({"documents": docs, "replies": done}))
"""


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loopback]:
    with running_loopback(tmp_path_factory, seed="seed_flow") as loopback:
        yield loopback


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def multipart(fields: dict[str, Any], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Flow:
    """The people's requests, each through the proxy or pinned to one app server, and the trail they leave."""

    deployment: Loopback
    tokens: dict[str, str]
    lines: list[str] = field(default_factory=list)
    answers: list[tuple[str, str, int]] = field(default_factory=list)  # (through, answered by, status)
    killed_at: int = 0  # how many answers had come when app-1 was killed

    def say(self, text: str) -> None:
        self.lines.append(text)
        print(text, flush=True)  # the trail is the test's output

    def call(self, who: str, what: str, method: str, path: str, *, via: str = "proxy", body: Any = None,
             form: dict[str, Any] | None = None, files: dict[str, tuple[str, bytes, str]] | None = None,
             key: str = "", quiet: bool = False, accept: tuple[int, ...] = ()) -> Answer:
        base = self.deployment.url if via == "proxy" else self.deployment.app_url(via)
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        data = None
        if form is not None:
            data, headers["Content-Type"] = multipart(form, files or {})
        elif body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(f"{base}/api/v1{path}", method=method, data=data,  # noqa: S310
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback, http only
                answer = Answer(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, dict(error.headers.items()), error.read())
        server = self.deployment.server_of(answer.headers)
        self.answers.append((via, server, answer.status))
        if not quiet:
            through = "through nginx" if via == "proxy" else "pinned    "
            self.say(f"  {who:<6} {what:<58} {through} → {server}  {answer.status}")
        assert answer.status < 300 or answer.status in accept, f"{what}: {answer.status} {answer.body[:600]!r}"
        return answer

    def otp(self, username: str) -> str:
        return self.deployment.cli("otp", "code", username).strip()


def one_round(flow: Flow, seeded: dict[str, Any], number: int) -> dict[str, Any]:
    """One incoming document through to the issued reply; returns the issued reply's detail."""
    units, people, types = seeded["units"], seeded["people"], seeded["doc_types"]
    deployment = flow.deployment
    flow.say(f"round {number}")
    arrival = {"unit": units["staff"], "doc_type": types["Công văn"], "organ_name": "Bộ Tổng Tham mưu",
               "code_number": str(100 + number), "code_notation": "BTTM-TC",
               "subject": f"V/v trực sẵn sàng chiến đấu, đợt {number}"}
    scan = {"file": (f"den-{number}.pdf", sample_incoming(), "application/pdf")}
    incoming = flow.call("lan", "registers an incoming document (PDF)", "POST", "/incoming", via="app-1",
                         form=arrival, files=scan, key=f"loopback-incoming-{number}").json()
    assert incoming["status"] == "registered"
    flow.say(f"         → incoming #{incoming['id']}, số đến {incoming['number']}")
    doc = incoming["id"]
    flow.call("lan", "presents it to the chief of staff Sơn", "POST", f"/documents/{doc}/present",
              body={"to": people["son"], "note": "Kính trình Tham mưu trưởng"})
    directed = flow.call("son", "directs it: Quang leads, a reply plan", "POST", f"/documents/{doc}/direct",
                         via="app-2", body={"text": "Giao Phòng Tác chiến (đ/c Quang) lập kế hoạch, trình ký.",
                                            "lead": {"type": "person", "id": people["quang"]}}).json()
    assignment = next(a for a in directed["assignments"] if a["role"] == "lead")
    if number == KILLED_IN:
        deployment.kill(deployment.app("app-1"))
        flow.killed_at = len(flow.answers)
        flow.say("  ✗ app-1 killed (SIGKILL to its process group): from here nginx finds only app-2")
        assert healthz(flow)["server"] == "app-2"
        # A client that gets the proxy's 502 sends it again with the same Idempotency-Key, as the API asks (at
        # most twice more here). Since `kill` returns only once app-1's port refuses connections, nginx should not
        # answer one: the 502s came from the moment after the master was reaped when gunicorn's worker, not yet
        # gone, still held the listening socket (a connection taken, then reset; a POST is not passed on).
        for attempt in range(3):
            again = flow.call("lan", "sends the registration again (same Idempotency-Key)", "POST", "/incoming",
                              form=arrival, files=scan, key=f"loopback-incoming-{number}",
                              accept=(502,) if attempt < 2 else ())
            if again.status != 502:
                break
        assert (again.status, again.json()["id"]) == (200, doc)  # the first one's answer: no second document
    flow.call("quang", "starts the assignment", "POST", f"/assignments/{assignment['id']}/start")
    word = decree30_docx(competence="THAM MƯU TRƯỞNG", title="", name_line="Đại tá Hoàng Văn Sơn")
    draft = flow.call("quang", "drafts the reply in Word (DOCX)", "POST", "/drafts",
                      form={"doc_type": types["KH"], "subject": f"Kế hoạch trực sẵn sàng chiến đấu, đợt {number}",
                            "drafting_unit": units["operations"], "issuing_unit": units["staff"],
                            "recipient_units": [units["division"], units["province"]]},
                      files={"file": (f"ke-hoach-{number}.docx", word, DOCX)}, key=f"loopback-draft-{number}").json()
    assert draft["versions"][0]["conversion"] == "pending"
    reply = draft["id"]
    converted = wait_for(flow, "quang", reply, lambda d: d["current_file"] is not None, "the conversion")
    event = next(e for e in flow.call("quang", "reads the draft's trail", "GET", f"/documents/{reply}/history",
                                      quiet=True).json() if e["verb"] == "documents.draft.converted")
    assert event["data"]["worker"] in {"worker-1", "worker-2"}, event
    flow.say(f"         → draft #{reply}: DOCX converted to PDF by {event['data']['worker']} "
             f"({converted['page_amount']} page(s), {converted['current_file']['sha256'][:12]}…)")
    submitted = flow.call("quang", "submits it: Lan checks the format, then Sơn signs", "POST",
                          f"/documents/{reply}/submit", body={"signer_authority": seeded["authority"], "reviewers": [
                              {"kind": "format", "person": people["lan"]}]}).json()
    assert submitted["status"] == "in_review"
    checked = flow.call("lan", "checks the format (Decree 30 Điều 12): all four items", "POST",
                        f"/documents/{reply}/review", body={"approve": True, "checklist": {
                            "layout": True, "components": True, "recipients": True, "secrecy": True}}).json()
    assert checked["status"] == "awaiting_signature"
    signed = flow.call("son", "signs it (his key's PIN, his second factor)", "POST", f"/documents/{reply}/sign",
                       body={"secret": seeded["secret"], "otp": flow.otp("son")}).json()
    assert signed["status"] == "signed"
    issued = flow.call("lan", "issues it (number, date, the Staff's seal, 2nd factor)", "POST",
                       f"/documents/{reply}/issue", body={"otp": flow.otp("lan"), "expected_version": signed["version"]}
                       ).json()
    assert issued["status"] == "issued"
    flow.say(f"         → issued {issued['notation']}, signed PDF {issued['current_file']['sha256'][:12]}…")
    done = flow.call("quang", "reports the assignment done, with the reply", "POST",
                     f"/assignments/{assignment['id']}/complete",
                     body={"result": f"Đã ban hành kế hoạch {issued['notation']}.", "reply": reply}).json()
    assert done["state"] == "done", done
    return issued


def wait_for(flow: Flow, who: str, document: int, ready: Any, what: str, tries: int = 300) -> dict[str, Any]:
    """Read the document (through the proxy) until `ready(detail)`: the page does the same every 2 s."""
    for _ in range(tries):
        detail = flow.call(who, "reads the document", "GET", f"/documents/{document}", quiet=True).json()
        if ready(detail):
            return dict(detail)
        time.sleep(1)
    raise AssertionError(f"{what} did not happen: {detail}\n{flow.deployment.logs_tail()}")


def download_from_both(flow: Flow, document: int, sha256: str) -> dict[str, str]:
    """The issued PDF through the proxy until both app servers have handed it over (nginx skips app-1 for
    `fail_timeout` after its restart): which server → SHA-256 of the bytes received."""
    served: dict[str, str] = {}
    for _ in range(60):
        answer = flow.call("lan", "downloads the issued signed PDF", "GET", f"/documents/{document}/files/{sha256}",
                           quiet=True)
        assert answer.headers["Content-Type"] == "application/pdf"
        served[flow.deployment.server_of(answer.headers)] = hashlib.sha256(answer.body).hexdigest()
        if {"app-1", "app-2"} <= set(served):
            break
        time.sleep(0.5)
    return served


def test_the_whole_flow_across_two_app_servers_and_two_workers(deployment: Loopback) -> None:
    seeded = deployment.document
    flow = Flow(deployment, deployment.shell_json(TOKENS))
    flow.say(f"loopback: nginx {deployment.url} → app-1 :{deployment.app('app-1').port}, app-2 "
             f":{deployment.app('app-2').port}; worker-1, worker-2; S3 (moto); PostgreSQL; Redis")
    state = healthz(flow)
    for _ in range(60):  # each worker says it is alive when it starts, then every few seconds
        if state["jobs"]["workers"] == 2:
            break
        time.sleep(1)
        state = healthz(flow)
    assert state["files"] == {"ok": True, "kind": "s3"}
    assert state["jobs"]["engine"] == "redis"
    assert state["jobs"]["workers"] == 2
    assert state["cache"] == {"ok": True, "kind": "redis"}

    issued = []
    for number in range(1, ROUNDS + 1):
        issued.append(one_round(flow, seeded, number))
        if number == KILLED_IN:
            # the proxy's own 502s (no server named) were sent again by the client and answered by app-2 (above)
            after_kill = [a for a in flow.answers[flow.killed_at:] if (a[1], a[2]) != ("?", 502)]
            assert len(flow.answers) - flow.killed_at - len(after_kill) <= 2
            assert {server for via, server, _status in after_kill if via == "proxy"} == {"app-2"}
            assert {status for _via, _server, status in after_kill} <= {200, 201}
            deployment.restart(deployment.app("app-1"))
            flow.say("  ↻ app-1 started again (as systemd would), on its port")

    refused = deployment.root.joinpath("nginx", "error.log").read_text(errors="replace").count("Connection refused")
    flow.say(f"nginx: {refused} connection(s) to the killed app-1 refused, each request passed on to app-2")
    # A proxy's own 502 right after the kill (see above: not expected since `kill` waits for the port to refuse)
    # was sent again by the client with its Idempotency-Key and answered by app-2.
    resent = [a for a in flow.answers if (a[1], a[2]) == ("?", 502)]
    assert len(resent) <= 2
    assert refused >= 1 or resent
    assert all(status < 500 for _via, server, status in flow.answers if (server, status) != ("?", 502))
    statuses = [line.split('" ', 1)[1].split()[0] for line in deployment.root.joinpath(
        "nginx", "access.log").read_text(errors="replace").splitlines() if '" ' in line]
    assert statuses
    # nginx answered no one with a 5xx but those resent 502s
    assert len([status for status in statuses if status.startswith("5")]) == len(resent)

    flow.say("downloads of the issued signed PDFs through nginx (X-Accel-Redirect to a presigned S3 GET)")
    for document in issued:
        sha256 = document["current_file"]["sha256"]
        served = download_from_both(flow, document["id"], sha256)
        for server, digest in sorted(served.items()):
            flow.say(f"  {document['notation']:<10} via {server}: sha256 {digest}")
        assert set(served) == {"app-1", "app-2"}, served
        assert set(served.values()) == {sha256}

    # nothing lost, nothing doubled: the database holds each incoming document and each reply once, issued,
    # numbered one after the other, each delivered, and each assignment done with its reply
    held = deployment.shell_json(STATE)
    incoming = [d for d in held["documents"] if d["subject"].startswith("V/v trực sẵn sàng")]
    plans = [d for d in held["documents"] if d["subject"].startswith("Kế hoạch trực sẵn sàng")]
    replies = [d for d in plans if d["id"] in {i["id"] for i in issued}]
    assert len(incoming) == ROUNDS
    assert len(replies) == ROUNDS
    assert {d["status"] for d in replies} == {"issued"}
    # and each reached its two recipients in the system (the division, the province), once
    assert sorted(d["status"] for d in plans if d not in replies) == ["received"] * 2 * ROUNDS
    assert sorted(d["number"] for d in replies) == list(range(1, ROUNDS + 1))
    assert sorted(reply for _doc, reply, _state in held["replies"]) == sorted(d["id"] for d in replies)

    jobs = deployment.shell_json("from vanthu.demo.loopback_side import job_trail; job_trail()")
    flow.say("jobs (RQ), oldest first: which worker ran each")
    for job in jobs:
        flow.say(f"  {job['job']}({', '.join(map(str, job['args']))}) {job['status']:<9} {job['worker']}")
    assert {job["worker"] for job in jobs if job["status"] == "finished"} == {"worker-1", "worker-2"}
    served_by = sorted({server for _via, server, status in flow.answers if (server, status) != ("?", 502)})
    flow.say(f"answered by: {', '.join(served_by)}; {len(flow.answers)} requests, none 5xx but {len(resent)} resent")
    assert served_by == ["app-1", "app-2"]
    final = healthz(flow)
    assert final["status"] == "ok"


def healthz(flow: Flow) -> dict[str, Any]:
    request = urllib.request.Request(f"{flow.deployment.url}/healthz")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        state: dict[str, Any] = json.loads(response.read())
        server = response.headers.get("X-Vanthu-Server", "")
    flow.answers.append(("proxy", server, 200))
    flow.say(f"  /healthz through nginx → {server}: {json.dumps(state, ensure_ascii=False)}")
    assert state["status"] == "ok"
    assert state["server"] == server
    assert state["database"] == {"ok": True}
    return state
