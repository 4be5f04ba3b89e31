"""Shared by the issuance tests of this folder: the Staff's plan signed and ready to issue (tests/outbox_helpers.py)."""

from __future__ import annotations

import pytest

from tests.outbox_helpers import signed_plan


@pytest.fixture
def signed(cast, doc_types, draft_pdf):
    return signed_plan(cast, doc_types, draft_pdf)
