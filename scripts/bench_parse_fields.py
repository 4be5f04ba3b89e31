"""What decision 0036 costs, A/B against a baseline tree: the upload check of a draft (every object parsed), the
personal signature (the same parse of the draft), and the validation of an issued file (its number and date
fields read and compared); and what decision 0045 adds: the seal's parse of the signed file before the number,
the fields' fonts checked against vanthu's (the validation rows, and the first validation in a fresh process,
which reads the font files; measured once per round). A case the base tree lacks is shown as "-".

    VANTHU_TESTING=1 python scripts/bench_parse_fields.py --base /tmp/sigfix_a [--rounds 3] [--repeat 15]

runs this file's worker alternately with PYTHONPATH=<base> (A) and PYTHONPATH=<this tree> (B), `rounds` times each,
and prints, per case, the median CPU time (time.process_time of the worker process, ms) of each round side by side
and the median of the rounds. The worker measures `repeat` times per case, each on a reader opened afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _median_ms(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def _demo_drafts() -> list[bytes]:
    """A draft per topic of the demo, 1 to 5 pages (as tests/documents/test_unparsable_objects.py makes them)."""
    import random

    from vanthu.demo import subjects
    from vanthu.demo.pdfs import OfficialDocument, render

    rng = random.Random(36)
    drafts = []
    for index, topic in enumerate(subjects.TOPICS):
        _abbr, template = rng.choice(topic.subjects)
        drafts.append(render(OfficialDocument(
            parent_name="BỘ TƯ LỆNH QUÂN KHU 10", issuer_name="BỘ THAM MƯU", notation="KH-TM", place="Đà Nẵng",
            year=2027, type_name="KẾ HOẠCH", subject=subjects.fill(template, rng, year=2027, month=3,
                                                                 unit="Sư đoàn 302", province="Đ"),
            paragraphs=subjects.paragraphs(topic, year=2027, closing="Các cơ quan, đơn vị thực hiện."),
            competence="KT. TƯ LỆNH", title="PHÓ TƯ LỆNH", name_line="Thiếu tướng Nguyễn Văn An",
            urgency_mark="HỎA TỐC" if index % 3 == 0 else "", secrecy_mark="MẬT" if index % 4 == 0 else "",
        ), pages=index % 5 + 1))
    return drafts


def worker(repeat: int) -> dict[str, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
    import django

    django.setup()
    from vanthu.demo.pdfs import sample_draft
    from vanthu.documents import uploads
    from vanthu.signing import pades, pades_engine, validation
    from vanthu.signing.bench import BLOCK, make_pki, vanthu_issue

    chain = make_pki("rsa")
    found = pades_engine.Services(level="B-B", timestamper=None)
    one = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line)
    thirty = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line, pages=30)
    demo = _demo_drafts()
    issued_one, issued_thirty = vanthu_issue(one, chain, "B-B"), vanthu_issue(thirty, chain, "B-B")
    start = time.process_time()  # before any validation of an issued file: the fields' fonts not yet read
    validation.validate_pdf(issued_one, trust_roots=[chain.root])
    figures = {"validation of the issued file, 1 page, first in the process": (time.process_time() - start) * 1000}
    figures |= {
        "upload check, 1 page": _median_ms(lambda: uploads.check(one, name="d.pdf"), repeat),
        "upload check, 30 pages": _median_ms(lambda: uploads.check(thirty, name="d.pdf"), repeat),
        f"upload check, {len(demo)} demo drafts (all)": _median_ms(
            lambda: [uploads.check(d, name="d.pdf") for d in demo], max(3, repeat // 3)),
    }
    for label, draft in (("1 page", one), ("30 pages", thirty)):
        figures[f"personal signature, {label}"] = _median_ms(lambda d=draft: pades.sign_personal_with(
            d, credential=chain.person, block=BLOCK, reason="x", found_services=found, size_mm=(35.0, 14.0)), repeat)
    from vanthu.signing import pades_form

    if hasattr(pades_form, "check_every_object_signed"):  # decision 0045
        for label, draft in (("1 page", one), ("30 pages", thirty)):
            signed = pades.sign_personal_with(draft, credential=chain.person, block=BLOCK, reason="x",
                                              found_services=found, size_mm=(35.0, 14.0))
            figures[f"the seal's parse of the signed file, {label}"] = _median_ms(
                lambda p=signed: pades_form.check_every_object_signed(p), repeat)
    for label, pdf in (("1 page", issued_one), ("30 pages", issued_thirty)):
        figures[f"validation of the issued file, {label}"] = _median_ms(
            lambda p=pdf: validation.validate_pdf(p, trust_roots=[chain.root]), repeat)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", help="the baseline tree (git archive of the base commit)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        sys.stdout.write(json.dumps(worker(args.repeat)) + "\n")
        return
    trees = {"A": str(Path(args.base).resolve()), "B": str(HERE)}
    runs: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": tree, "VANTHU_TESTING": "1"}
            out = subprocess.run([sys.executable, __file__, "--worker", "--repeat", str(args.repeat)], cwd=tree,
                                 env=env, check=True, capture_output=True, text=True).stdout
            runs[name].append(json.loads(out.strip().splitlines()[-1]))
    sys.stdout.write(f"loadavg {Path('/proc/loadavg').read_text().strip()}\n")
    sys.stdout.write(f"{'case (CPU ms, median of ' + str(args.repeat) + ')':60} {'A rounds':>24} {'B rounds':>24} "
                     f"{'A':>7} {'B':>7} {'B-A':>7}\n")
    for case in runs["B"][0]:
        b = [r[case] for r in runs["B"]]
        mb = statistics.median(b)
        if case not in runs["A"][0]:
            sys.stdout.write(f"{case:60} {'-':>24} {' '.join(f'{v:7.2f}' for v in b):>24} {'-':>7} {mb:7.2f}\n")
            continue
        a = [r[case] for r in runs["A"]]
        ma = statistics.median(a)
        sys.stdout.write(f"{case:60} {' '.join(f'{v:7.2f}' for v in a):>24} "
                         f"{' '.join(f'{v:7.2f}' for v in b):>24} {ma:7.2f} {mb:7.2f} {mb - ma:+7.2f}\n")


if __name__ == "__main__":
    main()
