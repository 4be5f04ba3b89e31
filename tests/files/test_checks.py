"""System checks of the file store (vanthu.E004: the setting at fault is named) and of a deployment of several
servers that would keep state on one machine (vanthu.W040)."""

from __future__ import annotations

import uuid

import pytest

from tests.files.conftest import CREDENTIALS, start_moto, stop
from vanthu.core import checks


def messages(settings) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.msg for p in checks.check_settings() if p.id == "vanthu.E004"]


def test_a_reachable_bucket_passes(settings, s3_store):
    assert messages(settings) == []


def test_a_missing_bucket_names_the_files_url(settings, s3_server, s3_bucket):
    settings.S3_ENDPOINT_URL = s3_server
    settings.FILES_URL = f"s3://absent-{uuid.uuid4().hex[:8]}/vanthu"
    [message] = messages(settings)
    assert message.startswith("VANTHU_FILES_URL=")
    assert "does not exist" in message


def test_an_unreachable_endpoint_names_the_endpoint_setting(settings, s3_bucket):
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"
    settings.FILES_URL = f"s3://{s3_bucket}/vanthu"
    [message] = messages(settings)
    assert message.startswith("VANTHU_S3_ENDPOINT_URL=http://127.0.0.1:9")


@pytest.fixture(scope="module")
def s3_with_auth():
    """A second S3 server that checks credentials (moto's IAM checks on from the first request)."""
    process, endpoint = start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    yield endpoint
    stop(process)


def test_wrong_credentials_name_the_credential_settings(settings, s3_with_auth, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    settings.S3_ENDPOINT_URL = s3_with_auth
    settings.FILES_URL = f"s3://any-{uuid.uuid4().hex[:8]}/vanthu"
    [message] = messages(settings)
    assert message.startswith("AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")


def test_a_bad_files_url_is_named(settings):
    settings.FILES_URL = "ftp://files"
    [message] = messages(settings)
    assert message.startswith("VANTHU_FILES_URL")


def test_several_servers_with_local_state_are_warned(settings):
    settings.SERVERS = 2
    settings.FILES_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.DATABASES = {**settings.DATABASES,
                          "default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.sqlite3"}}
    [warning] = checks.check_stateless()
    assert warning.id == "vanthu.W040"
    assert "VANTHU_FILES_URL" in warning.msg
    assert "VANTHU_REDIS_URL" in warning.msg
    assert "VANTHU_DATABASE_URL" in warning.msg
    assert "STORAGES" not in warning.msg  # uploads go to the file store (core/media.py)


def test_one_server_or_shared_state_is_not_warned(settings, s3_store):
    settings.SERVERS = 1
    settings.FILES_URL = ""
    assert checks.check_stateless() == []
    settings.SERVERS = 3
    settings.FILES_URL = s3_store
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/10"}}
    settings.DATABASES = {**settings.DATABASES,
                          "default": {**settings.DATABASES["default"],
                                      "ENGINE": "django.db.backends.postgresql"}}
    assert checks.check_stateless() == []
