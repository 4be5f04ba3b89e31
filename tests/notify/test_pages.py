"""The bell on every page, the notifications page (unread first), opening and marking read, the mail choices.
A person sees only their own notifications: another's answers 404."""

from __future__ import annotations

import re

from django.urls import reverse

from vanthu import notify
from vanthu.notify.models import Kind, Notification, Preference
from vanthu.notify.queries import unread_count


def bell(client) -> str:
    """What the bell shows: its count, loaded by htmx from notify:bell after the page."""
    html = client.get(reverse("notify:bell")).content.decode()
    found = re.search(r'<span class="bell-count[^"]*" id="bell-count"[^>]*>([^<]*)</span>', html)
    assert found, html
    return found.group(1)


def tell(person, n: int, *, prefix: str = "k", url: str = "/") -> list[Notification]:
    return [notify.send(person, kind=Kind.TASK, title=f"Thông báo số {i}", url=url, key=f"{prefix}{i}")
            for i in range(n)]


def test_the_bell_is_on_every_page_and_counts_unread(client, cast):
    tell(cast.minh, 3)
    client.force_login(cast.minh.user)
    placeholder = f'id="bell-count" hx-get="{reverse("notify:bell")}" hx-trigger="load"'
    for name in ("inbox", "notify:list", "draft_new", "search", "incoming_register"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 404), name
        if response.status_code == 200:
            assert placeholder in response.content.decode(), name
    assert bell(client) == "3"
    client.force_login(cast.dung.user)
    assert bell(client) == "0"


def test_the_bell_stops_counting_at_99(client, cast):
    tell(cast.minh, 101)
    assert unread_count(cast.minh) == 100  # counted up to 100 only
    client.force_login(cast.minh.user)
    assert bell(client) == "99+"


def test_the_bell_costs_one_capped_count_and_the_page_none(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tell(cast.minh, 2)
    client.force_login(cast.minh.user)
    with CaptureQueriesContext(connection) as page:
        client.get(reverse("inbox"))
    assert not [q for q in page.captured_queries if "notify_notification" in q["sql"]]
    with CaptureQueriesContext(connection) as counted:
        assert bell(client) == "2"
    mine = [q["sql"] for q in counted.captured_queries if "notify_notification" in q["sql"]]
    assert len(mine) == 1
    assert "COUNT(*)" in mine[0]
    assert "LIMIT 100" in mine[0]


def test_list_shows_unread_first_and_opening_marks_read(client, cast):
    first, second, third = tell(cast.minh, 3, url="/documents/1/")
    client.force_login(cast.minh.user)
    response = client.post(reverse("notify:open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/documents/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    html = client.get(reverse("notify:list")).content.decode()
    order = [int(pk) for pk in re.findall(r'data-notification="(\d+)"', html)]
    assert order == [third.pk, second.pk, first.pk]  # unread (newest first), then read
    assert bell(client) == "2"
    assert "Thông báo số 2" in html


def test_mark_one_and_all_read(client, cast):
    one, *_ = tell(cast.minh, 3)
    client.force_login(cast.minh.user)
    client.post(reverse("notify:read", args=[one.pk]))
    assert unread_count(cast.minh) == 2
    response = client.post(reverse("notify:read_all"), follow=True)
    assert "Đã đánh dấu 2 thông báo là đã đọc." in response.content.decode()
    assert unread_count(cast.minh) == 0


def test_anothers_notification_is_404(client, cast):
    (mine,) = tell(cast.minh, 1)
    client.force_login(cast.tam.user)
    assert client.post(reverse("notify:open", args=[mine.pk])).status_code == 404
    assert client.post(reverse("notify:read", args=[mine.pk])).status_code == 404
    assert "Thông báo số 0" not in client.get(reverse("notify:list")).content.decode()
    client.post(reverse("notify:read_all"))
    mine.refresh_from_db()
    assert mine.read_at is None


def test_an_outside_link_is_not_followed(client, cast):
    (n,) = tell(cast.minh, 1, url="https://example.org/")
    client.force_login(cast.minh.user)
    assert client.post(reverse("notify:open", args=[n.pk]))["Location"] == reverse("notify:list")


def test_the_person_chooses_mail_or_not(client, cast):
    client.force_login(cast.minh.user)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "minh@qk10.example" in page
    client.post(reverse("notify:preferences"), {"mail_escalations": "on"})
    pref = Preference.objects.get(person=cast.minh)
    assert (pref.mail_reminders, pref.mail_escalations, pref.mail_other) == (False, True, False)


def test_pages_need_login(client):
    assert client.get(reverse("notify:list")).status_code == 302
