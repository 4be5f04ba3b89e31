"""Downloads behind nginx (VANTHU_FILES_HANDOFF=nginx, core/handoff.py): vanthu checks access and records the read,
then hands the bytes to the proxy with X-Accel-Redirect; who may not see the document gets 404 and no hand-off.
The loopback test (tests/deploy/test_loopback.py) proves the same through a real nginx."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from tests.api.conftest import register_incoming
from vanthu.audit import reads
from vanthu.audit.models import AuditEvent
from vanthu.core import handoff


@override_settings(FILES_HANDOFF="nginx", FILES_HANDOFF_PREFIX="/_vanthu_files/")
def test_the_api_hands_the_file_to_the_proxy_after_the_check(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    sha = doc.current_file_id
    response = api(cast.lan).get(f"/documents/{doc.pk}/files/{sha}")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_vanthu_files/{sha[:2]}/{sha[2:4]}/{sha}"
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b""  # the bytes come from nginx, not from Python
    assert AuditEvent.objects.filter(verb=reads.DOWNLOADED, target_id=str(doc.pk)).exists()


@override_settings(FILES_HANDOFF="nginx")
def test_an_outsider_gets_404_and_no_hand_off(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    response = api(cast.tam).get(f"/documents/{doc.pk}/files/{doc.current_file_id}")
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


@override_settings(FILES_HANDOFF="nginx")
def test_the_page_hands_the_file_to_the_proxy_with_its_name(client, cast, doc_types, incoming_pdf):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    sha = doc.current_file_id
    client.force_login(cast.lan.user)
    response = client.get(reverse("document_file", args=[doc.pk, sha]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == handoff.internal_location(sha)
    assert response["Content-Disposition"].startswith("inline")
    client.force_login(cast.tam.user)
    refused = client.get(reverse("document_file", args=[doc.pk, sha]))
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused


def test_without_a_proxy_the_file_is_streamed(cast, doc_types, incoming_pdf, api):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    response = api(cast.lan).get(f"/documents/{doc.pk}/files/{doc.current_file_id}")
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == incoming_pdf


# The app's part of a handed-off download is a handful of queries (issue 17; docs/benchmarks.md "vanthu bench
# deploy"): the token with its person, the person's roles, the document with its unit (the narrow read), the file's
# row, and the read's audit event (the chain's head locked, the event, the head moved on).
API_DOWNLOAD_QUERIES = 7
PAGE_DOWNLOAD_QUERIES = 9  # the session, the account and the person instead of the token


@override_settings(FILES_HANDOFF="nginx")
def test_a_handed_off_download_through_the_api_takes_few_queries(
    cast, doc_types, incoming_pdf, api, django_assert_max_num_queries
):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    client = api(cast.hung)  # a leader of the subtree: the decision reads the document's unit path
    path = f"/documents/{doc.pk}/files/{doc.current_file_id}"
    assert client.get(path).status_code == 200  # the token's last use written (once a minute)
    with django_assert_max_num_queries(API_DOWNLOAD_QUERIES):
        response = client.get(path)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"]
    assert AuditEvent.objects.filter(verb=reads.DOWNLOADED, target_id=str(doc.pk), actor_id=cast.hung.pk).count() == 2


@override_settings(FILES_HANDOFF="nginx")
def test_a_handed_off_download_from_the_page_takes_few_queries(
    client, cast, doc_types, incoming_pdf, django_assert_max_num_queries
):
    doc = register_incoming(cast, doc_types, incoming_pdf)
    client.force_login(cast.lan.user)
    url = reverse("document_file", args=[doc.pk, doc.current_file_id])
    assert client.get(url).status_code == 200  # the session's first stamp
    with django_assert_max_num_queries(PAGE_DOWNLOAD_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"]
    assert AuditEvent.objects.filter(verb=reads.DOWNLOADED, target_id=str(doc.pk), actor_id=cast.lan.pk).count() == 2
