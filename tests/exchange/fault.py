"""The long fault run (opt-in): `python -m tests.exchange.fault --documents 1000 [--seed 8]`.

Two deployments in their own processes (see tests/exchange/deployment.py); the sender issues N documents to the
receiver's division while the receiver is killed and restarted at random, the receiver registers them all
while the sender is killed and restarted at random; prints what each side holds (JSON) and exits 0 when every
document exists exactly once at the receiver and every status came back."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.exchange.deployment import Deployment, connect, fault_run, template


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=8)
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="vanthu-fault-"))
    base = template(root / "template")
    a = Deployment(name="qk10", data_dir=root / "qk10", suffix="Q10", template=base)
    b = Deployment(name="qk11", data_dir=root / "qk11", suffix="Q11", template=base)
    a.call("setup", suffix="Q10")
    b.call("setup", suffix="Q11")
    connect(a, b)
    a.start()
    b.start()
    try:
        result = fault_run(a, b, documents=options.documents, seed=options.seed)
    finally:
        a.kill()
        b.kill()
    receiver, sender = result.pop("receiver"), result.pop("sender")
    assert isinstance(receiver, dict)
    assert isinstance(sender, dict)
    counts = Counter(receiver["incoming"])
    summary = {
        **result,
        "receiver_documents": len(receiver["incoming"]),
        "receiver_distinct": len(counts),
        "receiver_doubled": sum(1 for n in counts.values() if n > 1),
        "sender_recipient_states": dict(Counter(sender["recipients"])),
        "sender_outbox": dict(Counter(sender["outbox"])),
        "receiver_outbox": dict(Counter(receiver["outbox"])),
        "evidence_refused_at_receiver": sum(1 for e in receiver["evidence"] if ":refused:" in e),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    ok = (summary["receiver_distinct"] == options.documents and summary["receiver_doubled"] == 0
          and summary["sender_recipient_states"] == {"accepted": options.documents})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
