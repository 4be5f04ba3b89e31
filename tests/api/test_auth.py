"""Token authentication: who gets in, who gets a 401 (JSON, never a redirect to the login page)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from tests.api.conftest import ApiClient, error_of, new_token
from vanthu.api import actions
from vanthu.api.models import ApiToken, hash_secret
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES


def test_call_with_a_token_and_no_session_works(cast):
    client = ApiClient(new_token(cast.lan))
    response = client.get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["full_name"] == "Nguyễn Thị Lan"
    assert ("clerk", cast.staff.pk) in {(r["role"], r["unit"]["id"]) for r in body["roles"]}
    assert "sessionid" not in response.cookies


def test_call_without_a_token_gets_401_json_not_a_login_redirect(cast):
    response = ApiClient(None).get("/documents")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = error_of(response)
    assert error["code"] == "token_missing"
    assert "Authorization" in error["message"]


def test_logged_in_session_without_a_token_is_not_enough(cast):
    client = ApiClient(None)
    client.client.force_login(cast.lan.user)
    assert client.get("/me").status_code == 401


def test_unknown_token_is_refused(cast):
    response = ApiClient("vt_khongtontai").get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_invalid"


def test_revoked_token_gets_401(cast):
    secret = new_token(cast.lan)
    token = ApiToken.objects.get(secret_hash=hash_secret(secret))
    actions.revoke_token(token=token, acting=cast.lan)
    response = ApiClient(secret).get("/me")
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "token_revoked"
    assert "thu hồi" in error["message"]


def test_expired_token_gets_401(cast):
    secret = new_token(cast.lan, days=1)
    ApiToken.objects.filter(secret_hash=hash_secret(secret)).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = ApiClient(secret).get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"


def test_token_of_a_person_who_left_gets_401(cast):
    secret = new_token(cast.quang)
    cast.quang.is_active = False
    cast.quang.save(update_fields=["is_active"])
    response = ApiClient(secret).get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "account_inactive"


def test_only_the_hash_of_the_secret_is_kept(cast):
    token, secret = actions.create_token(person=cast.lan, name="tích hợp", acting=cast.lan, days=90)
    assert secret.startswith("vt_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert stored.prefix == secret[3:11]
    assert stored.expires_at is not None
    event = AuditEvent.objects.get(verb="api.token.created")
    assert secret not in str(event.data)


def test_last_used_is_written_at_most_once_a_minute(cast):
    secret = new_token(cast.lan)
    client = ApiClient(secret)
    client.get("/me")
    first = ApiToken.objects.get(secret_hash=hash_secret(secret)).last_used_at
    assert first is not None
    client.get("/me")
    assert ApiToken.objects.get(secret_hash=hash_secret(secret)).last_used_at == first
    ApiToken.objects.filter(secret_hash=hash_secret(secret)).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/me")
    assert ApiToken.objects.get(secret_hash=hash_secret(secret)).last_used_at > first - dt.timedelta(minutes=2)


def test_token_name_is_required(cast):
    from vanthu.core.errors import ActionRefused

    with pytest.raises(ActionRefused) as err:
        actions.create_token(person=cast.lan, name="  ", acting=TEST_FIXTURES)
    assert err.value.field == "name"
    assert not ApiToken.objects.exists()


def test_cli_creates_lists_and_revokes_tokens(cast):
    out, err = io.StringIO(), io.StringIO()
    call_command("apitoken", "create", "--user", "lan", "--name", "tích hợp", "--days", "90", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("vt_")
    assert "Token #" in err.getvalue()
    assert ApiClient(secret).get("/me").status_code == 200

    listing = io.StringIO()
    call_command("apitoken", "list", "--user", "lan", stdout=listing)
    assert "active" in listing.getvalue()
    assert secret not in listing.getvalue()
    assert secret[:11] in listing.getvalue()

    token = ApiToken.objects.get()
    call_command("apitoken", "revoke", str(token.pk), stdout=io.StringIO())
    assert ApiClient(secret).get("/me").status_code == 401
    with pytest.raises(CommandError):
        call_command("apitoken", "revoke", str(token.pk), stdout=io.StringIO())


def test_cli_refuses_an_unknown_user(cast):
    with pytest.raises(CommandError):
        call_command("apitoken", "create", "--user", "khongco", "--name", "x", stdout=io.StringIO())


def test_token_calls_need_no_csrf_token(cast, doc_types, incoming_pdf):
    from tests.api.conftest import register_incoming

    doc = register_incoming(cast, doc_types, incoming_pdf)
    client = ApiClient(new_token(cast.lan))
    client.client = Client(enforce_csrf_checks=True)
    response = client.post(f"/documents/{doc.pk}/present", {"to": cast.son.pk})
    assert response.status_code == 200, response.content
