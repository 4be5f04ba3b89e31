"""The API's signing and issuing operations take the second factor's code as the field `otp` (decision 0020)."""

from __future__ import annotations

from tests.api.conftest import error_of
from tests.api.test_drafting_api import authority, draft  # noqa: F401  (the fixture)
from vanthu.documents.models import Document, Status
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast


def test_signing_over_the_api_needs_the_code_in_the_callers_language(cast, draft, api, settings):  # noqa: F811
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no lock after the wrong code: the right one follows at once
    equip_cast(cast, people=["son"], units=["staff"])
    doc_id = draft["id"]
    api(cast.quang).post(f"/documents/{doc_id}/submit", {"signer_authority": authority(cast.son)})
    missing = api(cast.son).post(f"/documents/{doc_id}/sign", {"secret": SIGNING_SECRET})
    assert missing.status_code == 400
    assert error_of(missing)["code"] == "otp_required"
    assert error_of(missing)["field"] == "otp"
    wrong = api(cast.son, language="en").post(f"/documents/{doc_id}/sign", {"secret": SIGNING_SECRET,
                                                                             "otp": "12345x"})
    assert error_of(wrong)["code"] == "otp_wrong"
    assert error_of(wrong)["message"].startswith("The verification code is wrong")
    assert Document.objects.get(pk=doc_id).status == Status.AWAITING_SIGNATURE
    signed = api(cast.son).post(f"/documents/{doc_id}/sign", {"secret": SIGNING_SECRET, "otp": code_for(cast.son)})
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "signed"
