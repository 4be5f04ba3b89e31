"""Fixtures for signing tests: an equipped cast, a live PKI over HTTP, SoftHSM2 tokens.

- `equipped_cast`: the fixed characters with vanthu's CA, certificates + server-held keys (passphrase
  SIGNING_SECRET) for hung, binh, son, dung and seal certificates for every unit, signature and seal images.
  The CA's URLs point at settings.PUBLIC_URL as it was (not reachable): use `live_pki` for HTTP.
- `live_pki`: settings.PUBLIC_URL = a live server on 127.0.0.1 (real HTTP: CRL, OCSP, TSA,
  CA certificates; settings.TSA_TOKEN and `cast.tsa_token` a registered client's token),
  then the same equipment, so the certificates' URLs point at it. Returns the cast (`cast.equipment`,
  `cast.live_url`).
- `softhsm`: a fresh SoftHSM2 token (PIN TOKEN_PIN) in this worker's private SOFTHSM2_CONF.
- every test here: scrypt at N=2**10 (settings.KEY_SCRYPT_LOG2N) instead of 2**14, for speed.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def equipped_cast(cast):
    from vanthu.signing.testing import equip_cast

    cast.equipment = equip_cast(cast)
    return cast


@pytest.fixture
def live_pki(transactional_db, live_server, settings, cast):
    from vanthu.signing.testing import equip_cast, tsa_client

    settings.PUBLIC_URL = live_server.url
    settings.TSA_TOKEN = cast.tsa_token = tsa_client()  # /pki/tsa answers registered clients only
    cast.live_url = live_server.url
    cast.equipment = equip_cast(cast)
    return cast


@pytest.fixture
def softhsm(tmp_path_factory):
    from vanthu.signing.testing import softhsm_token

    return softhsm_token(tmp_path_factory.getbasetemp())


@pytest.fixture(autouse=True)
def _cheap_key_derivation(settings):
    """scrypt with N=2**10 instead of 2**14: the same code path, 16× cheaper (the cost is stored per key)."""
    settings.KEY_SCRYPT_LOG2N = 10


@pytest.fixture
def blob(settings):
    """A key locked under a passphrase, with no passphrase proven before or after the test (signing/keystore.py)."""
    from vanthu.signing import keystore, pki

    settings.KEY_SCRYPT_LOG2N = 10
    keystore.forget_proven()
    yield keystore.lock(pki.generate_key("ecdsa"), passphrase="mật khẩu đúng")
    keystore.forget_proven()


def count_scrypt(monkeypatch, *, pause: float = 0.0) -> list[int]:
    """Count keystore's scrypt derivations (`calls[0]`); `pause` makes each last that long more."""
    import time

    from vanthu.signing import keystore

    calls = [0]
    real = keystore._kek

    def counted(*args, **kwargs):
        calls[0] += 1
        if pause:
            time.sleep(pause)
        return real(*args, **kwargs)

    monkeypatch.setattr(keystore, "_kek", counted)
    return calls
