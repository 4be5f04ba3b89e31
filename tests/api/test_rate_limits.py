"""Rate limits and locks on the API (decision 0021): 429 in the API's error shape with Retry-After, for an address
guessing tokens, for a person's signing requests over VANTHU_RATELIMIT_SIGNING, and for a signing key locked after
wrong passphrases; the OpenAPI document lists 429 for every operation."""

from __future__ import annotations

from django.test import Client

from tests.api.conftest import BASE
from tests.api.test_drafting_api import authority, draft  # noqa: F401  (the fixture)
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


def error_of(response) -> dict:
    return response.json()["error"]


def test_an_address_guessing_tokens_gets_429_with_retry_after(cast, api, settings):
    settings.RATELIMIT_API_AUTH = "3/m"
    guesser = Client(REMOTE_ADDR="10.7.7.7")
    codes = [guesser.get(f"{BASE}/inbox", headers={"Authorization": f"Bearer vt_guess{n}"}).status_code
             for n in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    refused = guesser.get(f"{BASE}/inbox", headers={"Authorization": "Bearer vt_guess9"})
    assert error_of(refused)["code"] == "rate_limited"
    assert "Quá nhiều yêu cầu" in error_of(refused)["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    lan = api(cast.lan)
    lan.client = guesser  # the same address, a real token: still served (colleagues share a gateway)
    assert lan.get("/inbox").status_code == 200


def test_signing_requests_over_the_persons_rate_get_429(cast, draft, api, settings):  # noqa: F811
    settings.RATELIMIT_SIGNING = "2/m"
    son = api(cast.son)
    codes = [son.post(f"/documents/{draft['id']}/sign", {"secret": "x"}).status_code for _ in range(3)]
    assert codes[2] == 429
    assert error_of(son.post(f"/documents/{draft['id']}/issue", {}))["code"] == "rate_limited"


def test_a_key_locked_after_wrong_passphrases_answers_429_key_locked(cast, draft, api, settings):  # noqa: F811
    settings.KEY_SCRYPT_LOG2N = 10
    settings.LOCKOUT_FAILURES = 3
    equip_cast(cast, people=["son"], units=["staff"])
    doc_id = draft["id"]
    api(cast.quang).post(f"/documents/{doc_id}/submit", {"signer_authority": authority(cast.son)})
    son = api(cast.son)
    wrong = [son.post(f"/documents/{doc_id}/sign", {"secret": "000000", "otp": code_for(cast.son)}) for _ in range(3)]
    assert [error_of(r)["code"] for r in wrong] == ["wrong_secret"] * 3
    locked = son.post(f"/documents/{doc_id}/sign", {"secret": SIGNING_SECRET, "otp": code_for(cast.son)})
    assert locked.status_code == 429
    assert error_of(locked)["code"] == "key_locked"
    assert "mở lại lúc" in error_of(locked)["message"]
    assert int(locked["Retry-After"]) > 0


def test_the_openapi_document_lists_429_with_retry_after_for_every_operation(db):
    document = Client().get(f"{BASE}/openapi.json").json()
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert operations
    for operation in operations:
        answer = operation["responses"]["429"]
        assert "Retry-After" in answer["headers"]
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
