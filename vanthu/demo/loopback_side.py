"""Run inside the loopback deployment (`vanthu shell -c`, see vanthu/demo/loopback.py): the fixed characters and a
registered document with a PDF — what the loopback test needs, in seconds (the full demo takes minutes)."""

from __future__ import annotations

import json
import sys

from vanthu.demo.characters import build_cast
from vanthu.demo.pdfs import sample_incoming
from vanthu.documents import actions
from vanthu.documents.models import DocumentType
from vanthu.documents.uploads import check


def seed() -> None:
    """The cast, and an incoming document the Staff's clerk Lan registered: prints its id and SHA-256."""
    cast = build_cast()
    pdf = sample_incoming()
    document = actions.register_incoming(
        unit=cast.staff, acting=cast.lan,
        data=actions.IncomingData(doc_type=DocumentType.objects.get(name="Công văn"), organ_name="Bộ Tổng Tham mưu",
                                  subject="V/v trực sẵn sàng chiến đấu"),
        file=check(pdf, name="van-ban.pdf"))
    sys.stdout.write(json.dumps({"id": document.pk, "sha256": document.current_file_id}) + "\n")


def seed_flow() -> None:
    """What the whole flow on loopback needs (tests/deploy/test_loopback_flow.py): the cast, Sơn's signing key
    (under the demo PIN) and the Staff's seal (server-held), with their images. Prints the ids the flow uses."""
    from vanthu.demo.characters import CAST_BUILDER
    from vanthu.org.models import SigningAuthority
    from vanthu.signing import testing

    cast = build_cast()
    testing.equip(people=[("son", cast.son)], secret=testing.SIGNING_SECRET, reuse_keys=False, acting=CAST_BUILDER)
    testing.equip(units=[("staff", cast.staff)], secret=None, reuse_keys=False, acting=CAST_BUILDER)
    units = {"staff": cast.staff, "operations": cast.operations, "division": cast.division,
             "province": cast.province}
    people = {"lan": cast.lan, "son": cast.son, "quang": cast.quang}
    sys.stdout.write(json.dumps({
        "units": {name: unit.pk for name, unit in units.items()},
        "people": {name: person.pk for name, person in people.items()},
        "authority": SigningAuthority.objects.get(person=cast.son, unit=cast.staff).pk,
        "doc_types": {t.abbreviation or t.name: t.pk for t in DocumentType.objects.all()},
        "secret": testing.SIGNING_SECRET,
    }) + "\n")


def job_trail() -> None:
    """Every job the queue ran or holds (RQ: finished, failed, running, waiting), oldest first, with the worker
    that ran its last attempt: prints JSON."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue("default", job_class=Job)
    ids = {*FinishedJobRegistry(queue=queue).get_job_ids(), *FailedJobRegistry(queue=queue).get_job_ids(),
           *(i.split(":", 1)[0] for i in StartedJobRegistry(queue=queue).get_job_ids()), *queue.get_job_ids()}
    rows = []
    for found in Job.fetch_many(sorted(ids), connection=queue.connection):
        if found is None:
            continue
        latest = found.latest_result()
        worker = (latest.worker_name if latest else "") or found.worker_name or ""
        rows.append({"job": (found.func_name or "").rsplit(".", 1)[-1], "args": list(found.args),
                     "status": getattr(found.get_status(), "value", ""), "worker": worker,
                     "enqueued_at": found.enqueued_at.isoformat() if found.enqueued_at else ""})
    rows.sort(key=lambda row: row["enqueued_at"])
    sys.stdout.write(json.dumps(rows) + "\n")


def seed_links() -> None:
    """What the signed-link test needs (tests/deploy/test_download_links.py): the cast, an unmarked incoming document
    of the Staff with a Vietnamese file name, and a confidential one ("Mật"). Prints their ids and SHA-256."""
    from vanthu.core.choices import Secrecy

    cast = build_cast()
    made = {}
    for key, secrecy, name, number in (("open", Secrecy.NONE, "Công văn đến số 5 — Đường.pdf", "125"),
                                       ("secret", Secrecy.CONFIDENTIAL, "Công văn mật.pdf", "126")):
        document = actions.register_incoming(
            unit=cast.staff, acting=cast.lan,
            data=actions.IncomingData(doc_type=DocumentType.objects.get(name="Công văn"),
                                      organ_name="Bộ Tổng Tham mưu", subject=f"V/v liên kết tải ({key})",
                                      secrecy=secrecy),
            file=check(sample_incoming(number=number), name=name))
        made[key] = {"id": document.pk, "sha256": document.current_file_id}
    people = {p.user.username: p.pk for p in (cast.lan, cast.son, cast.tam)}
    sys.stdout.write(json.dumps({**made["open"], "secret": made["secret"], "people": people}) + "\n")
