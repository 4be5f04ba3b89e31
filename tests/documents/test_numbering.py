"""Register numbers: gap-free, never duplicated, per unit, kind, series and year (Decree 30 Điều 15, 22)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections, transaction

from tests.conftest import checked
from vanthu.core.choices import Secrecy
from vanthu.documents import actions, numbering
from vanthu.documents.models import Document, Register, RegisterKind
from vanthu.org.models import NumberingScheme


def _incoming_data(doc_types, **overrides):
    data = dict(doc_type=doc_types["CĐ"], organ_name="Bộ Quốc phòng", subject="V/v sẵn sàng chiến đấu",
                code_number="125", code_notation="BQP-TM")
    data.update(overrides)
    return actions.IncomingData(**data)


def test_notation_of_typed_document_is_type_then_issuer(cast, doc_types):
    """Checklist point 5."""
    assert numbering.notation(doc_type=doc_types["QĐ"], issuer=cast.command, drafting_unit=cast.staff) == "QĐ-BTL"


def test_notation_of_cong_van_is_issuer_then_drafting_unit(cast, doc_types):
    """Checklist point 5."""
    assert numbering.notation(doc_type=doc_types["Công văn"], issuer=cast.command,
                              drafting_unit=cast.staff) == "BTL-TM"


def test_numbers_below_ten_take_a_leading_zero():
    """Checklist point 5."""
    assert [numbering.format_number(n) for n in (1, 9, 10, 125)] == ["01", "09", "10", "125"]


@pytest.mark.django_db(transaction=True)
def test_take_next_refuses_outside_a_transaction(cast):
    register = numbering.register_for(unit=cast.staff, kind=RegisterKind.OUTGOING, series="chung", year=2026)
    with pytest.raises(RuntimeError):
        numbering.take_next(register)


def test_incoming_numbers_are_consecutive_from_one(cast, doc_types, incoming_pdf):
    """Checklist point 7."""
    numbers = [
        actions.register_incoming(unit=cast.staff, acting=cast.lan, data=_incoming_data(doc_types),
                                  file=checked(incoming_pdf)).number
        for _ in range(3)
    ]
    assert numbers == [1, 2, 3]


def test_secret_incoming_documents_have_their_own_series(cast, doc_types, incoming_pdf):
    """Checklist point 4."""
    plain = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=_incoming_data(doc_types),
                                      file=checked(incoming_pdf))
    secret = actions.register_incoming(unit=cast.staff, acting=cast.lan,
                                       data=_incoming_data(doc_types, secrecy=Secrecy.CONFIDENTIAL),
                                       file=checked(incoming_pdf))
    assert (plain.number, secret.number) == (1, 1)
    assert plain.register != secret.register
    assert secret.register.series == numbering.SECRET


def test_each_year_starts_a_new_register_at_one(cast, doc_types, incoming_pdf):
    """Checklist point 7."""
    import datetime as dt

    from django.utils import timezone

    last_year = timezone.make_aware(dt.datetime(2025, 12, 31, 16, 0))
    old = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=_incoming_data(doc_types),
                                    file=checked(incoming_pdf), arrival_at=last_year)
    new = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=_incoming_data(doc_types),
                                    file=checked(incoming_pdf))
    assert old.register.year == 2025
    assert new.register.year == timezone.localdate().year
    assert (old.number, new.number) == (1, 1)


def test_per_type_scheme_gives_each_type_its_series(cast, doc_types):
    cast.command.numbering_scheme = NumberingScheme.PER_TYPE
    assert numbering.outgoing_series(unit=cast.command, doc_type=doc_types["QĐ"], secrecy=0) == "loai-QĐ"
    assert numbering.outgoing_series(unit=cast.command, doc_type=doc_types["KH"], secrecy=0) == "loai-KH"
    assert numbering.outgoing_series(unit=cast.command, doc_type=doc_types["QĐ"], secrecy=1) == numbering.SECRET


def test_a_rolled_back_transaction_leaves_no_gap(cast):
    """Checklist point 3."""
    register = numbering.register_for(unit=cast.staff, kind=RegisterKind.OUTGOING, series="chung", year=2026)
    with transaction.atomic():
        assert numbering.take_next(register) == 1

    def issue_then_fail() -> None:
        with transaction.atomic():
            numbering.take_next(register)
            raise RuntimeError("the issuing transaction fails after taking its number")

    with pytest.raises(RuntimeError, match="fails after taking"):
        issue_then_fail()
    with transaction.atomic():
        assert numbering.take_next(register) == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_32_concurrent_connections_get_gap_free_unique_numbers(doc_types, incoming_pdf):
    """Checklist point 7.
    32 threads, each with its own PostgreSQL connection, register incoming documents at once; a third of
    their transactions fail after taking a number. The register ends with exactly 1..N and no duplicate."""
    from vanthu.demo.characters import build_cast

    assert connection.vendor == "postgresql"
    cast = build_cast()
    upload = checked(incoming_pdf)
    workers, per_worker = 32, 6
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []
    succeeded: list[int] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for round_no in range(per_worker):
                fail = (index + round_no) % 3 == 0
                try:
                    with transaction.atomic():
                        doc = actions.register_incoming(
                            unit=cast.staff, acting=cast.lan, data=_incoming_data(doc_types), file=upload,
                            client_token=uuid.uuid4(),
                        )
                        if fail:
                            raise _Abort
                    with lock:
                        succeeded.append(doc.number)
                except _Abort:
                    pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    numbers = sorted(Document.objects.filter(unit=cast.staff).values_list("number", flat=True))
    expected = sum(1 for i in range(workers) for r in range(per_worker) if (i + r) % 3 != 0)
    assert len(numbers) == expected == len(succeeded)
    assert numbers == list(range(1, expected + 1))
    register = Register.objects.get(unit=cast.staff, kind=RegisterKind.INCOMING, series="chung")
    assert register.last_number == expected


class _Abort(Exception):
    pass
