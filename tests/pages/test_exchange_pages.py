"""The exchange's pages: the division's clerk sees the envelope refused at its door (reason, sender, time) and
downloads the raw envelope; an outsider gets 404; the peer directory is for an admin of the top unit only, who
adds, edits and stops a peer through the same actions as `vanthu peers`."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from tests.exchange.helpers import refused_at_division
from vanthu.exchange.models import Peer
from vanthu.signing import service as signing


@pytest.fixture
def refused(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    return refused_at_division(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks)


def test_the_divisions_clerk_sees_the_refused_envelope_and_downloads_it(client, cast, refused):
    client.force_login(cast.minh.user)  # the division's clerk (signed_plan made him so)
    listing = client.get("/lien-thong/bi-tu-choi/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Bộ Tham mưu" in text
    assert "sửa sau khi ký" in text
    detail = client.get(f"/lien-thong/goi-tin/{refused.pk}/")
    assert detail.status_code == 200
    assert refused.sha256 in detail.content.decode()
    raw = client.get(f"/lien-thong/goi-tin/{refused.pk}/tai-ve")
    assert raw.status_code == 200
    assert raw.content == refused.raw.read_bytes()


def test_someone_of_another_unit_gets_404(client, cast, refused):
    client.force_login(cast.tam.user)  # the province's clerk
    assert "sửa sau khi ký" not in client.get("/lien-thong/bi-tu-choi/").content.decode()
    assert client.get(f"/lien-thong/goi-tin/{refused.pk}/").status_code == 404
    assert client.get(f"/lien-thong/goi-tin/{refused.pk}/tai-ve").status_code == 404


def test_the_peer_directory_is_for_the_top_units_admin(client, cast):
    client.force_login(cast.lan.user)
    assert client.get("/lien-thong/he-thong/").status_code == 404
    client.force_login(cast.admin.user)
    assert client.get("/lien-thong/he-thong/").status_code == 200
    roots, _intermediates = signing.trust_store_der()
    pem = "".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode() for d in roots) or \
        _any_pem()
    added = client.post("/lien-thong/he-thong/", {
        "name": "Quân khu 11", "organ_ids": "*.Q11", "base_url": "https://vanthu.qk11.example",
        "trust_roots": pem, "max_secrecy": "0", "transport": "http", "is_active": "on"})
    assert added.status_code == 302
    peer = Peer.objects.get(name="Quân khu 11")
    assert peer.organ_patterns == ["*.Q11"]
    assert peer.covers("000.00.10.Q11")
    assert not peer.covers("000.00.10.Q10")
    bad = client.post("/lien-thong/he-thong/", {"name": "X", "organ_ids": "*.Q12", "base_url": "ftp://x",
                                                "trust_roots": pem, "max_secrecy": "0", "transport": "http"})
    assert bad.status_code == 400
    assert client.post(f"/lien-thong/he-thong/{peer.pk}/ngung").status_code == 302
    assert not Peer.objects.get(pk=peer.pk).is_active


def _any_pem() -> str:
    from vanthu.signing.testing import ensure_ca

    ensure_ca()
    roots, _intermediates = signing.trust_store_der()
    return "".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode() for d in roots)
