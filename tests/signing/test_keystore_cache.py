"""A passphrase proven once opens the same key again without scrypt for KEY_UNLOCK_CACHE_SECONDS; any other
passphrase still goes through scrypt and is refused; with 0 nothing is remembered."""

from __future__ import annotations

import pytest

from tests.signing.conftest import count_scrypt
from vanthu.signing import keystore


def _count_scrypt(monkeypatch) -> list[int]:
    return count_scrypt(monkeypatch)


def test_a_proven_passphrase_opens_the_key_again_without_scrypt(blob, settings, monkeypatch):
    settings.KEY_UNLOCK_CACHE_SECONDS = 300
    calls = _count_scrypt(monkeypatch)
    first = keystore.unlock(blob, passphrase="mật khẩu đúng")
    second = keystore.unlock(blob, passphrase="mật khẩu đúng")
    assert calls[0] == 1
    assert second.private_numbers() == first.private_numbers()
    with pytest.raises(keystore.WrongSecret):
        keystore.unlock(blob, passphrase="mật khẩu sai")  # a guess still costs a scrypt, and is refused
    assert calls[0] == 2


def test_nothing_is_remembered_with_0_or_after_the_time(blob, settings, monkeypatch):
    settings.KEY_UNLOCK_CACHE_SECONDS = 0
    calls = _count_scrypt(monkeypatch)
    keystore.unlock(blob, passphrase="mật khẩu đúng")
    keystore.unlock(blob, passphrase="mật khẩu đúng")
    assert calls[0] == 2
    settings.KEY_UNLOCK_CACHE_SECONDS = 300
    keystore.unlock(blob, passphrase="mật khẩu đúng")
    now = keystore.time.monotonic()
    monkeypatch.setattr(keystore.time, "monotonic", lambda: now + 301)
    keystore.unlock(blob, passphrase="mật khẩu đúng")
    assert calls[0] == 4
