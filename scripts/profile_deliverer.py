"""The sender's deliverer between two real deployments (vanthu.demo.peers), in-process, against the receiver's server.

    python scripts/profile_deliverer.py [N] [OUT]

MR10 issues N documents to MR11's Division 301; MR11's server is started (waitress). MR10's process then delivers
them as the stream's workers do (`delivering.deliver_message` of the oldest waiting message, which carries a batch
with it): the first half timed — process CPU per document, of which the statuses 01 received in the answers
(`receiving.receive_many`) and the envelopes built and signed (`sending.signed_for`), and the SQL statements per
document —, the second half profiled (OUT/deliver.prof, OUT/sql.txt: the statements by their start).

Run from the tree to measure (A/B as docs/benchmarks.md says):

    cd $TREE && PYTHONPATH=$TREE python scripts/profile_deliverer.py 200
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from vanthu.demo.peers import issued_regions

DELIVER = """
import cProfile, json, time
from collections import Counter
from pathlib import Path
from django.db import connection
from django.test.utils import CaptureQueriesContext
from vanthu.demo.peers_stream import warm_worker
from vanthu.documents.delivering import deliver_message
from vanthu.documents.models import MessageKind, OutboxMessage
from vanthu.core.measure import tally_cpu
from vanthu.exchange import receiving, sending

warm_worker()
waiting = OutboxMessage.objects.filter(state="waiting", kind=MessageKind.DOCUMENT)
n = waiting.count()
half = n // 2
timed = {"receive": 0.0, "signed": 0.0}

tally_cpu(receiving, "receive_many", timed, "receive")
tally_cpu(sending, "signed_for", timed, "signed")

def run(count, profile=None):
    cpu = time.process_time()
    if profile is not None:
        profile.enable()
    while n - waiting.count() < count:
        pk = waiting.order_by("pk").values_list("pk", flat=True).first()
        if pk is None:
            break
        deliver_message(pk)
    if profile is not None:
        profile.disable()
    return time.process_time() - cpu

with CaptureQueriesContext(connection) as queries:
    cpu = run(half)
statements = len(queries.captured_queries)
spent = dict(timed)
profile = cProfile.Profile()
with CaptureQueriesContext(connection) as queries:
    run(n, profile)
profile.dump_stats(OUT + "/deliver.prof")
counts = Counter(query["sql"][:90] for query in queries.captured_queries)
Path(OUT + "/sql.txt").write_text("\\n".join(f"{count} {sql}" for sql, count in counts.most_common()))
per = 1000 / half
print("RESULT" + json.dumps({"documents": half, "cpu_ms": round(cpu * per, 2),
                             "statuses_received_ms": round(spent["receive"] * per, 2),
                             "signed_for_ms": round(spent["signed"] * per, 2),
                             "statements": round(statements / half, 2)}))
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="deliverer-"))
    out.mkdir(parents=True, exist_ok=True)
    a, b = issued_regions(Path(tempfile.mkdtemp(prefix="pdl-")), n)
    b.start()
    try:
        result = a.script(DELIVER, OUT=str(out))
    finally:
        b.kill()
    sys.stdout.write(f"sender's deliverer, per document: {json.dumps(result)}\n")


if __name__ == "__main__":
    main()
