"""/api/v1 tasks and directives: the same actions as the pages, the same refusals, 404 for the unseen."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.api.conftest import error_of
from vanthu.workflow.models import Assignment


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def test_a_directive_cascades_and_rolls_up_over_the_api(cast, api):
    hung, dung, minh, tam = api(cast.hung), api(cast.dung), api(cast.minh), api(cast.tam)
    issued = hung.post("/directives", {"title": "Báo cáo công tác huấn luyện", "deadline": days(10),
                                       "units": [cast.division.pk, cast.province.pk]})
    assert issued.status_code == 200, issued.content
    rollup = issued.json()
    assert rollup["in_time"] == 2
    division = next(r["task"] for r in rollup["rows"] if r["task"]["unit"]["id"] == cast.division.pk)

    late = dung.post(f"/tasks/{division['id']}/delegate",
                     {"to": [{"type": "person", "id": cast.minh.pk, "deadline": days(11)}]})
    assert late.status_code == 400
    assert error_of(late)["code"] == "deadline_after_parent"
    passed = dung.post(f"/tasks/{division['id']}/delegate",
                       {"to": [{"type": "person", "id": cast.minh.pk, "deadline": days(8)}]})
    assert passed.status_code == 200, passed.content
    child = passed.json()["children"][0]

    assert [t["id"] for t in minh.get("/work").json()["items"]] == [child["id"]]
    assert tam.get(f"/tasks/{child['id']}").status_code == 404
    assert tam.post(f"/tasks/{child['id']}/complete", {"result": "x"}).status_code == 404
    reported = minh.upload(f"/tasks/{child['id']}/progress", {"text": "Đang tổng hợp", "percent": 50},
                           {"file": ("so-lieu.xlsx", b"bang so lieu quan so")})
    assert reported.status_code == 200, reported.content
    assert reported.json()["progress"] == 50
    [note] = reported.json()["notes"]
    assert note["file_name"] == "so-lieu.xlsx"
    got = minh.get(f"/tasks/{child['id']}/notes/{note['id']}/file")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == b"bang so lieu quan so"
    assert 'attachment; filename="so-lieu.xlsx"' in got["Content-Disposition"]
    assert tam.get(f"/tasks/{child['id']}/notes/{note['id']}/file").status_code == 404
    no_file = minh.upload(f"/tasks/{child['id']}/progress", {"text": "Đã có 2 trung đoàn"}, {})
    assert no_file.status_code == 200, no_file.content
    assert minh.get(f"/tasks/{child['id']}/notes/{no_file.json()['notes'][1]['id']}/file").status_code == 404
    empty = minh.upload(f"/tasks/{child['id']}/progress", {"text": "Tệp rỗng"}, {"file": ("rong.pdf", b"")})
    assert empty.status_code in (400, 422), empty.content
    assert len(dung.get(f"/tasks/{child['id']}").json()["notes"]) == 2
    ext = minh.post(f"/tasks/{child['id']}/extension", {"deadline": days(9), "reason": "Chờ số liệu"})
    assert ext.status_code == 200, ext.content
    assert minh.post(f"/extensions/{ext.json()['id']}/decide", {"approve": True}).status_code == 403
    assert dung.post(f"/extensions/{ext.json()['id']}/decide", {"approve": True}).json()["state"] == "approved"
    assert minh.post(f"/tasks/{child['id']}/complete", {"result": "Đã báo cáo"}).json()["state"] == "done"
    assert dung.post(f"/tasks/{division['id']}/accept").json()["state"] == "done"
    assert hung.get(f"/directives/{rollup['id']}").json()["done_on_time"] == 1
    assert Assignment.objects.get(pk=child["id"]).deadline.isoformat() == days(9)
