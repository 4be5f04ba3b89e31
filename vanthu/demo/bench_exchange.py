"""`vanthu bench exchange [--documents N] [--skip-plain] [--server waitress|runserver] [--batch N]
[--workers N]`: documents per second from one vanthu deployment to another over HTTP on loopback, each
deployment its own process and SQLite database (vanthu/demo/peers.py; served by `vanthu serve`, waitress,
unless --server runserver).

Each run: two fresh deployments (Military Regions 10 and 11) with each other in their peer directories; MR10's
Staff issues N one-page documents (signed by the Tham mưu trưởng, sealed by the Staff; not timed) to MR11's
Division 301. Then, timed inside each process:

1. **deliver** — MR10 delivers its outbox one message after the other (one job worker): per document, the
   envelope is built and signed, the request signed, POSTed; MR11 checks the request, parses and validates,
   verifies the XML signature and the chain to MR10's roots, verifies the PAdES signatures of the PDF, makes
   the incoming document and keeps the evidence, and answers (the sender marks it arrived: status 01);
2. **register** — MR11's clerk registers every document (each writes a status 03 to the outbox);
3. **statuses** — MR11 delivers the 03s; MR10 verifies each (signature, chain, document hash) and applies it.

Deliveries go in batches of `--batch` envelopes per HTTP request (VANTHU_EXCHANGE_BATCH, decision 0029; 1:
one request per envelope, as before): the first waiting message's delivery carries the others, whose own
deliveries then find them done. Each envelope is still signed, verified and answered on its own.

Figures: documents/s end to end (N over the three phases), per-request latency p50/p95, the requests made,
and the CPU per document on each side — the delivering process plus the server process, read from the
processes' own clocks, so that the load of a shared machine does not enter — with the ceiling an idle 2-core
machine would reach from it (2 CPU-seconds a second over both sides' CPU per document). Beside it the same run
with the validation speed-ups switched off (VANTHU_SIGNING_SPEEDUPS=0: plain pyHanko; decision 0005).
Issuance→registered per document is the sum of the phases for a batch.

`vanthu bench exchange --fault --documents 1000` is the fault run instead: the receiver is killed and restarted
at random while the sender delivers, the sender likewise while the receiver's statuses come back; it prints
what each side holds and exits 1 unless every document exists exactly once at the receiver and every status 03
was applied at the sender.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import IO, Any

from vanthu.demo.peers import Deployment, connect, fault_run, template


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(*, documents: int, speedups: bool, root: Path, base: Path, server: str = "waitress",
        batch: int = 25, workers: int = 1) -> dict[str, Any]:
    flag = {"VANTHU_SIGNING_SPEEDUPS": "1" if speedups else "0", "VANTHU_EXCHANGE_BATCH": str(batch)}
    a = Deployment(name="qk10", data_dir=root / "qk10", suffix="Q10", template=base, env=flag, server=server)
    b = Deployment(name="qk11", data_dir=root / "qk11", suffix="Q11", template=base, env=flag, server=server)
    a.call("setup", suffix="Q10")
    b.call("setup", suffix="Q11")
    connect(a, b)
    a.start()
    b.start()
    try:
        a.call("issue", to=["000.00.10.Q11"], count=documents, subject="Điện")
        servers = (a.cpu_seconds(), b.cpu_seconds())
        deliver = a.call("deliver_timed", workers=workers)
        register = b.call("register_timed")
        statuses = b.call("deliver_timed", workers=workers)
        servers = (a.cpu_seconds() - servers[0], b.cpu_seconds() - servers[1])
        sender = a.call("state")
    finally:
        a.kill()
        b.kill()
    assert isinstance(deliver, dict) and isinstance(register, dict) and isinstance(statuses, dict)  # noqa: PT018
    assert isinstance(sender, dict)
    total = deliver["seconds"] + register["seconds"] + statuses["seconds"]
    return {
        "speedups": speedups, "documents": documents,
        "accepted": sum(1 for s in sender["recipients"] if s == "accepted"),
        "docs_per_s": documents / total if total else 0.0,
        "deliver_per_s": documents / deliver["seconds"] if deliver["seconds"] else 0.0,
        "deliver_p50_ms": percentile(deliver["times"], 0.5) * 1000,
        "deliver_p95_ms": percentile(deliver["times"], 0.95) * 1000,
        "status_p95_ms": percentile(statuses["times"], 0.95) * 1000,
        "register_s": register["seconds"], "total_s": total, "requests": len(deliver["times"]),
        "status_requests": len(statuses["times"]),
        # CPU per document, each side: the delivering process plus the server (which answers the other side)
        "cpu_sender_ms": (deliver["cpu"] + servers[0]) / documents * 1000,
        "cpu_receiver_ms": (servers[1] + register["cpu"] + statuses["cpu"]) / documents * 1000,
    }


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench exchange")
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--skip-plain", action="store_true", help="only the run with vanthu's speed-ups")
    parser.add_argument("--fault", action="store_true", help="the fault run (peers killed at random)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--server", choices=("waitress", "runserver"), default="waitress",
                        help="what serves each deployment: `vanthu serve` (waitress, as the run command) or "
                             "Django's development server")
    parser.add_argument("--batch", type=int, default=25,
                        help="envelopes per HTTP request (VANTHU_EXCHANGE_BATCH; 1: one request per envelope)")
    parser.add_argument("--workers", type=int, default=1,
                        help="delivery workers (threads of the delivering process) on each side")
    options = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="vanthu-bench-exchange-"))
    base = template(root / "template")
    if options.fault:
        if not fault(documents=options.documents, seed=options.seed, root=root, base=base, out=out):
            sys.exit(1)
        return
    results = [run(documents=options.documents, speedups=True, root=root / "fast", base=base, server=options.server,
                   batch=options.batch, workers=options.workers)]
    if not options.skip_plain:
        results.append(run(documents=options.documents, speedups=False, root=root / "plain", base=base,
                           server=options.server, batch=options.batch, workers=options.workers))
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    out.write(f"vanthu bench exchange: {options.documents} documents MR10 → MR11 over HTTP on loopback, "
              f"{os.cpu_count()} CPUs, load {' '.join(load)}, served by {options.server}, "
              f"{options.batch} envelopes per request, {options.workers} delivery worker(s)\n")
    names = ["vanthu (speed-ups)", "plain pyHanko"][:len(results)]
    rows = [
        ("documents/s end to end", "docs_per_s", "{:.1f}"),
        ("deliveries/s (verify on receipt, 01)", "deliver_per_s", "{:.1f}"),
        ("delivery p50 ms (per request)", "deliver_p50_ms", "{:.0f}"),
        ("delivery p95 ms (per request)", "deliver_p95_ms", "{:.0f}"),
        ("status 03 p95 ms (verified at sender)", "status_p95_ms", "{:.0f}"),
        ("registering all, s", "register_s", "{:.1f}"),
        ("issuance→registered (batch), s", "total_s", "{:.1f}"),
        ("registered and 03 back", "accepted", "{}"),
        ("requests carrying the documents", "requests", "{}"),
        ("requests carrying the statuses 01, 03", "status_requests", "{}"),
        ("CPU ms per document, sender (MR10)", "cpu_sender_ms", "{:.1f}"),
        ("CPU ms per document, receiver (MR11)", "cpu_receiver_ms", "{:.1f}"),
        ("idle 2-core ceiling, documents/s", "ceiling", "{:.0f}"),
    ]
    for r in results:
        r["ceiling"] = 2000 / (r["cpu_sender_ms"] + r["cpu_receiver_ms"])
    out.write(f"{'':40}" + "".join(f"{n:>22}" for n in names) + "\n")
    for label, key, fmt in rows:
        out.write(f"{label:40}" + "".join(f"{fmt.format(r[key]):>22}" for r in results) + "\n")


def fault(*, documents: int, seed: int, root: Path, base: Path, out: IO[str]) -> bool:
    a = Deployment(name="qk10", data_dir=root / "qk10", suffix="Q10", template=base)
    b = Deployment(name="qk11", data_dir=root / "qk11", suffix="Q11", template=base)
    a.call("setup", suffix="Q10")
    b.call("setup", suffix="Q11")
    connect(a, b)
    a.start()
    b.start()
    try:
        result = fault_run(a, b, documents=documents, seed=seed)
    finally:
        a.kill()
        b.kill()
    receiver, sender = result.pop("receiver"), result.pop("sender")
    assert isinstance(receiver, dict)
    assert isinstance(sender, dict)
    counts: Counter[str] = Counter(receiver["incoming"])
    summary = {
        **result,
        "receiver_documents": len(receiver["incoming"]), "receiver_distinct": len(counts),
        "receiver_doubled": sum(1 for n in counts.values() if n > 1),
        "sender_recipient_states": dict(Counter(sender["recipients"])),
        "sender_outbox": dict(Counter(sender["outbox"])), "receiver_outbox": dict(Counter(receiver["outbox"])),
        "evidence_refused_at_receiver": sum(1 for e in receiver["evidence"] if ":refused:" in e),
    }
    out.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return (summary["receiver_distinct"] == documents and summary["receiver_doubled"] == 0
            and summary["sender_recipient_states"] == {"accepted": documents})
