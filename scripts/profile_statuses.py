"""Profile the status path of the exchange between two real deployments (vanthu.demo.peers), phase by phase.

    python scripts/profile_statuses.py [N] [OUT] [--server]

MR10 issues N documents to MR11 and delivers them; MR11's clerk registers them (each a status 03 to the
outbox, with the 01s written on arrival). Then:

- the receiver's status phase (MR11 builds, signs and sends the 01s and 03s; MR10's server verifies and
  applies them) is timed from each process's clock, and profiled (cProfile) in the delivering process, with
  its SQL statements counted: OUT/receiver.prof;
- with both servers stopped, MR10 applies the same status envelopes again (as its server got them, in
  batches of VANTHU_EXCHANGE_BATCH, through `receiving.receive_many`), inside a transaction rolled back each
  time: once to warm up, once timed (CPU and SQL statements per status), once profiled: OUT/sender.prof.

With --server, MR10's server is replaced for the status phase by the same deployment served from one thread
(wsgiref) with each request profiled on its own: OUT/server.prof.1, .2, … (the first ones are the start's
health checks).

Read the profiles with `python -m pstats OUT/sender.prof` (sort cumtime, stats 40).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from vanthu.demo.peers import ROOT, VANTHU, Deployment, regions, template

PROFILE_SERVER = False

RECEIVER = """
import cProfile, json, os, time
from pathlib import Path
from django.db import connection
from django.test.utils import CaptureQueriesContext
from vanthu.demo import peers_side as s
from vanthu.documents import delivering
from vanthu.documents.models import OutboxMessage

from vanthu.demo.peers import group_cpu_seconds

def server_cpu():  # the sender's server process group, as Deployment.cpu_seconds reads it
    return group_cpu_seconds(SERVER)

requests = []
profile = cProfile.Profile()
cpu = time.process_time()
with CaptureQueriesContext(connection) as queries:
    for pk in list(OutboxMessage.objects.filter(state="waiting").order_by("pk").values_list("pk", flat=True)):
        if not OutboxMessage.objects.filter(pk=pk, state="waiting").exists():
            continue
        before = server_cpu()
        profile.enable()
        delivering.deliver_message(pk)
        profile.disable()
        requests.append(round((server_cpu() - before) * 1000))
cpu = time.process_time() - cpu
profile.dump_stats(OUT)
print("RESULT" + json.dumps({"cpu": cpu, "messages": 100, "queries": len(queries), "server_ms": requests}))
"""

SENDER = """
import cProfile, json, time
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from vanthu.core.models import StoredFile
from vanthu.documents.models import Recipient, RecipientStatus
from vanthu.exchange import receiving
from vanthu.exchange.models import Peer, ReceivedEnvelope

rows = list(ReceivedEnvelope.objects.filter(kind="status").select_related("raw").order_by("pk"))
items = [row.raw.read_bytes() for row in rows]
peer = Peer.objects.get(name="qk11")
size = settings.EXCHANGE_BATCH

class Back(Exception):
    pass

def replay(profile=None):
    try:
        with transaction.atomic():
            raws = [row.raw_id for row in rows]
            RecipientStatus.objects.filter(evidence_id__in=raws).delete()
            ReceivedEnvelope.objects.filter(kind="status").delete()
            StoredFile.objects.filter(pk__in=raws).delete()
            Recipient.objects.exclude(organ_id="").update(state="received", reason="")
            with CaptureQueriesContext(connection) as queries:
                cpu = time.process_time()
                if profile is not None:
                    profile.enable()
                receipts = []
                for start in range(0, len(items), size):
                    receipts += receiving.receive_many(items[start:start + size], transport="http", peer=peer)
                if profile is not None:
                    profile.disable()
                cpu = time.process_time() - cpu
            states = sorted({r.envelope.state if r else "error" for r in receipts})
            applied = RecipientStatus.objects.filter(evidence_id__isnull=False).count()
            accepted = Recipient.objects.filter(state="accepted").count()
            raise Back(json.dumps({"cpu_ms": cpu / len(items) * 1000, "queries": len(queries) / len(items),
                                   "states": states, "statuses": len(items), "trail": applied,
                                   "accepted": accepted}))
    except Back as exc:
        return json.loads(str(exc))

import vanthu.exchange.views  # as the server has it: its URLconf loaded (the first request)
cold = cProfile.Profile()
replay(cold)
cold.dump_stats(OUT + ".cold")
timed = replay()
profile = cProfile.Profile()
replay(profile)
profile.dump_stats(OUT)
print("RESULT" + json.dumps(timed))
"""


PROFILED_SERVER = """
import cProfile, itertools, signal, sys
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.core.wsgi import get_wsgi_application

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

inner = get_wsgi_application()
numbers = itertools.count(1)

def app(environ, start_response):  # each request profiled on its own: OUT.1, OUT.2, ...
    profile = cProfile.Profile()
    profile.enable()
    try:
        return inner(environ, start_response)
    finally:
        profile.disable()
        profile.dump_stats(f"{OUT}.{next(numbers)}")

signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
make_server("127.0.0.1", PORT, app, handler_class=Quiet).serve_forever()
"""


def profiled_server(deployment: Deployment, out: Path) -> subprocess.Popen[bytes]:
    """The deployment's server again, as one thread (wsgiref) profiled by cProfile until SIGTERM: OUT."""
    deployment.kill()
    code = f"OUT = {str(out)!r}\nPORT = {deployment.port}\n{PROFILED_SERVER}"
    server = subprocess.Popen([VANTHU, "shell", "-c", code], env=deployment.env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(deployment.url + "/healthz", timeout=2):  # noqa: S310 - loopback
                return server
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the profiled server did not start")


def run_code(deployment: Deployment, code: str, out: Path, server: int = 0) -> dict[str, object]:
    text = deployment.cli("shell", "-c", f"OUT = {str(out)!r}\nSERVER = {server}\n{code}")
    line = [x for x in text.splitlines() if x.startswith("RESULT")][-1]
    found: dict[str, object] = json.loads(line[len("RESULT"):])
    return found


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    global PROFILE_SERVER
    PROFILE_SERVER = "--server" in sys.argv
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="statuses-"))
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="ps-"))
    base = template(root / "t")
    flag = {"VANTHU_SIGNING_SPEEDUPS": "1", "VANTHU_EXCHANGE_BATCH": "25"}
    a, b = regions(root, base, env=flag, server="waitress")
    a.start()
    b.start()
    try:
        a.call("issue", to=["000.00.10.Q11"], count=n, subject="Điện")
        a.call("deliver_timed", workers=1)
        s1 = (a.cpu_seconds(), b.cpu_seconds())
        registered = b.call("register_timed")
        s2 = (a.cpu_seconds(), b.cpu_seconds())
        if PROFILE_SERVER:
            served = profiled_server(a, out / "server.prof")
            pid = served.pid
        else:
            assert a.server is not None
            pid = a.server.pid
        receiver = run_code(b, RECEIVER, out / "receiver.prof", server=pid)
        s3 = (a.cpu_seconds(), b.cpu_seconds())
    finally:
        if PROFILE_SERVER:
            served.terminate()
            served.wait(timeout=60)
        a.kill()
        b.kill()
    sender = run_code(a, SENDER, out / "sender.prof")
    assert isinstance(registered, dict)
    per = 1000 / n
    write = sys.stdout.write
    write(f"register: cpu {registered['cpu'] * per:.1f} ms/doc (servers {(s2[0] - s1[0]) * per:.1f}, "
           f"{(s2[1] - s1[1]) * per:.1f})\n")
    write(f"statuses (profiled): receiver proc {float(receiver['cpu']) * per:.1f} ms/doc, "  # type: ignore[arg-type]
           f"{int(receiver['queries']) / n:.1f} statements/doc, "  # type: ignore[call-overload]
           f"{receiver['messages']} messages; sender srv {(s3[0] - s2[0]) * per:.1f} ms/doc, "
           f"by request {receiver['server_ms']} ms\n")
    write(f"sender applying the statuses again: {json.dumps(sender)}\n")
    write(f"profiles in {out}\n")


if __name__ == "__main__":
    main()
