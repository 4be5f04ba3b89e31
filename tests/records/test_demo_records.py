"""The demo's records module on the fixed characters alone (the whole demo is tests/demo/test_demo.py)."""

from __future__ import annotations

import random
from types import SimpleNamespace

from tests.records.conftest import incoming
from vanthu.demo import build_records
from vanthu.records.models import Catalogue, Record, RecordState


def test_the_demo_records_give_catalogues_open_closed_and_transferred_records(cast, doc_types, incoming_pdf):
    for n in range(12):
        incoming(cast, doc_types, incoming_pdf, subject=f"V/v huấn luyện đợt {n}", number=str(300 + n))
        incoming(cast, doc_types, incoming_pdf, subject=f"V/v khen thưởng đợt {n}", number=str(400 + n),
                 unit=cast.command, clerk=cast.hoa)
    counts = build_records.build(SimpleNamespace(cast=cast), random.Random(7))
    assert counts["catalogues"] == 4
    assert Catalogue.objects.filter(copied_from__isnull=False).count() == 2
    assert Record.objects.filter(state=RecordState.OPEN, items__isnull=False).exists()
    assert Record.objects.filter(state=RecordState.CLOSED, doc_total__gt=0).exists()
    assert Record.objects.filter(state=RecordState.TRANSFERRED).count() == counts["transferred"] > 0
