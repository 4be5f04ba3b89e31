"""Issue 13 item 3: reads that were not recorded before, on the page and the API alike: a received envelope
downloaded and a task's file downloaded (who, what, when, from where; a refused read records nothing)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tests.exchange.helpers import refused_at_division
from vanthu.audit import reads
from vanthu.audit.models import AuditEvent


def test_a_received_envelope_downloaded_is_recorded_on_the_page_and_the_api(
        client, api, cast, doc_types, draft_pdf, django_capture_on_commit_callbacks):
    refused = refused_at_division(cast, doc_types, draft_pdf, django_capture_on_commit_callbacks)
    client.force_login(cast.minh.user)
    assert client.get(reverse("exchange:received_raw", args=[refused.pk]), REMOTE_ADDR="10.5.5.5").status_code == 200
    assert api(cast.minh).get(f"/exchange/received/{refused.pk}/raw").status_code == 200
    events = AuditEvent.objects.filter(verb=reads.DOWNLOADED, target_type="exchange.receivedenvelope",
                                       target_id=str(refused.pk)).order_by("id")
    assert [e.data["via"] for e in events] == ["web", "api"]
    assert events[0].data["ip"] == "10.5.5.5"
    assert api(cast.tam).get(f"/exchange/received/{refused.pk}/raw").status_code == 404
    assert events.count() == 2  # a refused read records nothing


def test_a_tasks_file_downloaded_is_recorded_on_the_page_and_the_api(client, api, cast):
    hung, dung, minh = api(cast.hung), api(cast.dung), api(cast.minh)
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    rollup = hung.post("/directives", {"title": "Báo cáo quân số", "deadline": deadline,
                                       "units": [cast.division.pk]}).json()
    division = rollup["rows"][0]["task"]
    child = dung.post(f"/tasks/{division['id']}/delegate",
                      {"to": [{"type": "person", "id": cast.minh.pk, "deadline": deadline}]}).json()["children"][0]
    note = minh.upload(f"/tasks/{child['id']}/progress", {"text": "Số liệu"},
                       {"file": ("so-lieu.xlsx", b"bang so lieu")}).json()["notes"][0]
    assert minh.get(f"/tasks/{child['id']}/notes/{note['id']}/file").status_code == 200
    client.force_login(cast.dung.user)
    assert client.get(f"/tasks/{child['id']}/notes/{note['id']}/file/").status_code == 200
    events = AuditEvent.objects.filter(verb=reads.DOWNLOADED, target_type="workflow.assignment",
                                       target_id=str(child["id"])).order_by("id")
    assert [(e.actor_id, e.data["via"], e.data["file"]) for e in events] == [
        (cast.minh.pk, "api", "so-lieu.xlsx"), (cast.dung.pk, "web", "so-lieu.xlsx")]
