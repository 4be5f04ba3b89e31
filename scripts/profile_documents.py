"""The receiver's receipt of document envelopes between two real deployments (vanthu.demo.peers), in-process.

    python scripts/profile_documents.py [N] [OUT]

MR10 issues N documents to MR11's Division 301 and signs their envelopes as its delivery would
(`sending.signed_for`), without sending them. MR11 then receives them through `receiving.receive_many`, in
batches of VANTHU_EXCHANGE_BATCH as its server gets them, inside a transaction rolled back each time (the same
start every time): once to warm up, then timed three times — the process CPU per envelope of the whole receipt,
of its checks alone (`receiving._verify`: parse, XML signature, sender, chain, PAdES) and of the rest (the
writes), and the SQL statements per envelope — then once profiled (cProfile): OUT/receiver.prof.

Run from the tree to measure (A/B as docs/benchmarks.md says):

    cd $TREE && PYTHONPATH=$TREE python scripts/profile_documents.py 50
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from vanthu.demo.peers import issued_regions

SIGN = """
from pathlib import Path
from vanthu.documents.models import MessageKind, OutboxMessage
from vanthu.exchange import sending

folder = Path(OUT)
folder.mkdir(parents=True, exist_ok=True)
messages = OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT, state="waiting", transport="http").order_by("pk")
for number, message in enumerate(messages):
    (folder / f"{number:05d}.xml").write_bytes(sending.signed_for(message))
print("RESULT" + str(len(messages)))
"""

RECEIVE = """
import cProfile, json, time
from pathlib import Path
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from vanthu.exchange import receiving
from vanthu.exchange.models import Peer

items = [path.read_bytes() for path in sorted(Path(OUT).glob("*.xml"))]
peer = Peer.objects.get(name="qk10")
size = settings.EXCHANGE_BATCH
checks = [0.0]
verify = receiving._verify

def timed_verify(*args, **kwargs):
    start = time.process_time()
    try:
        return verify(*args, **kwargs)
    finally:
        checks[0] += time.process_time() - start

receiving._verify = timed_verify

class Back(Exception):
    pass

def replay(profile=None):
    checks[0] = 0.0
    try:
        with transaction.atomic():
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
            accepted = sum(1 for r in receipts if r is not None and r.accepted and r.incoming)
            raise Back(json.dumps({"cpu_ms": round(cpu / len(items) * 1000, 2),
                                   "checks_ms": round(checks[0] / len(items) * 1000, 2),
                                   "writes_ms": round((cpu - checks[0]) / len(items) * 1000, 2),
                                   "statements": round(len(queries) / len(items), 2),
                                   "accepted": accepted, "envelopes": len(items)}))
    except Back as exc:
        return json.loads(str(exc))

import vanthu.exchange.views  # as the server has it: its URLconf loaded (the first request)
replay()
runs = [replay() for _ in range(3)]
profile = cProfile.Profile()
replay(profile)
profile.dump_stats(OUT + "/receiver.prof")
print("RESULT" + json.dumps(runs))
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="documents-"))
    out.mkdir(parents=True, exist_ok=True)
    a, b = issued_regions(Path(tempfile.mkdtemp(prefix="pd-")), n)
    signed = a.script(SIGN, OUT=str(out))
    runs = b.script(RECEIVE, OUT=str(out))
    sys.stdout.write(f"{signed} envelopes signed; receive_many, per envelope (3 runs): {json.dumps(runs)}\n")


if __name__ == "__main__":
    main()
