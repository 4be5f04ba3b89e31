"""Signing with a key at a remote signing service, through the pages: request, confirm, complete."""

from __future__ import annotations

import base64

import pytest

from vanthu.documents.models import Document, Status
from vanthu.signing.testing import bind_remote_key, equip_cast, remote_service_signs


@pytest.fixture
def remote_son(cast):
    equip_cast(cast, people=(), units=("staff",))
    return bind_remote_key(cast.son, acting=cast.admin)


def test_sign_button_leads_a_remote_signer_to_the_remote_page(client, cast, remote_son, awaiting_signature):
    client.force_login(cast.son.user)
    url = f"/documents/{awaiting_signature.pk}/sign/"
    assert client.get(url).headers["Location"] == f"/documents/{awaiting_signature.pk}/sign/remote/"
    htmx = client.get(url, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"].endswith("/sign/remote/")


def test_request_then_complete_with_the_services_answer(client, cast, remote_son, awaiting_signature):
    client.force_login(cast.son.user)
    url = f"/documents/{awaiting_signature.pk}/sign/remote/"
    page = client.get(url).content.decode()
    assert "Gửi yêu cầu ký" in page
    assert "Hoàn tất ký" not in page
    client.post(url, {"step": "request"})
    awaiting_signature.refresh_from_db()
    digest = bytes(awaiting_signature.remote_request.digest)
    page = client.get(url).content.decode()
    assert base64.b64encode(digest).decode() in page

    bad = client.post(url, {"step": "complete", "signature": "không phải base64"})
    assert "base64" in bad.content.decode()
    wrong = client.post(url, {"step": "complete", "signature": base64.b64encode(b"\x01" * 256).decode()})
    assert "không khớp" in wrong.content.decode()
    assert Document.objects.get(pk=awaiting_signature.pk).status == Status.AWAITING_SIGNATURE

    answer = base64.b64encode(remote_service_signs(remote_son, digest)).decode()
    done = client.post(url, {"step": "complete", "signature": answer})
    assert done.status_code == 302
    assert Document.objects.get(pk=awaiting_signature.pk).status == Status.SIGNED


def test_someone_else_gets_404_on_the_remote_page(client, cast, remote_son, awaiting_signature):
    client.force_login(cast.tam.user)
    assert client.get(f"/documents/{awaiting_signature.pk}/sign/remote/").status_code == 404
    client.force_login(cast.hung.user)  # sees the document (leads the tree) but is not its signer
    assert client.get(f"/documents/{awaiting_signature.pk}/sign/remote/").status_code == 404
