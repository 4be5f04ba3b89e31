"""Issue 7, sixth pass: what a process makes once and keeps (the proof of a key's passphrase, a font subset) is
made once when several threads need it at the same moment — clerks of one unit sealing together after a process
starts — not once per thread. A wrong passphrase is still refused, each guess still costs its own scrypt."""

from __future__ import annotations

import threading
import time

from tests.signing.conftest import count_scrypt
from vanthu.core import fonts
from vanthu.signing import appearance, keystore


def _together(count: int, body) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait(timeout=30)
        try:
            value = body()
        except Exception as exc:  # kept, to be asserted on
            value = exc
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _slow_counted_scrypt(monkeypatch) -> list[int]:
    return count_scrypt(monkeypatch, pause=0.05)  # long enough for every thread to arrive while the first derives


def test_threads_opening_one_key_at_once_pay_one_scrypt(blob, settings, monkeypatch):
    settings.KEY_UNLOCK_CACHE_SECONDS = 300
    calls = _slow_counted_scrypt(monkeypatch)
    keys = _together(8, lambda: keystore.unlock(blob, passphrase="mật khẩu đúng"))
    assert calls[0] == 1
    assert len({k.private_numbers().private_value for k in keys}) == 1


def test_a_wrong_passphrase_among_them_is_refused_and_costs_its_own_scrypt(blob, settings, monkeypatch):
    settings.KEY_UNLOCK_CACHE_SECONDS = 300
    calls = _slow_counted_scrypt(monkeypatch)
    results = _together(4, lambda: keystore.unlock(blob, passphrase="mật khẩu sai"))
    assert all(isinstance(r, keystore.WrongSecret) for r in results)
    assert calls[0] == 4


def test_without_the_cache_each_opening_pays_its_scrypt(blob, settings, monkeypatch):
    settings.KEY_UNLOCK_CACHE_SECONDS = 0
    calls = _slow_counted_scrypt(monkeypatch)
    keys = _together(3, lambda: keystore.unlock(blob, passphrase="mật khẩu đúng"))
    assert calls[0] == 3
    assert len(keys) == 3


def test_threads_needing_one_font_subset_at_once_make_it_once(monkeypatch):
    path = fonts.serif().bold
    text = "Số: 17/QĐ-ĐTNCT"  # a text no other test subsets, so that the cache has not got it yet
    monkeypatch.setattr(appearance, "_SUBSETS", {})
    made = [0]
    real = appearance._make_subset

    def counted(*args):
        made[0] += 1
        time.sleep(0.05)
        return real(*args)

    monkeypatch.setattr(appearance, "_make_subset", counted)
    subsets = _together(8, lambda: appearance.subset_for(path, text))
    assert made[0] == 1
    assert len({id(s) for s in subsets}) == 1


def test_a_subset_already_made_is_returned_while_another_is_being_made(monkeypatch):
    """Issue 7, seventh pass: a cache hit takes no lock, so a thread making a new subset (the lock held for
    ~45 ms) does not hold up the threads whose subset is made already."""
    path = fonts.serif().bold
    monkeypatch.setattr(appearance, "_SUBSETS", {})
    first = appearance.subset_for(path, "Số: 18/QĐ-ĐTNCT")
    got: list = []
    with appearance._SUBSETTING:  # as a thread making another subset holds it
        reader = threading.Thread(target=lambda: got.append(appearance.subset_for(path, "Số: 19/QĐ-ĐTNCT")))
        reader.start()
        reader.join(timeout=5)
        assert not reader.is_alive(), "a cache hit waited for the lock of a subset being made"
    assert got == [first]  # the digits are in every subset: the same characters, the same subset


def test_the_subsets_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(appearance, "_SUBSETS", {})
    monkeypatch.setattr(appearance, "SUBSETS_KEPT", 2)
    monkeypatch.setattr(appearance, "_make_subset", lambda path, chars: object())
    path = fonts.serif().bold
    for text in ("a", "b", "c"):
        appearance.subset_for(path, text)
    assert len(appearance._SUBSETS) == 2
    assert {frozenset("bc") & k[1] for k in appearance._SUBSETS} == {frozenset("b"), frozenset("c")}


def test_the_opening_locks_go_once_the_blobs_are_opened(blob, settings, monkeypatch):
    """Issue 7, seventh pass: the lock of a blob being opened by passphrase lives while a thread opens it or
    waits, not for the life of the process (one per blob ever opened)."""
    settings.KEY_UNLOCK_CACHE_SECONDS = 300
    _slow_counted_scrypt(monkeypatch)
    keystore.forget_proven()
    _together(4, lambda: keystore.unlock(blob, passphrase="mật khẩu đúng"))
    other = keystore.lock(keystore.unlock(blob, passphrase="mật khẩu đúng"), passphrase="khác")
    keystore.unlock(other, passphrase="khác")
    assert len(keystore._OPENING) == 0
