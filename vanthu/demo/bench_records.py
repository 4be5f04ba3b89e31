"""`vanthu bench records`: the record package and the catalogue at scale (issue 10, decision 0018).

In the configured database, with a built demo (`vanthu demo`: the units' seal keys and the CA; the bench adds its
own rows in years 2091–2092 and reuses them on the next run):
- a record of `--documents` (500) issued PDFs, each sealed by the unit's organisation key at the deployment's level
  (B-T with the built-in TSA unless configured), written fast (bulk_create; the PDFs sealed one by one);
- **export**: `records.exporting.export_record` as the CLI runs it (every PDF validated, its DSS copied, the CAs'
  CRLs, the manifest sealed and time-stamped) — seconds and MB/s of content;
- **verify**: `records.package.verify` offline with the pinned roots: files and seal only, then with every PDF's
  signatures re-checked — seconds and MB/s;
- the floor: `sha256sum` over the same files (extracted from the package beforehand);
- **catalogue**: the catalogue page of a unit with `--records` (2,000) records, and the unit's record list, as its
  clerk (median and p95 of `--requests` GETs after 2 untimed, with the query count).
Figures only; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import IO, Any

BENCH_YEAR, CATALOGUE_YEAR = 2091, 2092
RECORD_CODE = "BENCH.500"


def _mb(n: int) -> float:
    return n / 1_000_000


def _seal_unit() -> Any:
    from vanthu.org.models import Unit
    from vanthu.signing import service as signing

    for unit in Unit.objects.filter(is_active=True).exclude(code="").order_by("path"):
        if signing.credential_for_unit(unit).available:
            return unit
    raise SystemExit("bench records: no unit with a seal key — build the demo first (vanthu demo)")


def _clerk(unit: Any) -> Any:
    from vanthu.org.models import Person, Role, RoleGrant

    grant = RoleGrant.objects.filter(unit=unit, role=Role.CLERK).select_related("person__user").first()
    if grant is not None:
        return grant.person
    return Person.objects.filter(unit=unit, is_active=True).select_related("user").first()


def _record(unit: Any, person: Any, *, year: int, code: str, title: str, catalogue: Any = None) -> Any:
    from vanthu.records.models import Catalogue, CatalogueEntry, Record

    catalogue = catalogue or Catalogue.objects.get_or_create(unit=unit, year=year)[0]
    entry = CatalogueEntry.objects.create(catalogue=catalogue, code=code, title=title, retention_years=20,
                                          responsible=person)
    return Record.objects.create(entry=entry, unit=unit, year=year, organ_id=unit.code[:13], code=code, title=title,
                                 retention_years=20, creator=person, start_date=dt.date(year, 1, 2))


def build_record(unit: Any, person: Any, documents: int, out: IO[str]) -> Any:
    """The record of `documents` sealed PDFs (reused when it exists with that many)."""
    from django.conf import settings
    from django.db import transaction

    from vanthu.core import files
    from vanthu.demo.pdfs import sample_draft
    from vanthu.documents.models import Direction, Document, DocumentFile, DocumentType, Status
    from vanthu.records.models import ItemKind, Record, RecordItem
    from vanthu.signing import service as signing

    found = Record.objects.filter(unit=unit, year=BENCH_YEAR, code=RECORD_CODE).first()
    if found is not None and found.items.count() == documents:
        return found
    if found is not None:
        raise SystemExit(f"bench records: record {RECORD_CODE} of {BENCH_YEAR} exists with another size")
    started = time.perf_counter()
    doc_type = DocumentType.objects.order_by("pk").first()
    base = sample_draft()
    stored = []
    with signing.unit_seal(unit=unit, secret=settings.EXCHANGE_SEAL_SECRET or None) as seal:
        for i in range(1, documents + 1):
            pdf = seal.seal_text_only(pdf=base, lines=[f"Bản số {i}/{documents} — bench"])
            stored.append(files.store_bytes(pdf, content_type="application/pdf"))
    with transaction.atomic():
        record = _record(unit, person, year=BENCH_YEAR, code=RECORD_CODE, title="Hồ sơ đo hiệu năng gói hồ sơ")
        docs = Document.objects.bulk_create([
            Document(direction=Direction.OUTGOING, status=Status.ISSUED, unit=unit, doc_type=doc_type,
                     code_number=str(i), code_notation=f"BENCH-{unit.code}"[:30],
                     issued_date=dt.date(BENCH_YEAR, 1, 2), organ_id=unit.code[:13], organ_name=unit.name[:200],
                     subject=f"Văn bản đo hiệu năng số {i}", page_amount=1, current_file=stored[i - 1])
            for i in range(1, documents + 1)], batch_size=500)
        DocumentFile.objects.bulk_create([
            DocumentFile(document=d, kind=DocumentFile.Kind.MAIN, name=f"van-ban-{i}.pdf", file=stored[i - 1])
            for i, d in enumerate(docs, start=1)], batch_size=500)
        RecordItem.objects.bulk_create([
            RecordItem(record=record, ordinal=i, kind=ItemKind.OUTGOING, document=d)
            for i, d in enumerate(docs, start=1)], batch_size=500)
    out.write(f"built: {documents} sealed PDFs and the record in {time.perf_counter() - started:.1f} s\n")
    return record


def build_catalogue(unit: Any, person: Any, records: int, out: IO[str]) -> Any:
    from django.db import transaction

    from vanthu.records.models import Catalogue, CatalogueEntry, Record

    catalogue = Catalogue.objects.filter(unit=unit, year=CATALOGUE_YEAR).first()
    if catalogue is not None and catalogue.entries.count() >= records:
        return catalogue
    started = time.perf_counter()
    with transaction.atomic():
        catalogue = catalogue or Catalogue.objects.create(unit=unit, year=CATALOGUE_YEAR, state="published")
        have = catalogue.entries.count()
        entries = CatalogueEntry.objects.bulk_create([
            CatalogueEntry(catalogue=catalogue, ordinal=i, code=f"{i:04d}.BN", title=f"Hồ sơ số {i} của năm đo",
                           retention_years=10 + i % 30, responsible=person) for i in range(have + 1, records + 1)],
            batch_size=1000)
        Record.objects.bulk_create([
            Record(entry=e, unit=unit, year=CATALOGUE_YEAR, organ_id=unit.code[:13], code=e.code, title=e.title,
                   retention_years=e.retention_years, creator=person, start_date=dt.date(CATALOGUE_YEAR, 1, 2))
            for e in entries], batch_size=1000)
    out.write(f"built: {records} records in one catalogue in {time.perf_counter() - started:.1f} s\n")
    return catalogue


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _pages(person: Any, urls: dict[str, str], requests: int) -> list[str]:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages link the manifest's static names
    client = Client()
    client.force_login(person.user)
    lines = []
    for name, url in urls.items():
        for _ in range(2):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"bench records: {url} answered {response.status_code}")
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        lines.append(f"| {name} | {statistics.median(times):.0f} ms | {_pct(times, 0.95):.0f} ms | "
                     f"{len(queries.captured_queries)} |")
    return lines


def main(argv: list[str], out: IO[str]) -> None:
    parser = argparse.ArgumentParser(prog="vanthu bench records", description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=10)
    options = parser.parse_args(argv)

    from django.urls import reverse

    from vanthu.core.actors import SystemActor
    from vanthu.records.exporting import export_record
    from vanthu.records.package import verify
    from vanthu.signing import service as signing
    from vanthu.signing.management.commands.verify import quiet_libraries

    unit = _seal_unit()
    person = _clerk(unit)
    record = build_record(unit, person, options.documents, out)
    catalogue = build_catalogue(unit, person, options.records, out)
    roots = [verify.asn1_x509.Certificate.load(der) for der in signing.trust_store_der()[0]]
    work = Path(tempfile.mkdtemp(prefix="bench-records-"))
    try:
        package = work / "goi.zip"
        with quiet_libraries():
            began = time.perf_counter()
            written = export_record(record=record, out=package, acting=SystemActor("bench records"))
            export_s = time.perf_counter() - began
            began = time.perf_counter()
            plain = verify.verify(package, roots=roots, signatures=False)
            verify_s = time.perf_counter() - began
            began = time.perf_counter()
            full = verify.verify(package, roots=roots, signatures=True)
            full_s = time.perf_counter() - began
        if plain.exit_code or full.exit_code:
            raise SystemExit(f"bench records: the package did not verify: {plain.problems or full.problems}")
        extracted = work / "files"
        with zipfile.ZipFile(package) as archive:
            archive.extractall(extracted)
        paths = [str(p) for p in sorted(extracted.rglob("*")) if p.is_file()
                 and p.name not in ("manifest.json", "manifest.p7s")]
        began = time.perf_counter()
        subprocess.run(["sha256sum", *paths], check=True, stdout=subprocess.DEVNULL)
        floor_s = time.perf_counter() - began
        size = written.bytes
        out.write(f"\nrecord package, {written.documents} documents, {written.files} files, {_mb(size):.1f} MB of "
                  f"content, package {_mb(package.stat().st_size):.1f} MB; "
                  f"{os.cpu_count()} CPUs, {connection_vendor()}\n\n")
        out.write("| step | seconds | MB/s |\n|---|---:|---:|\n")
        for name, seconds in (("export (validate every PDF, seal, time-stamp)", export_s),
                              ("verify offline: files + seal", verify_s),
                              ("verify offline: files + seal + every PDF's signatures", full_s),
                              ("floor: sha256sum over the same files", floor_s)):
            out.write(f"| {name} | {seconds:.2f} | {_mb(size) / seconds:.1f} |\n")
        out.write(f"\ncatalogue of one unit with {catalogue.entries.count()} records, as its clerk "
                  f"({options.requests} GETs after 2 untimed)\n\n")
        out.write("| page | median | p95 | queries |\n|---|---:|---:|---:|\n")
        urls = {"catalogue page": reverse("records:catalogue", args=[catalogue.pk]),
                "record list (the unit's)": reverse("records:index")}
        for line in _pages(person, urls, options.requests):
            out.write(line + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor
