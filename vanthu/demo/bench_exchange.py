"""`vanthu bench exchange [--documents N] [--skip-plain] [--server gunicorn:N|waitress|runserver] [--batch N]
[--workers N] [--stream-workers N] [--rate R] [--skip-stream]`: documents per second from one vanthu
deployment to another over HTTP on loopback, each deployment its own processes and SQLite database
(vanthu/demo/peers.py). By default each deployment is served as docs/deploy.md's app servers are: gunicorn, two
pre-forked processes of four threads (`--server gunicorn:2`), and 300 documents go, so that the batches of 25
keep both of the receiver's processes busy; `--server waitress` serves it as the run command does (`vanthu
serve`, one process), `--server runserver` with Django's development server.

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

**Then the stream** (decision 0041; not with --skip-stream), on a fresh pair for each column: what a deployment
sustains when the exchange runs continuously, as in production, the phased run's three phases at the same time in
five processes — both servers; MR10's deliverer (`--stream-workers` threads, 2 by default, each carrying a batch
as a delivery job does: a second batch is built and sent while the first is verified); MR11's clerk, who
registers each arrival as it appears (the clerk's action, one document at a time); MR11's deliverer carrying the
01s and 03s as they are written. How documents enter: 2 × N documents are issued beforehand (not timed: issuance
is not exchange) and held back out of the outbox; the stream releases them into the outbox (a held message
becomes a waiting one, as when an issuance commits):

- *all at once* (a closed stream): N released at the start; documents/s from the release to the last 03
  applied at MR10 (the last status delivery's 200, which MR10 sends once it has verified and applied it) is the
  capacity figure, comparable with the phased one; release→registered here is mostly queueing (the last
  document waits for all before it) and is printed only for completeness;
- *steady* (an open stream): the next N released one by one at `--rate` a second (by default 80 % of what the
  closed stream just sustained, on the same pair): the p50/p95 of release→registered (the clerk's registration
  committed at MR11) per document is the latency figure; documents/s there is bounded by the rate.

The machine's speed is measured before and after each run and stream (`bench signing`'s reference loop, in the
bench's own process: on a shared VM of this kind it drifts by half again within minutes), and the CPU per
document over all processes is also given in those loops — the cost with the machine's speed taken out, the
figure to compare between runs and VMs.

Every process's CPU (its own clock; the servers' process groups), its share of the stream's wall time (the
process with the highest share, near what one process gets of the machine, is the bottleneck), and the time each
waited to begin a write transaction on its deployment's SQLite file (`demo/lockwaits.py`; the servers through a
`sitecustomize.py` on their PYTHONPATH). The deliverers have opened their seals before the start (a running
worker has); the servers are warm (below).

Before any measure, as `bench signing` has a warm-up round, one document goes from MR10 to MR11 and its
statuses come back, not counted: both servers have then loaded their pages, opened their seals and their trust
stores, as servers that have run a while have; each delivering process opens its seals before its clock starts.

`vanthu bench exchange --fault --documents 1000` is the fault run instead: the receiver is killed and restarted
at random while the sender delivers, the sender likewise while the receiver's statuses come back; it prints
what each side holds and exits 1 unless every document exists exactly once at the receiver and every status 03
was applied at the sender.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from vanthu.demo import lockwaits
from vanthu.demo.bench_signing import calibration
from vanthu.demo.peers import ROOT, Deployment, fault_run, regions, template


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def warm_up(a: Deployment, b: Deployment) -> None:
    """The warm-up, as `bench signing` has one: a document from a to b and its statuses back, not counted, so that
    both servers have loaded their pages and opened their seals, as servers that have run a while have."""
    a.call("issue", to=["000.00.10.Q11"], count=1, subject="Điện khởi động")
    a.call("deliver_timed")
    b.call("register_timed")
    b.call("deliver_timed")


def run(*, documents: int, speedups: bool, root: Path, base: Path, server: str = "waitress",
        batch: int = 25, workers: int = 1) -> dict[str, Any]:
    flag = {"VANTHU_SIGNING_SPEEDUPS": "1" if speedups else "0", "VANTHU_EXCHANGE_BATCH": str(batch)}
    a, b = regions(root, base, env=flag, server=server)
    a.start()
    b.start()
    try:
        warm_up(a, b)
        a.call("issue", to=["000.00.10.Q11"], count=documents, subject="Điện")
        servers = (a.cpu_seconds(), b.cpu_seconds())
        reference = calibration()
        deliver = a.call("deliver_timed", workers=workers)
        register = b.call("register_timed")
        statuses = b.call("deliver_timed", workers=workers)
        servers = (a.cpu_seconds() - servers[0], b.cpu_seconds() - servers[1])
        references = (reference, calibration())
        sender = a.call("state")
    finally:
        a.kill()
        b.kill()
    assert isinstance(deliver, dict) and isinstance(register, dict) and isinstance(statuses, dict)  # noqa: PT018
    assert isinstance(sender, dict)
    total = deliver["seconds"] + register["seconds"] + statuses["seconds"]
    return {
        "speedups": speedups, "documents": documents, "reference_ms": references,
        "accepted": sum(1 for s in sender["recipients"] if s == "accepted") - 1,  # less the warm-up's
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


def stream(*, documents: int, speedups: bool, root: Path, base: Path, server: str = "waitress", batch: int = 25,
           workers: int = 2, rate: float = 0.0) -> dict[str, Any]:
    """The stream measurement (decision 0041) on a fresh pair: 2 × `documents` issued beforehand and held back;
    the first half released all at once (closed: what the pair sustains), the second at `rate` a second (0:
    80 % of what the closed stream sustained), each with the sender's deliverer, the receiver's clerk and the
    receiver's deliverer running at the same time as both servers."""
    flag = {"VANTHU_SIGNING_SPEEDUPS": "1" if speedups else "0", "VANTHU_EXCHANGE_BATCH": str(batch)}
    a, b = regions(root, base, env=flag, server=server, server_env=lambda name: lockwaits_probe(root, name))
    a.start()
    b.start()
    try:
        warm_up(a, b)
        a.call("issue", to=["000.00.10.Q11"], count=2 * documents, subject="Điện")
        a.finish(a.spawn("hold"))
        closed = _stream_once(a, b, documents=documents, rate=0.0, workers=workers, gate=root / "closed")
        steady = rate or round(0.8 * closed["docs_per_s"], 1)
        opened = _stream_once(a, b, documents=documents, rate=steady, workers=workers, gate=root / "open")
        sender = a.call("state")
    finally:
        a.kill()
        b.kill()
    assert isinstance(sender, dict)
    accepted = sum(1 for s in sender["recipients"] if s == "accepted") - 1  # less the warm-up's
    return {"closed": closed, "open": opened, "accepted": accepted, "rate": steady}


def lockwaits_probe(root: Path, name: str) -> dict[str, str]:
    """The environment that makes a server count its SQLite lock waits (vanthu/demo/lockwaits.py) into
    root/<name>-lockwaits.json: a `sitecustomize.py` first on its PYTHONPATH."""
    folder = root / "probe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(lockwaits.SITECUSTOMIZE, encoding="utf-8")
    return {"PYTHONPATH": f"{folder}{os.pathsep}{ROOT}", lockwaits.PROBE: str(root / f"{name}-lockwaits.json")}


def _server_waits(there: Deployment) -> dict[str, float]:
    return lockwaits.read(Path(there.server_env.get(lockwaits.PROBE, "/nonexistent")))


def _stream_once(a: Deployment, b: Deployment, *, documents: int, rate: float, workers: int,
                 gate: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """One stream: the sender's deliverer, the receiver's clerk and deliverer started, and let go together."""
    servers = (a.cpu_seconds(), b.cpu_seconds())
    waited = (_server_waits(a), _server_waits(b))
    processes = {
        "sender": (a, a.spawn("deliver_stream", env=env, gate=str(gate), role="sender", workers=workers,
                              release=documents, rate=rate)),
        "clerk": (b, b.spawn("register_stream", gate=str(gate), count=documents)),
        "receiver": (b, b.spawn("deliver_stream", env=env, gate=str(gate), role="receiver", workers=workers,
                                statuses=documents)),
    }
    deadline = time.monotonic() + 600
    while not all(Path(f"{gate}.{role}.ready").exists() for role in processes):
        for role, (there, process) in processes.items():
            if process.poll() is not None:
                there.finish(process)  # raises with its error
                raise AssertionError(f"{role} ended before the start")
        if time.monotonic() > deadline:
            raise AssertionError("the stream's processes did not get ready")
        time.sleep(0.05)
    load = _load()
    reference = calibration()  # the machine's speed now (it drifts by half again within minutes on shared VMs)
    go = Path(f"{gate}.go.tmp")
    go.write_text(repr(time.time()))
    go.rename(f"{gate}.go")
    results: dict[str, Any] = {role: there.finish(process) for role, (there, process) in processes.items()}
    servers = (a.cpu_seconds() - servers[0], b.cpu_seconds() - servers[1])
    references = (reference, calibration())
    time.sleep(0.6)  # the servers' probes write twice a second
    for there, before in zip((a, b), waited, strict=True):
        after = _server_waits(there)
        results[f"{there.name} server"] = {"lock_wait_s": after["lock_wait_s"] - before["lock_wait_s"],
                                            "lock_wait_longest_s": after["lock_wait_longest_s"]}
    sender, clerk, receiver = results["sender"], results["clerk"], results["receiver"]
    assert isinstance(sender, dict) and isinstance(clerk, dict) and isinstance(receiver, dict)  # noqa: PT018
    start = float(sender["start"])
    seconds = float(receiver["end"]) - start
    released, registered = sender["released"], clerk["registered"]
    latency = [registered[s] - at for s, at in released.items() if s in registered]
    cpu = {"sender deliverer (MR10)": sender["cpu"], "sender server (MR10)": servers[0],
           "receiver server (MR11)": servers[1], "receiver clerk (MR11)": clerk["cpu"],
           "receiver deliverer (MR11)": receiver["cpu"]}
    return {
        "documents": documents, "rate": rate, "seconds": seconds, "load": load, "reference_ms": references,
        "docs_per_s": documents / seconds if seconds > 0 else 0.0,
        "registered": len(registered), "statuses_back": receiver["statuses_delivered"],
        "p50_ms": percentile(latency, 0.5) * 1000, "p95_ms": percentile(latency, 0.95) * 1000,
        "max_ms": max(latency, default=0.0) * 1000,
        "cpu_ms": {name: value / documents * 1000 for name, value in cpu.items()},
        "busy": {name: value / seconds if seconds > 0 else 0.0 for name, value in cpu.items()},
        # the part of the clerk's and the deliverers' CPU spent looking for work and finding none
        "polling_ms": sum(r["polling_cpu"] for r in (sender, clerk, receiver)) / documents * 1000,
        "lock_wait_ms": {"sender deliverer (MR10)": sender["lock_wait_s"] * 1000,
                         "sender server (MR10)": results["qk10 server"]["lock_wait_s"] * 1000,
                         "receiver server (MR11)": results["qk11 server"]["lock_wait_s"] * 1000,
                         "receiver clerk (MR11)": clerk["lock_wait_s"] * 1000,
                         "receiver deliverer (MR11)": receiver["lock_wait_s"] * 1000},
        # the servers' longest is over their whole life
        "lock_wait_longest_ms": max(r["lock_wait_longest_s"] for r in results.values()) * 1000,
        "requests": (len(sender["sends"]), len(receiver["sends"])),
        "timeline": {"sender_sends": [(round(b - start, 3), round(e - start, 3)) for b, e in sender["sends"]],
                     "receiver_sends": [(round(b - start, 3), round(e - start, 3)) for b, e in receiver["sends"]],
                     "registered": sorted(round(t - start, 3) for t in registered.values())},
    }


def _load() -> str:
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "?"


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench exchange")
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--skip-plain", action="store_true", help="only the run with vanthu's speed-ups")
    parser.add_argument("--fault", action="store_true", help="the fault run (peers killed at random)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--server", default="gunicorn:2",
                        help="what serves each deployment: gunicorn:N (N pre-forked processes with threads, as "
                             "docs/deploy.md's app servers; the default, with 2), waitress (`vanthu serve`, as the "
                             "run command) or runserver (Django's development server)")
    parser.add_argument("--batch", type=int, default=25,
                        help="envelopes per HTTP request (VANTHU_EXCHANGE_BATCH; 1: one request per envelope)")
    parser.add_argument("--workers", type=int, default=1,
                        help="delivery workers (threads of the delivering process) on each side")
    parser.add_argument("--stream-workers", type=int, default=2,
                        help="delivery workers of each side's deliverer in the stream measurement")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="documents released a second in the steady stream (0: 80 %% of what the closed "
                             "stream sustained)")
    parser.add_argument("--skip-stream", action="store_true", help="only the phased measurement")
    options = parser.parse_args(argv)
    reference = calibration()  # a VM of the same kind can be half again as fast or slow: say which this one is
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
              f"{options.batch} envelopes per request, {options.workers} delivery worker(s); reference loop "
              f"(`bench signing`'s, the machine's speed) {reference:.1f} ms CPU\n")
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
    if options.skip_stream:
        return
    for phased, name in zip(results, names, strict=True):
        streamed = stream(documents=options.documents, speedups=phased["speedups"],
                          root=root / f"stream-{int(phased['speedups'])}", base=base, server=options.server,
                          batch=options.batch, workers=options.stream_workers, rate=options.rate)
        write_stream(out, phased=phased, streamed=streamed, name=name, workers=options.stream_workers)


def write_stream(out: IO[str], *, phased: dict[str, Any], streamed: dict[str, Any], name: str,
                 workers: int) -> None:
    """The phased figure beside the two streams (decision 0041)."""
    closed, opened = streamed["closed"], streamed["open"]
    out.write(f"\n{name}: phased (as above) beside the stream, {workers} delivery worker(s) a side; load at the "
              f"start of each stream {closed['load']} / {opened['load']}\n")
    heads = ["phased", "stream, all at once", f"stream, {streamed['rate']:g}/s"]
    out.write(f"{'':44}" + "".join(f"{h:>22}" for h in heads) + "\n")

    def row(label: str, values: list[str]) -> None:
        out.write(f"{label:44}" + "".join(f"{v:>22}" for v in values) + "\n")

    row("documents/s, first delivery to last 03 applied",
        [f"{phased['docs_per_s']:.1f}", f"{closed['docs_per_s']:.1f}", f"{opened['docs_per_s']:.1f}"])
    row("release→registered p50 ms (per document)",
        ["-", f"{closed['p50_ms']:.0f}", f"{opened['p50_ms']:.0f}"])
    row("release→registered p95 ms (per document)",
        ["-", f"{closed['p95_ms']:.0f}", f"{opened['p95_ms']:.0f}"])
    row("release→registered max ms", ["-", f"{closed['max_ms']:.0f}", f"{opened['max_ms']:.0f}"])
    row("issuance→registered (whole batch) ms", [f"{(phased['total_s'] - 0) * 1000:.0f}", "-", "-"])
    row("registered / 03 applied at the sender",
        [f"{phased['accepted']}/{phased['accepted']}", f"{closed['registered']}/{closed['statuses_back']}",
         f"{opened['registered']}/{opened['statuses_back']}"])
    row("deliveries (documents / statuses)", [f"{phased['requests']}/{phased['status_requests']}",
                                               "{}/{}".format(*closed["requests"]),
                                               "{}/{}".format(*opened["requests"])])
    for process in closed["cpu_ms"]:
        row(f"CPU ms/doc, {process}", ["-", f"{closed['cpu_ms'][process]:.1f}", f"{opened['cpu_ms'][process]:.1f}"])
    row("CPU ms/doc, all processes", [f"{phased['cpu_sender_ms'] + phased['cpu_receiver_ms']:.1f}",
                                      f"{sum(closed['cpu_ms'].values()):.1f}", f"{sum(opened['cpu_ms'].values()):.1f}"])
    row("  of which polling for work, idle", ["-", f"{closed['polling_ms']:.1f}", f"{opened['polling_ms']:.1f}"])
    row("reference loop ms, before / after", [
        "{:.1f} / {:.1f}".format(*r["reference_ms"]) for r in (phased, closed, opened)])
    all_ms = [phased["cpu_sender_ms"] + phased["cpu_receiver_ms"], sum(closed["cpu_ms"].values()),
              sum(opened["cpu_ms"].values())]
    row("CPU per document, all processes, in loops", [  # the cost with the machine's speed taken out
        f"{ms / statistics.mean(r['reference_ms']):.2f}" for ms, r in zip(all_ms, (phased, closed, opened),
                                                                          strict=True)])
    for process in closed["busy"]:
        row(f"busy (CPU s / s), {process}", ["-", f"{closed['busy'][process]:.2f}", f"{opened['busy'][process]:.2f}"])
    for process in closed["lock_wait_ms"]:
        row(f"SQLite lock wait ms, {process}",
            ["-", f"{closed['lock_wait_ms'][process]:.0f}", f"{opened['lock_wait_ms'][process]:.0f}"])
    row("longest single lock wait ms", ["-", f"{closed['lock_wait_longest_ms']:.0f}",
                                        f"{opened['lock_wait_longest_ms']:.0f}"])


def fault(*, documents: int, seed: int, root: Path, base: Path, out: IO[str]) -> bool:
    a, b = regions(root, base)
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
