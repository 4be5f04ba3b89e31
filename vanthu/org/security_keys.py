"""WebAuthn security keys (decision 0020), on py_webauthn: registration and assertion.

The relying party is the deployment's public address (VANTHU_PUBLIC_URL): its host is the RP id, the URL the
expected origin. A challenge is issued for one person, kept in the cache for five minutes and taken out when
used: an assertion is good once. The assertion travels where a TOTP code would (the `otp` field of the signing
dialog and of the API, as JSON), so the actions check either with `second_factor.verify`.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person, SecurityKey

CHALLENGE_SECONDS = 300
# py_webauthn (and cbor2, pyOpenSSL under it) is imported inside the functions that use it: every page loads
# this module through the second factor, few ever use a security key.


def bytes_to_base64url(value: bytes) -> str:
    """py_webauthn's encoding of a challenge (base64url without padding), without importing it."""
    return base64.urlsafe_b64encode(value).decode("ascii").rstrip("=")


def rp_id() -> str:
    return urlsplit(settings.PUBLIC_URL).hostname or "localhost"


def origin() -> str:
    parts = urlsplit(settings.PUBLIC_URL)
    return f"{parts.scheme}://{parts.netloc}"


def _remember(kind: str, person: Person, challenge: bytes) -> None:
    cache.set(f"vanthu:webauthn:{kind}:{person.pk}:{bytes_to_base64url(challenge)}", 1, CHALLENGE_SECONDS)


def _take(kind: str, person: Person, challenge: bytes) -> bool:
    """The challenge was issued to this person for this purpose and not used yet (it is used now)."""
    return bool(cache.delete(f"vanthu:webauthn:{kind}:{person.pk}:{bytes_to_base64url(challenge)}"))


def registration_options(person: Person) -> str:
    import webauthn
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    challenge = secrets.token_bytes(32)
    options = webauthn.generate_registration_options(
        rp_id=rp_id(), rp_name="vanthu", user_name=person.user.get_username(), user_id=str(person.pk).encode(),
        user_display_name=person.full_name, challenge=challenge,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(k.credential_id))
                             for k in person.security_keys.all()])
    _remember("register", person, challenge)
    return webauthn.options_to_json(options)


def assertion_options(person: Person) -> str:
    import webauthn
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    challenge = secrets.token_bytes(32)
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(), challenge=challenge,
        allow_credentials=[PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(k.credential_id))
                           for k in person.security_keys.all()])
    _remember("assert", person, challenge)
    return webauthn.options_to_json(options)


def _challenge_of(response: dict[str, Any]) -> bytes:
    import webauthn
    from webauthn.helpers import parse_client_data_json

    client_data = webauthn.base64url_to_bytes(response["response"]["clientDataJSON"])
    return parse_client_data_json(client_data).challenge


def _parse(text: str, *, refusal: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
        _challenge_of(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ActionRefused(refusal, code="webauthn_invalid", field="otp") from exc
    if not isinstance(data, dict):
        raise ActionRefused(refusal, code="webauthn_invalid", field="otp")
    return data


def verify_registration(person: Person, response_json: str) -> tuple[str, bytes, int]:
    """(credential id, COSE public key, sign count) of a new key, or a refusal."""
    import webauthn
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    refusal = _("Không đăng ký được khóa bảo mật. Hãy thử lại.")
    data = _parse(response_json, refusal=refusal)
    challenge = _challenge_of(data)
    if not _take("register", person, challenge):
        raise ActionRefused(refusal, code="webauthn_challenge", field="otp")
    try:
        verified = webauthn.verify_registration_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id(), expected_origin=origin())
    except (InvalidRegistrationResponse, ValueError, KeyError) as exc:
        raise ActionRefused(refusal, code="webauthn_invalid", field="otp") from exc
    return bytes_to_base64url(verified.credential_id), verified.credential_public_key, verified.sign_count


def verify_assertion(person: Person, response_json: str) -> SecurityKey:
    """The key of `person` that signed this assertion over a challenge issued to them and not used before."""
    import webauthn
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    refusal = _("Xác thực bằng khóa bảo mật không thành công. Hãy thử lại.")
    data = _parse(response_json, refusal=refusal)
    key = SecurityKey.objects.filter(person=person, credential_id=str(data.get("id", ""))).first()
    challenge = _challenge_of(data)
    if key is None or not _take("assert", person, challenge):
        raise ActionRefused(refusal, code="webauthn_refused", field="otp")
    try:
        verified = webauthn.verify_authentication_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id(), expected_origin=origin(),
            credential_public_key=bytes(key.public_key), credential_current_sign_count=key.sign_count)
    except (InvalidAuthenticationResponse, ValueError, KeyError) as exc:
        raise ActionRefused(refusal, code="webauthn_refused", field="otp") from exc
    key.sign_count = verified.new_sign_count
    key.last_used_at = timezone.now()
    key.save(update_fields=["sign_count", "last_used_at"])
    return key
