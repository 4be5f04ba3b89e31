"""`/api/v1/exchange/…`: the refused envelopes of the caller's units (same rule as the pages), the raw envelope,
and the peer directory for an admin of the top unit."""

from __future__ import annotations

import pytest

from tests.exchange.helpers import refused_at_division


@pytest.fixture
def refused(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    return refused_at_division(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks)


def test_the_divisions_clerk_lists_and_downloads_the_refused_envelope(api, cast, refused):
    minh = api(cast.minh)
    rows = minh.get("/exchange/received").json()
    assert [r["id"] for r in rows] == [refused.pk]
    assert rows[0]["reason_code"] == "bad_signature"
    assert rows[0]["from_organ"] == "000.00.02.Q10"
    assert minh.get(f"/exchange/received/{refused.pk}").json()["sha256"] == refused.sha256
    assert minh.get(f"/exchange/received/{refused.pk}/raw").content == refused.raw.read_bytes()


def test_another_units_clerk_sees_nothing_and_gets_404(api, cast, refused):
    tam = api(cast.tam)
    assert tam.get("/exchange/received").json() == []
    assert tam.get(f"/exchange/received/{refused.pk}").status_code == 404
    assert tam.get(f"/exchange/received/{refused.pk}/raw").status_code == 404


def test_peers_only_for_the_top_units_admin(api, cast):
    assert api(cast.lan).get("/exchange/peers").status_code == 404
    assert api(cast.admin).get("/exchange/peers").json() == []
