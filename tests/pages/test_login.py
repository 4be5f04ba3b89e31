"""Login, logout and what an account without a person sees."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from vanthu.demo.characters import DEMO_PASSWORD


def test_login_page_is_in_vietnamese(client, db):
    page = client.get("/login/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Đăng nhập văn phòng điện tử" in text
    assert "Tên đăng nhập" in text
    assert "Mật khẩu" in text
    assert '<html lang="vi">' in text


def test_anonymous_visitor_is_sent_to_login(client, db):
    page = client.get("/registers/incoming/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/?next=/registers/incoming/")


def test_hoa_logs_in_and_lands_in_her_inbox(client, cast):
    page = client.post("/login/", {"username": "hoa", "password": DEMO_PASSWORD})
    assert page.status_code == 302
    assert page["Location"] == "/"
    inbox = client.get("/")
    assert "Hộp việc" in inbox.content.decode()
    assert "Phạm Thị Hoa" in inbox.content.decode()


def test_wrong_password_gets_a_vietnamese_message_and_keeps_the_username(client, cast):
    page = client.post("/login/", {"username": "hoa", "password": "sai-mat-khau"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in text
    assert 'value="hoa"' in text


def test_empty_login_form_names_both_fields(client, db):
    text = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert "Hãy nhập tên đăng nhập." in text
    assert "Hãy nhập mật khẩu." in text


def test_logout_is_a_post_and_ends_the_session(client, cast):
    client.force_login(cast.hoa.user)
    assert client.get("/logout/").status_code == 405
    page = client.post("/logout/")
    assert page.status_code == 302
    assert page["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_account_without_a_person_gets_404_on_pages(client, db):
    user = get_user_model().objects.create_user(username="sieu", password="x" * 12)
    client.force_login(user)
    assert client.get("/").status_code == 404
    assert client.get("/registers/incoming/").status_code == 404
