"""The signing admin pages mark a certificate ending within 30 days "Sắp hết hạn" (orange) and one already past
its end "Đã hết hạn", say how many days are left, and filter them; the list page says how many there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from vanthu.org.second_factor_testing import step_up
from vanthu.signing.models import Certificate


@pytest.fixture
def admin_client(client, equipped_cast):
    step_up(client, equipped_cast.admin)
    return client


def _ends_in(certificate: Certificate, days: int) -> None:
    """The certificate ends at noon, `days` local days from today. Only the stored end date is moved: what the
    pages read (signing with it is not part of these stories)."""
    noon = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(12))
    Certificate.objects.filter(pk=certificate.pk).update(not_after=timezone.make_aware(noon))


def test_certificate_ending_within_30_days_is_marked_and_filtered(admin_client, equipped_cast):
    ending = Certificate.objects.get(person=equipped_cast.son)
    _ends_in(ending, 12)
    page = admin_client.get(reverse("signing:certificates")).content.decode()
    assert "1 chứng thư số sắp hết hạn (trong 30 ngày tới) hoặc đã hết hạn." in page
    assert 'class="status cert-expiring">Sắp hết hạn</span>' in page
    assert "còn 12 ngày" in page
    filtered = admin_client.get(reverse("signing:certificates"), {"status": "expiring"}).content.decode()
    assert "Hoàng Văn Sơn" in filtered
    assert "Trần Quốc Hùng" not in filtered
    detail = admin_client.get(reverse("signing:certificate", kwargs={"pk": ending.pk})).content.decode()
    assert "Sắp hết hạn" in detail
    assert "còn 12 ngày" in detail


def test_certificate_past_its_end_is_marked_expired_not_in_force(admin_client, equipped_cast):
    ended = Certificate.objects.get(person=equipped_cast.hung)
    _ends_in(ended, -3)
    page = admin_client.get(reverse("signing:owner", kwargs={"kind": "person", "pk": equipped_cast.hung.pk}))
    text = page.content.decode()
    assert 'class="status cert-expired">Đã hết hạn</span>' in text
    assert 'class="status cert-active">Đang hiệu lực</span>' not in text
    owners = admin_client.get(reverse("signing:owners")).content.decode()
    assert "đã hết hạn" in owners


def test_certificates_in_force_carry_no_expiry_mark(admin_client, equipped_cast):
    page = admin_client.get(reverse("signing:certificates")).content.decode()
    assert 'class="status cert-active">Đang hiệu lực</span>' in page
    assert "cert-expiring" not in page
    assert "sắp hết hạn (trong 30 ngày tới)" not in page
