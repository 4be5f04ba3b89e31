"""The document envelope's own cost at both ends, between two real deployments (vanthu.demo.peers), in-process.

    python scripts/profile_envelopes.py [N] [OUT]

MR10 issues N documents to MR11's Division 301. Sender: MR10 builds and signs each message's envelope as its
delivery does (`sending.signed_for`, nothing kept from an earlier run: `kept.forget` first), then makes the
batch bodies (`http.encode_batch`) and signs their requests (`http.signed_headers`), as `sending._post_batch`
does before it posts: once to warm up, timed three times (process CPU per envelope), once profiled
(OUT/sender.prof). Receiver: MR11's application takes those requests through Django's test client — the whole
request path but the socket: middleware, the request signature, the batch's decoding, `receiving.receive_many`,
the JSON answer — inside a transaction rolled back each time (its nonces too: the same requests are taken again):
once to warm up, timed three times (process CPU per envelope of the request, and of `receive_many` within it, and
PAdES validation within that), once profiled (OUT/server.prof).

Run from the tree to measure (A/B as docs/benchmarks.md says):

    cd $TREE && PYTHONPATH=$TREE python scripts/profile_envelopes.py 50
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from vanthu.demo.peers import issued_regions

SENDER = """
import cProfile, json, time
from pathlib import Path
from django.conf import settings
from vanthu.documents.models import MessageKind, OutboxMessage
from vanthu.exchange import kept, outgoing, sealing, sending
from vanthu.exchange.transports import http

folder = Path(OUT)
folder.mkdir(parents=True, exist_ok=True)
messages = list(OutboxMessage.objects.filter(kind=MessageKind.DOCUMENT, state="waiting", transport="http")
                .select_related("unit__parent", "document__unit__parent", "document__doc_type",
                                "document__current_file", "recipient")
                .prefetch_related(outgoing.attachments_prefetch()).order_by("pk"))  # as `sending._companions` reads
size = settings.EXCHANGE_BATCH

def run(profile=None):
    kept.forget(m.pk for m in messages)
    cpu = time.process_time()
    if profile is not None:
        profile.enable()
    requests = []
    for start in range(0, len(messages), size):
        chunk = messages[start:start + size]
        body = http.encode_batch([sending.signed_for(m) for m in chunk])
        seal = sealing.seal_for(chunk[0].unit)
        headers = http.signed_headers(organ_id=chunk[0].unit.code or "", body=body, sign=seal.sign,
                                      certificate_der=seal.certificate_der, path=http.BATCH_PATH)
        requests.append((body, headers))
    if profile is not None:
        profile.disable()
    return round((time.process_time() - cpu) / len(messages) * 1000, 2), requests

run()
runs = [run()[0] for _ in range(3)]
profile = cProfile.Profile()
_cpu, requests = run(profile)
profile.dump_stats(OUT + "/sender.prof")
for number, (body, headers) in enumerate(requests):
    (folder / f"{number:03d}.body").write_bytes(body)
    (folder / f"{number:03d}.json").write_text(json.dumps(headers))
print("RESULT" + json.dumps({"envelopes": len(messages), "sender_ms": runs}))
"""

SERVER = """
import cProfile, json, time
from pathlib import Path
from django.db import transaction
from django.test import Client
from vanthu.core.measure import tally_cpu
from vanthu.exchange import pdfcheck, receiving
from vanthu.exchange.transports import http

requests = [(path.read_bytes(), json.loads(path.with_suffix(".json").read_text()))
            for path in sorted(Path(OUT).glob("*.body"))]
count = sum(len(http.decode_batch(body)) for body, _headers in requests)
client = Client()
timed = {"receive": 0.0, "pades": 0.0}

tally_cpu(receiving, "receive_many", timed, "receive")
tally_cpu(pdfcheck, "validate", timed, "pades")

class Back(Exception):
    pass

def replay(profile=None):
    timed.update(receive=0.0, pades=0.0)
    try:
        with transaction.atomic():
            cpu = time.process_time()
            if profile is not None:
                profile.enable()
            accepted = 0
            for body, headers in requests:
                extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()
                         if name != "Content-Type"}
                answer = client.post(http.BATCH_PATH, data=body, content_type="application/json", **extra)
                assert answer.status_code == 200, answer.content[:300]
                accepted += sum(1 for r in json.loads(answer.content)["results"] if r["state"] == "accepted")
            if profile is not None:
                profile.disable()
            cpu = time.process_time() - cpu
            per = 1000 / count
            raise Back(json.dumps({"request_ms": round(cpu * per, 2), "receive_ms": round(timed["receive"] * per, 2),
                                   "pades_ms": round(timed["pades"] * per, 2),
                                   "request_minus_pades_ms": round((cpu - timed["pades"]) * per, 2),
                                   "outside_receive_ms": round((cpu - timed["receive"]) * per, 2),
                                   "accepted": accepted}))
    except Back as exc:
        return json.loads(str(exc))

replay()
runs = [replay() for _ in range(3)]
profile = cProfile.Profile()
replay(profile)
profile.dump_stats(OUT + "/server.prof")
print("RESULT" + json.dumps(runs))
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="envelopes-"))
    out.mkdir(parents=True, exist_ok=True)
    a, b = issued_regions(Path(tempfile.mkdtemp(prefix="pe-")), n)
    sender = a.script(SENDER, OUT=str(out))
    server = b.script(SERVER, OUT=str(out))
    sys.stdout.write(f"sender, per envelope (3 runs): {json.dumps(sender)}\n"
                     f"receiver's server, per envelope (3 runs): {json.dumps(server)}\n")


if __name__ == "__main__":
    main()
