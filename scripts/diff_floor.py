"""How much of pyHanko's difference analysis a strict fast path could save (decision 0039), in CPU per document.

For vanthu's 1-page and 30-page B-T issued documents (personal signature, then the seal's revision), the median
over 30 runs, each on a freshly opened PDF, with vanthu's speedups on:

- validate: validation.validate_pdf against the bench's root;
- analysis: pyHanko's difference analysis of the personal signature (DEFAULT_DIFF_POLICY.review_file);
- walk: the walk of the signed revision alone (every reachable object read, every path to every object), which
  an exact fast path must still make: pyHanko's verdict depends on it (tests/signing/test_speedups_fastdiff.py);
- read_new: reading every object the seal's revision defines, which a check of its shapes must do too.

Run: VANTHU_TESTING=1 PYTHONPATH=. VANTHU_DATA_DIR=$(mktemp -d) python scripts/diff_floor.py
"""

import io
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
import django

django.setup()

from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY  # noqa: E402

from vanthu.demo.pdfs import sample_draft  # noqa: E402
from vanthu.signing import speedups, validation  # noqa: E402
from vanthu.signing.bench import BLOCK, make_pki, vanthu_issue  # noqa: E402

speedups.install()
cpu = time.process_time
chain = make_pki("rsa")


def opened(pdf):
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return reader, reader.embedded_signatures[0].signed_revision


def analysis(pdf):
    reader, revision = opened(pdf)
    start = cpu()
    DEFAULT_DIFF_POLICY.review_file(reader, revision)
    return cpu() - start


def walk(pdf):
    reader, revision = opened(pdf)
    old = reader.get_historical_resolver(revision)
    start = cpu()
    old._load_reverse_xref_cache()
    return cpu() - start


def read_new(pdf):
    reader, revision = opened(pdf)
    new = reader.get_historical_resolver(revision + 1)
    start = cpu()
    for ref in new.explicit_refs_in_revision():
        new(ref)
    return cpu() - start


def validate(pdf):
    start = cpu()
    validation.validate_pdf(pdf, trust_roots=[chain.root])
    return cpu() - start


def loadavg() -> None:
    with open("/proc/loadavg") as found:
        sys.stdout.write(f"loadavg {found.read().strip()}\n")


loadavg()
for pages in (1, 30):
    draft = sample_draft(competence=BLOCK.competence, title=BLOCK.title, name_line=BLOCK.name_line, pages=pages)
    pdf = vanthu_issue(draft, chain, "B-T")
    row = {}
    for name, measure in (("validate", validate), ("analysis", analysis), ("walk", walk), ("read_new", read_new)):
        measure(pdf)
        row[name] = statistics.median(measure(pdf) for _ in range(30)) * 1000
    floor = row["walk"] + row["read_new"]
    sys.stdout.write(f"{pages:>2} trang B-T  validate {row['validate']:.1f} ms CPU  analysis {row['analysis']:.1f}  "
                     f"walk {row['walk']:.1f}  read_new {row['read_new']:.1f}  floor {floor:.1f}  "
                     f"at most saved {row['analysis'] - floor:.1f}\n")
loadavg()
