"""`vanthu bench signing`: vanthu's issuance and verification against plain pyHanko, in one process.

What is measured, per document, for a 1-page and a 30-page Decree 30 draft (vanthu.demo.pdfs):

- issuance = personal signature (Decree 30 appearance, number/date fields) + number and date filled +
  organisation signature (seal appearance, signing time), at B-B and at B-T with vanthu's built-in TSA
  (in-process, no HTTP); vanthu also checks the personal signature before sealing, as it does for real;
- verification of the dual-signed B-B document: integrity, trust, and difference analysis of both signatures.

Plain pyHanko is used as its documentation shows: stock `SimpleSigner` (the key loaded from PKCS#8 bytes),
the sync `PdfSigner.sign_pdf` API with a visible `TextStampStyle` carrying the image as background,
`validate_pdf_signature` with a fresh `ValidationContext`, and without vanthu's speedups (speedups.py is
switched off around its runs). It does no number/date filling (pyHanko has no API for it) and no check of
the personal signature before sealing, so it does less work than vanthu.

Both use the same keys and certificates (RSA-2048 or ECDSA P-256, a root → issuing CA → person/unit/TSA chain
built in memory; no database is used), the same inputs, the same TSA. The variants run interleaved, one of
each per round, so load from other processes hits them alike; the first round is a warm-up (font subsets,
decoded images and parsed keys are cached per process in vanthu, as in a server). Figures: median wall time
and median CPU time of the process per document, and documents per second from each (one core: the loop is
sequential).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TextIO

from vanthu.demo.pdfs import sample_draft
from vanthu.signing import speedups
from vanthu.signing.bench import BLOCK, Timing, make_pki, plain_issue, plain_verify, vanthu_issue, vanthu_verify


def calibration() -> float:
    """Median CPU ms of a fixed pure-Python loop: compare it between runs to see how loaded the machine was."""
    samples = []
    for _ in range(15):
        start = time.process_time()
        total = 0
        for i in range(200_000):
            total += i * i % 7
        samples.append(time.process_time() - start)
    return statistics.median(samples) * 1000


def _machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    from importlib.metadata import version

    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU ({cpu}), Python "
            f"{platform.python_version()}, pyHanko {version('pyhanko')}, load average {load[0]:.2f}")


def run(*, rounds: int, algorithm: str, out: TextIO) -> dict[str, tuple[Timing, Timing]]:
    bench = make_pki(algorithm)
    drafts = {
        "1 trang": sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line),
        "30 trang": sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line,
                                 pages=30),
    }
    signed = {label: vanthu_issue(pdf, bench, "B-B") for label, pdf in drafts.items()}
    with speedups.suspended():
        plain_signed = {label: plain_issue(pdf, bench, "B-B") for label, pdf in drafts.items()}
    for label in drafts:
        if not (vanthu_verify(signed[label], bench) and plain_verify(plain_signed[label], bench)):
            raise RuntimeError(f"the {label} document signed for the benchmark does not validate")

    cases: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {}
    for label, pdf in drafts.items():
        for level in ("B-B", "B-T"):
            cases[f"phát hành {label}, {level}"] = (partial(vanthu_issue, pdf, bench, level),
                                                     partial(plain_issue, pdf, bench, level))
        cases[f"kiểm tra {label} (2 chữ ký)"] = (partial(vanthu_verify, signed[label], bench),
                                                  partial(plain_verify, plain_signed[label], bench))
    results = {name: (Timing(), Timing()) for name in cases}
    for round_no in range(rounds + 1):
        for name, (run_ours, run_plain) in cases.items():
            if round_no == 0:  # warm-up
                run_ours()
                with speedups.suspended():
                    run_plain()
                continue
            results[name][0].add(run_ours)
            with speedups.suspended():
                results[name][1].add(run_plain)

    out.write(f"vanthu bench signing — {rounds} vòng, khóa {algorithm.upper()}, "
              f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n")
    out.write(f"Máy: {_machine()}\n")
    out.write(f"Vòng lặp chuẩn (Python thuần, để so độ bận của máy giữa các lần chạy): {calibration():.1f} ms CPU\n")
    header = (f"{'':34} {'vanthu ms':>10} {'(CPU)':>7} {'văn bản/s':>10} {'(CPU)':>7}   "
              f"{'pyHanko ms':>10} {'(CPU)':>7} {'văn bản/s':>10} {'(CPU)':>7}   {'nhanh hơn':>9}\n")
    out.write(header)
    for name, (ours, plain) in results.items():
        out.write(f"{name:34} {ours.wall_ms:10.1f} {ours.cpu_ms:7.1f} {1000 / ours.wall_ms:10.1f} "
                  f"{1000 / ours.cpu_ms:7.1f}   {plain.wall_ms:10.1f} {plain.cpu_ms:7.1f} "
                  f"{1000 / plain.wall_ms:10.1f} {1000 / plain.cpu_ms:7.1f}   {plain.cpu_ms / ours.cpu_ms:8.1f}×\n")
    out.write("ms = trung vị thời gian thực mỗi văn bản; (CPU) = trung vị thời gian CPU của tiến trình; "
              "văn bản/s trên một lõi; nhanh hơn = CPU pyHanko / CPU vanthu.\n")
    return results


def main(argv: list[str], out: TextIO = sys.stdout) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench signing", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds (after one warm-up round)")
    parser.add_argument("--algorithm", choices=("rsa", "ecdsa"), default="rsa")
    options = parser.parse_args(argv)
    # plain pyHanko's stamp style (the baseline) warns on every signature that its 110-point box is 110.00000000000001
    # wide: a rounding in pyHanko's own layout, not something the reader of the figures can act on
    logging.getLogger("pyhanko.pdf_utils.layout").setLevel(logging.ERROR)
    run(rounds=options.rounds, algorithm=options.algorithm, out=out)
