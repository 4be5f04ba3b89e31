"""The Staff's record with an issued document (sealed by the Staff, B-T by the built-in TSA) and another file,
for the package's CLI and page tests. Made directly (fixtures), not through the filing actions."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.outbox_helpers import signed_plan
from vanthu.core import files
from vanthu.documents import actions
from vanthu.org.second_factor_testing import code_for
from vanthu.records.models import Catalogue, CatalogueEntry, ItemKind, Record, RecordItem
from vanthu.signing.testing import SIGNING_SECRET


@pytest.fixture
def record(cast, doc_types, draft_pdf, settings, django_capture_on_commit_callbacks):
    settings.EXCHANGE_SEAL_SECRET = SIGNING_SECRET
    settings.TSA_URL = "builtin"
    document = signed_plan(cast, doc_types, draft_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_outgoing(document=document, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    catalogue = Catalogue.objects.create(unit=cast.staff, year=2026)
    entry = CatalogueEntry.objects.create(catalogue=catalogue, code="05.TM", title="Hồ sơ kế hoạch huấn luyện",
                                          retention_years=20, responsible=cast.lan)
    record = Record.objects.create(entry=entry, unit=cast.staff, year=2026, organ_id=cast.staff.code, code="05.TM",
                                   title="Hồ sơ kế hoạch huấn luyện năm 2027", retention_years=20,
                                   creator=cast.lan, start_date=dt.date(2026, 1, 5))
    RecordItem.objects.create(record=record, ordinal=1, kind=ItemKind.OUTGOING, document=document)
    other = files.store_bytes(b"so lieu\n" * 100, content_type="text/plain")
    RecordItem.objects.create(record=record, ordinal=2, kind=ItemKind.OTHER, file=other, title="Bảng số liệu.txt")
    return record
