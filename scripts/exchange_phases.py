"""CPU per document of each phase and process of `vanthu bench exchange` (issue 8; docs/benchmarks.md "Issue 8:
the document path's own work"): two deployments served by waitress, N documents issued by MR10 to MR11, then

- deliver: the sender's delivering process (build, sign, post the batches) and each server (the receiver's
  verifies and stores: the document path is the two together);
- register: MR11's clerk registers every document;
- statuses: MR11 delivers the 01s and 03s, MR10's server verifies and applies them;

and the bench's two rows (each side: its delivering processes plus its server), from the processes' own clocks.
Run from the tree to measure, A/B as docs/benchmarks.md says:

    cd $TREE && PYTHONPATH=$TREE python scripts/exchange_phases.py 50
"""

import sys
import tempfile
from pathlib import Path
from typing import Any

from vanthu.demo.peers import ROOT, regions, template


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")


def main(n: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="vanthu-phases-"))
    base = template(root / "t")
    flag = {"VANTHU_SIGNING_SPEEDUPS": "1", "VANTHU_EXCHANGE_BATCH": "25"}
    a, b = regions(root, base, env=flag, server="waitress")
    a.start()
    b.start()
    try:
        a.call("issue", to=["000.00.10.Q11"], count=n, subject="Điện")
        s0 = (a.cpu_seconds(), b.cpu_seconds())
        d: Any = a.call("deliver_timed", workers=1)
        s1 = (a.cpu_seconds(), b.cpu_seconds())
        r: Any = b.call("register_timed")
        s2 = (a.cpu_seconds(), b.cpu_seconds())
        st: Any = b.call("deliver_timed", workers=1)
        s3 = (a.cpu_seconds(), b.cpu_seconds())
        state: Any = a.call("state")
    finally:
        a.kill()
        b.kill()

    def ms(seconds: float) -> float:
        return round(seconds / n * 1000, 1)

    accepted = sum(1 for s in state["recipients"] if s == "accepted")
    say(f"[{ROOT}] {accepted}/{n} accepted; CPU ms per document")
    say("deliver: wall", ms(d["seconds"]), "sender proc", ms(d["cpu"]), "sender srv", ms(s1[0] - s0[0]),
          "receiver srv", ms(s1[1] - s0[1]), "=> document path", round(ms(d["cpu"]) + ms(s1[1] - s0[1]), 1))
    say("register: wall", ms(r["seconds"]), "cpu", ms(r["cpu"]), "srvs", ms(s2[0] - s1[0]), ms(s2[1] - s1[1]))
    say("statuses: wall", ms(st["seconds"]), "receiver proc", ms(st["cpu"]), "sender srv", ms(s3[0] - s2[0]),
          "receiver srv", ms(s3[1] - s2[1]))
    sender = d["cpu"] + (s3[0] - s0[0])
    receiver = (s3[1] - s0[1]) + r["cpu"] + st["cpu"]
    say("CPU ms/doc sender", ms(sender), "receiver", ms(receiver), "total", ms(sender + receiver))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
