"""Property-based fuzzing of what comes in as a file (issue 13 item 6, decision 0024): the PDF intake (incoming
registration, draft upload), the DOCX intake (draft upload, then conversion) and the signed-file intake
(`vanthu verify`, the exchange receipt's PAdES check).

Seeds are real files of the demo (its incoming letter, its draft, a DOCX, a draft signed and sealed by a
throwaway chain); hypothesis picks one and applies one to three mutations (byte flips, truncation, xref damage,
huge object counts, deep nesting, a lying page count, JavaScript or an embedded file appended, a DOCX whose
parts are damaged, multiplied or inflated). Each case goes to a target, which must end in one of its promised
outcomes within `TIMEOUT_SECONDS`:

- `check`: `uploads.check` returns a checked file or refuses (ActionRefused, a translated message);
- `incoming`, `draft`: the API answers 201, or 400/413 with the one error shape and a message, and after a
  refusal the counts of documents, their files and stored files are what they were (no partial record);
- `convert`: LibreOffice gives a PDF or ConversionFailed (its message); only files `uploads.check` accepts
  reach it, as in the application;
- `verify`: `validation.validate_pdf` returns a verdict (never raises); `vanthu verify` exits 0, 1 or 2;
  `service.validate` with a peer's roots (the exchange receipt) likewise.

Anything else (an exception, a 5xx, a record left behind, a hang) is a crash, kept with the mutation that made
it. The suite runs a few deterministic cases per target (tests/api/test_intake_fuzz.py); `vanthu fuzz intake
--minutes N` is the long run and prints the figures (docs/security.md). It sits in the API app
beside `fuzz.py` (schemathesis): the interfaces are where hostile input arrives, and the API's tokens are made here.
"""

from __future__ import annotations

import contextlib
import io
import signal
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

TIMEOUT_SECONDS = 10
TARGETS = ("check", "incoming", "draft", "convert", "verify")

# --- seeds ---------------------------------------------------------------------------------------------------

DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body: str = "<w:p><w:r><w:t>Kế hoạch huấn luyện năm 2027</w:t></w:r></w:p>",
         extra: dict[str, bytes] | None = None) -> bytes:
    """A small Word document (the parts LibreOffice needs), with `extra` parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        zf.writestr("_rels/.rels", DOCX_RELS)
        zf.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                         f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


@dataclass(frozen=True)
class Seeds:
    incoming: bytes
    draft: bytes
    docx: bytes
    signed: bytes
    roots: list[Any]  # asn1crypto certificates that sign `signed`

    def of(self, kind: str) -> bytes:
        return {"pdf": self.incoming, "draft": self.draft, "docx": self.docx, "signed": self.signed}[kind]


def make_seeds(*, incoming: bytes, draft: bytes) -> Seeds:
    """Seeds from a real incoming PDF and a real draft PDF (the demo's: `vanthu.demo.pdfs` in the tests, files of
    the demo database in `vanthu fuzz intake`); the signed seed is the draft signed and sealed by a throwaway
    chain, whose root is the one trusted when verifying."""
    from vanthu.signing import bench

    chain = bench.make_pki("rsa")
    return Seeds(incoming=incoming, draft=draft, docx=docx(), signed=bench.vanthu_issue(draft, chain, "B-B"),
                 roots=[chain.root])


# --- mutations ---------------------------------------------------------------------------------------------
# Each takes the file and an integer drawn by hypothesis (a position, a count, a depth) and returns new bytes.


def flip(data: bytes, n: int) -> bytes:
    if not data:
        return data
    at = n % len(data)
    return data[:at] + bytes([data[at] ^ (1 << (n % 8))]) + data[at + 1:]


def truncate(data: bytes, n: int) -> bytes:
    return data[: n % max(len(data), 1)]


def xref_damage(data: bytes, n: int) -> bytes:
    """Shift the offsets the xref tables and startxref give (or drop the tables altogether)."""
    if n % 3 == 0:
        return data.replace(b"startxref", b"startxrfe")
    out = bytearray(data)
    at = data.rfind(b"startxref")
    while at >= 0:
        digit = at + 10 + (n % 4)
        if digit < len(out) and 48 <= out[digit] <= 57:
            out[digit] = 48 + (out[digit] - 48 + 1 + n % 9) % 10
        at = data.rfind(b"startxref", 0, at)
    if n % 3 == 2:
        return bytes(out).replace(b" 00000 n", b" 00000 f")
    return bytes(out)


def huge_objects(data: bytes, n: int) -> bytes:
    count = 1000 + (n % 50) * 2000
    body = b"".join(b"%d 0 obj\n<</A [%d]>>\nendobj\n" % (100000 + i, i) for i in range(count))
    return data + b"\n" + body + b"trailer\n<</Size %d>>\n%%%%EOF\n" % (100000 + count)


def deep_nesting(data: bytes, n: int) -> bytes:
    depth = 1000 + (n % 20) * 5000
    opener, closer = (b"[", b"]") if n % 2 else (b"<</A ", b">>")
    return data + b"\n99999 0 obj\n" + opener * depth + b"0" + closer * depth + b"\nendobj\n"


def lying_count(data: bytes, n: int) -> bytes:
    return data.replace(b"/Count 1", b"/Count %d" % (10 ** (n % 12) + 1), 1)


def _append_update(data: bytes, objects: list[bytes], root_extra: bytes) -> bytes:
    """An incremental update written by hand (objects, a catalogue carrying `root_extra`, its xref section).
    `%(n0)s`, `%(n1)s`… in the objects and `root_extra` are the new objects' numbers."""
    import re

    root = re.findall(rb"/Root (\d+) 0 R", data)
    size = re.findall(rb"/Size (\d+)", data)
    previous = re.findall(rb"startxref\s+(\d+)", data)
    if not root or not size or not previous:
        return data + b"\n" + b"\n".join(objects)
    first = int(size[-1])
    numbers = {b"n%d" % i: b"%d" % (first + i) for i in range(len(objects))}
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets: dict[int, int] = {}
    for i, obj in enumerate(objects):
        offsets[first + i] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (first + i, obj % numbers)
    pages = (re.findall(rb"/Pages (\d+ 0 R)", data) or [b"2 0 R"])[0]
    offsets[int(root[-1])] = len(out)
    out += b"%s 0 obj\n<</Type /Catalog /Pages %s %s>>\nendobj\n" % (root[-1], pages, root_extra % numbers)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<</Size %d /Root %s 0 R /Prev %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        first + len(objects), root[-1], previous[-1], xref)
    return bytes(out)


def inject_javascript(data: bytes, n: int) -> bytes:
    if n % 2:
        return _append_update(data, [b"<</S /JavaScript /JS (app.alert\\(1\\))>>"], b"/OpenAction %(n0)s 0 R")
    return _append_update(data, [b"<</S /Launch /F (cmd.exe)>>"], b"/AA <</O %(n0)s 0 R>>")


def inject_embedded_file(data: bytes, n: int) -> bytes:
    return _append_update(
        data, [b"<</Type /EmbeddedFile /Length 2>>\nstream\nMZ\nendstream",
               b"<</Names [(a.exe) <</Type /Filespec /F (a.exe) /EF <</F %(n0)s 0 R>>>>]>>"],
        b"/Names <</EmbeddedFiles %(n1)s 0 R>>")


def _rezip(data: bytes, change: Callable[[dict[str, bytes]], dict[str, bytes]]) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {info.filename: zf.read(info) for info in zf.infolist()}
    except Exception:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in change(parts).items():
            zf.writestr(name, value)
    return out.getvalue()


def docx_damage(data: bytes, n: int) -> bytes:
    """Damage the Word document's XML: cut it, nest it deep, or define an entity that expands (billion laughs)."""
    def change(parts: dict[str, bytes]) -> dict[str, bytes]:
        xml = parts.get("word/document.xml", b"")
        if n % 3 == 0:
            parts["word/document.xml"] = xml[: n % max(len(xml), 1)]
        elif n % 3 == 1:
            depth = 500 + (n % 40) * 500
            parts["word/document.xml"] = xml.replace(b"<w:body>", b"<w:body>" + b"<w:p>" * depth, 1)
        else:
            laughs = b'<!DOCTYPE d [<!ENTITY a "lol">' + b"".join(
                b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(8))
            parts["word/document.xml"] = xml.replace(b"?>", b"?>" + laughs + b"]>", 1).replace(
                "Kế hoạch".encode(), b"&i;", 1)
        return parts
    return _rezip(data, change)


def docx_many_parts(data: bytes, n: int) -> bytes:
    count = 100 + (n % 40) * 100
    return _rezip(data, lambda parts: parts | {f"word/media/p{i}.xml": b"<a/>" for i in range(count)})


def docx_inflate(data: bytes, n: int) -> bytes:
    """A part of zeros that expands 1000 times (a zip bomb's core), or an archive nested in an archive."""
    if n % 2:
        size = (1 + n % 300) * 1024 * 1024
        return _rezip(data, lambda parts: parts | {"word/media/bom.bin": bytes(size)})
    inner = docx()
    for _depth in range(1 + n % 3):
        inner = docx(extra={"word/embeddings/o.docx": inner})
    return _rezip(data, lambda parts: parts | {"word/embeddings/goi.docx": inner})


PDF_MUTATIONS: dict[str, Callable[[bytes, int], bytes]] = {
    "flip": flip, "truncate": truncate, "xref": xref_damage, "objects": huge_objects, "nesting": deep_nesting,
    "count": lying_count, "javascript": inject_javascript, "embedded": inject_embedded_file,
}
DOCX_MUTATIONS: dict[str, Callable[[bytes, int], bytes]] = {
    "flip": flip, "truncate": truncate, "xml": docx_damage, "parts": docx_many_parts, "inflate": docx_inflate,
}


def cases() -> Any:
    """The hypothesis strategy: (seed kind, [(mutation, n), …])."""
    from hypothesis import strategies as st

    def mutations(names: dict[str, Any]) -> Any:
        return st.lists(st.tuples(st.sampled_from(sorted(names)), st.integers(0, 2 ** 31)), min_size=1, max_size=3)

    return st.one_of(
        st.tuples(st.sampled_from(("pdf", "draft", "signed")), mutations(PDF_MUTATIONS)),
        st.tuples(st.just("docx"), mutations(DOCX_MUTATIONS)),
    )


def apply(seeds: Seeds, kind: str, steps: list[tuple[str, int]]) -> bytes:
    table = DOCX_MUTATIONS if kind == "docx" else PDF_MUTATIONS
    data = seeds.of(kind)
    for name, n in steps:
        data = table[name](data, n)
    return data


# --- the run ------------------------------------------------------------------------------------------------


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in this (main) thread after `seconds`."""
    def expire(_signum: int, _frame: Any) -> None:
        raise Hang(f"over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Report:
    cases: Counter[str] = field(default_factory=Counter)  # per target
    crashes: Counter[str] = field(default_factory=Counter)
    hangs: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # "target: accepted" / "target: refused code"
    samples: list[str] = field(default_factory=list)
    slowest: float = 0.0
    seconds: float = 0.0

    @property
    def failures(self) -> int:
        return sum(self.crashes.values()) + sum(self.hangs.values())

    def lines(self) -> list[str]:
        out = [f"cases: {sum(self.cases.values())}", f"crashes: {sum(self.crashes.values())}",
               f"hangs (over {TIMEOUT_SECONDS} s): {sum(self.hangs.values())}",
               f"slowest case: {self.slowest:.1f} s", f"seconds: {self.seconds:.0f}"]
        for target in TARGETS:
            if self.cases[target]:
                out.append(f"  {target}: {self.cases[target]} cases, {self.crashes[target]} crashes, "
                           f"{self.hangs[target]} hangs")
        out.append("outcomes:")
        out += [f"  {name}: {n}" for name, n in sorted(self.outcomes.items())]
        if self.samples:
            out.append("crashes and hangs:")
            out += [f"  {s}" for s in self.samples[:20]]
        return out


class Crash(Exception):
    """A target broke its promise (a 5xx, a record left behind, a message missing)."""


@dataclass
class Context:
    """What the database-backed targets need: the API clients' tokens and the forms' values."""
    incoming_token: str
    draft_token: str
    incoming_form: dict[str, Any]
    draft_form: dict[str, Any]


def _counts() -> tuple[int, int, int]:
    from vanthu.core.models import StoredFile
    from vanthu.documents.models import Document, DocumentFile

    return Document.objects.count(), DocumentFile.objects.count(), StoredFile.objects.count()


def _post(token: str, path: str, form: dict[str, Any], name: str, data: bytes) -> tuple[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    before = _counts()
    response = Client().post("/api/v1" + path, {**form, "file": SimpleUploadedFile(name, data)},
                             headers={"Authorization": f"Bearer {token}", "Accept-Language": "vi"})
    if response.status_code == 201:
        return "accepted", response.json()["id"]
    if response.status_code not in (400, 413):
        raise Crash(f"HTTP {response.status_code}")
    error = response.json()["error"]
    if not error.get("message"):
        raise Crash(f"HTTP {response.status_code} without a message")
    if _counts() != before:
        raise Crash(f"refused ({error['code']}) but left records: {before} → {_counts()}")
    return f"refused {error['code']}", None


def run_target(target: str, data: bytes, *, name: str, seeds: Seeds, context: Context | None) -> str:
    """One case through one target; returns its outcome or raises (Crash, Hang or anything unexpected)."""
    from vanthu.core.errors import ActionRefused
    from vanthu.documents import uploads

    if target == "check":
        try:
            uploads.check(data, name=name, allowed=(uploads.PDF, uploads.DOCX))
        except ActionRefused as refused:
            if not refused.message:
                raise Crash("refusal without a message") from refused
            return f"refused {refused.code}"
        return "accepted"
    if target in ("incoming", "draft"):
        assert context is not None
        if target == "incoming":
            return _post(context.incoming_token, "/incoming", context.incoming_form, name, data)[0]
        return _post(context.draft_token, "/drafts", context.draft_form, name, data)[0]
    if target == "convert":
        from vanthu.documents.convert import ConversionFailed, docx_to_pdf

        try:
            checked = uploads.check(data, name=name, allowed=(uploads.DOCX,))
        except ActionRefused as refused:
            return f"refused {refused.code}"
        try:
            pdf = docx_to_pdf(checked.data, name=name, timeout=TIMEOUT_SECONDS - 1)
        except ConversionFailed as failed:
            if not failed.message:
                raise Crash("conversion failed without a message") from failed
            return "refused conversion"
        return "accepted" if pdf.startswith(b"%PDF") else "refused conversion"
    if target == "verify":
        return _verify(data, seeds)
    raise ValueError(target)


def _verify(data: bytes, seeds: Seeds) -> str:
    from vanthu.signing import validation

    result = validation.validate_pdf(data, trust_roots=seeds.roots, allow_fetching=False)
    if not result.readable or not result.signatures:
        if not result.problem:
            raise Crash("unreadable or unsigned without a reason")
        return "unreadable" if not result.readable else "unsigned"
    if not result.valid and not any(s.problems for s in result.signatures if not s.valid):
        raise Crash("invalid without a reason")
    return "valid" if result.valid else "invalid"


def verify_cli(data: bytes, roots_pem: bytes, folder: Any) -> int:
    """`vanthu verify` on the file, in this process: its exit code (0, 1 or 2; anything else is a crash)."""
    from django.core.management import call_command

    path = folder / "van-ban.pdf"
    path.write_bytes(data)
    (folder / "roots.pem").write_bytes(roots_pem)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify", str(path), "--trust", str(folder / "roots.pem"), "--offline", "--json",
                     stdout=out, stderr=err)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    else:
        code = 0
    if code not in (0, 1, 2) or (code == 2 and not err.getvalue().strip()):
        raise Crash(f"vanthu verify exited {code}: {err.getvalue()[:200]}")
    return code


def target_for(kind: str, target: str) -> bool:
    """Which seeds go to which target: PDFs and DOCX to the uploads, DOCX to conversion, signed PDFs to verify."""
    if target == "convert":
        return kind == "docx"
    if target == "verify":
        return kind != "docx"
    return True


def warm_up(target: str, *, seeds: Seeds, context: Context | None) -> None:
    """Each target once on its unmutated seeds, untimed and uncounted: a process's first request imports the API
    and loads code lazily (about 5 s for the first registration on the shared machine, over 10 s under load),
    which is not a case's time. A failure here is a crash like any other: it is raised."""
    from django.urls import resolve

    resolve("/api/v1/incoming")
    for kind in ("pdf", "draft", "docx", "signed"):
        if target_for(kind, target) and not (target == "incoming" and kind == "docx"):
            run_target(target, seeds.of(kind), name="du-thao.docx" if kind == "docx" else "van-ban.pdf",
                       seeds=seeds, context=context)


def fuzz(*, seeds: Seeds, targets: tuple[str, ...], max_examples: int, context: Context | None = None,
         deadline: float | None = None, derandomize: bool = True, report: Report | None = None) -> Report:
    """Run hypothesis over `targets`, `max_examples` cases each (or until `deadline`, a time.monotonic())."""
    from hypothesis import HealthCheck, Phase, given, settings

    report = report or Report()
    started = time.monotonic()
    for target in targets:
        warm_up(target, seeds=seeds, context=context)

    class Stop(Exception):
        pass

    for target in targets:
        @given(case=cases())
        @settings(max_examples=max_examples, derandomize=derandomize, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def one(case: tuple[str, list[tuple[str, int]]]) -> None:
            if deadline is not None and time.monotonic() > deadline:
                raise Stop
            kind, steps = case
            if not target_for(kind, target):  # noqa: B023
                return
            data = apply(seeds, kind, steps)
            name = "du-thao.docx" if kind == "docx" else "van-ban.pdf"
            report.cases[target] += 1  # noqa: B023
            began = time.monotonic()
            try:
                with time_limit(TIMEOUT_SECONDS):
                    outcome = run_target(target, data, name=name, seeds=seeds, context=context)  # noqa: B023
                report.outcomes[f"{target}: {outcome}"] += 1  # noqa: B023
            except Hang:
                report.hangs[target] += 1  # noqa: B023
                report.samples.append(f"{target} hang: {kind} {steps}")  # noqa: B023
            except Exception as exc:  # a crash: kept with the case that made it
                report.crashes[target] += 1  # noqa: B023
                report.samples.append(f"{target} {type(exc).__name__}: {str(exc)[:160]} ← {kind} {steps}")  # noqa: B023
            report.slowest = max(report.slowest, time.monotonic() - began)

        with contextlib.suppress(Stop):
            one()
    report.seconds += time.monotonic() - started
    return report
