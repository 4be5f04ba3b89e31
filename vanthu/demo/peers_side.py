"""Run inside a test deployment (`vanthu shell -c`, see vanthu/demo/peers.py): the fixed characters
with organ ids of the deployment's own suffix, keys for the units that send and receive, and the steps of
the exchange tests. Each function returns something JSON can carry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from vanthu.core.actors import TEST_FIXTURES
from vanthu.demo.characters import build_cast
from vanthu.documents import actions
from vanthu.documents.components import FULL_CHECKLIST
from vanthu.documents.models import Direction, Document, DocumentType, OutboxMessage, Recipient, ReviewKind, Status
from vanthu.documents.uploads import check
from vanthu.exchange.models import ReceivedEnvelope
from vanthu.org import actions as org
from vanthu.org.models import Person, SigningAuthority, Unit
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


class _Cast:
    """The fixed characters read back from this deployment's database."""

    def __init__(self) -> None:
        units = {u.abbreviation: u for u in Unit.objects.all()}
        self.staff, self.operations, self.division = units["TM"], units["TC"], units["F301"]
        people = {p.user.username: p for p in Person.objects.select_related("user")}
        self.son, self.lan, self.quang, self.minh = people["son"], people["lan"], people["quang"], people["minh"]


def cast_from_db() -> _Cast:
    return _Cast()


def setup(*, suffix: str) -> dict[str, Any]:
    with transaction.atomic():
        cast = build_cast(organ_suffix=suffix)
    equip_cast(cast, people=("son",), units=("staff", "division", "province"))
    org.grant_role(person=cast.minh, unit=cast.division, role="clerk", acting=TEST_FIXTURES)
    return {"division": cast.division.code, "staff": cast.staff.code}


def issue(*, to: list[str], count: int = 1, subject: str = "Kế hoạch huấn luyện") -> list[int]:
    """Draft, sign and issue `count` documents from the Staff to the organ ids `to` (the jobs are not run:
    `vanthu outbox deliver` carries them)."""
    from vanthu.demo.pdfs import sample_draft

    cast = cast_from_db()
    kind = DocumentType.objects.get(abbreviation="KH")
    pdf = check(sample_draft(), name="ke-hoach.pdf", allowed=("application/pdf",))
    ids = []
    for index in range(count):
        data = actions.DraftData(doc_type=kind, subject=f"{subject} {index + 1}",
                                 recipient_organs=[(organ, f"Đơn vị {organ}") for organ in to])
        doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                   data=data, file=pdf)
        authority = SigningAuthority.objects.get(person=cast.son)
        if settings.FORMAT_CHECK_REQUIRED:  # Điều 12: the Staff's clerk checks content and format
            actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=authority,
                                      reviewers=[(ReviewKind.FORMAT, cast.lan)])
            actions.decide_review(document=doc, acting=cast.lan, approve=True, checklist=FULL_CHECKLIST)
        else:
            actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=authority)
        actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
        actions.issue_outgoing(document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
        ids.append(doc.pk)
    return ids


def register_all() -> int:
    """The division's clerk registers every document waiting in its queue."""
    cast = cast_from_db()
    waiting = Document.objects.filter(unit=cast.division, direction=Direction.INCOMING, status=Status.RECEIVED)
    count = 0
    for document in waiting.order_by("pk").only("pk"):  # the action re-reads each, locked
        actions.register_received(document=document, acting=cast.minh)
        count += 1
    return count


def state() -> dict[str, Any]:
    incoming = Document.objects.filter(direction=Direction.INCOMING)
    return {
        "incoming": list(incoming.order_by("subject").values_list("subject", flat=True)),
        "incoming_status": sorted(incoming.values_list("status", flat=True)),
        "recipients": sorted(Recipient.objects.exclude(organ_id="").values_list("state", flat=True)),
        "reasons": sorted(r for r in Recipient.objects.exclude(organ_id="").values_list("reason", flat=True) if r),
        "outbox": sorted(OutboxMessage.objects.values_list("state", flat=True)),
        "failures": sorted(OutboxMessage.objects.exclude(failure_detail="").values_list("failure_detail", flat=True)),
        "evidence": sorted(f"{kind}:{code}:{state}:{reason}" for kind, code, state, reason in
                           ReceivedEnvelope.objects.values_list("kind", "status_code", "state", "reason")),
    }


def warm_worker() -> None:
    """What a long-running worker has done once before: the seals' keys opened (scrypt), the signing and
    envelope code imported."""
    import contextlib

    from vanthu.exchange import sealing, sending  # noqa: F401 - imported as a worker has

    for unit in Unit.objects.exclude(code=""):
        with contextlib.suppress(Exception):
            sealing.seal_for(unit)


def deliver_timed(workers: int = 1) -> dict[str, Any]:
    """Deliver every waiting message now, as `workers` job workers would (one after the other for 1), timing
    each delivery that sends; a message already carried by another's batch, or claimed by one, is passed."""
    import contextlib
    import threading
    import time

    from django.db import connection

    from vanthu.documents.delivering import deliver_message
    from vanthu.exchange.models import BatchClaim

    warm_worker()
    ids = list(OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING).order_by("pk")
               .values_list("pk", flat=True))
    times: list[float] = []
    queue = iter(ids)
    lock = threading.Lock()

    def work() -> None:
        try:
            while True:
                with lock:
                    pk = next(queue, None)
                if pk is None:
                    return
                if (not OutboxMessage.objects.filter(pk=pk, state=OutboxMessage.State.WAITING).exists()
                        or BatchClaim.objects.filter(message_id=pk).exists()):
                    continue  # carried (or being carried) by a batch
                one = time.perf_counter()
                with contextlib.suppress(Exception):  # the message stays waiting: counted below
                    deliver_message(pk)
                times.append(time.perf_counter() - one)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    cpu = time.process_time()
    started = time.perf_counter()
    if workers <= 1:
        work()
    else:
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "messages": len(ids), "times": times, "cpu": cpu,
            "waiting": OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING).count()}


def register_timed() -> dict[str, Any]:
    import time

    cpu = time.process_time()
    started = time.perf_counter()
    count = register_all()
    return {"seconds": time.perf_counter() - started, "count": count, "cpu": time.process_time() - cpu}
