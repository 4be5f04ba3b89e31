"""Writes to API tokens: create (the secret is returned once) and revoke. Each records an audit event."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.api.models import PREFIX_LENGTH, SECRET_PREFIX, ApiToken, IdempotencyKey, hash_secret
from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.access import Actor
from vanthu.org.models import Person

NAME_MAX = 100
DAYS_MAX = 3650


@action("api.token.created")
def create_token(
    *, person: Person, name: str, acting: Actor, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `person`; returns it with its secret (`vt_…`), which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise ActionRefused(_("Hãy đặt tên cho mã truy cập."), code="name_required", field="name")
    if len(name) > NAME_MAX:
        raise ActionRefused(_("Tên mã truy cập dài quá %(n)s ký tự.") % {"n": NAME_MAX}, code="too_long",
                            field="name")
    if days is not None and not 1 <= days <= DAYS_MAX:
        raise ActionRefused(_("Thời hạn phải từ 1 đến %(n)s ngày.") % {"n": DAYS_MAX}, code="invalid", field="days")
    if not person.is_active or not person.user.is_active:
        raise ActionRefused(_("%(name)s đã nghỉ công tác.") % {"name": person.full_name}, code="inactive",
                            field="person")
    body = secrets.token_urlsafe(32)
    secret = SECRET_PREFIX + body
    expires_at = timezone.now() + dt.timedelta(days=days) if days is not None else None
    token = ApiToken.objects.create(person=person, name=name, prefix=body[:PREFIX_LENGTH],
                                    secret_hash=hash_secret(secret), expires_at=expires_at)
    log.record(actor=acting, verb="api.token.created", target=token, unit=person.unit,
               data={"person": person.pk, "name": name, "prefix": token.prefix, "expires_at": expires_at})
    return token, secret


@action("api.token.revoked")
def revoke_token(*, token: ApiToken, acting: Actor) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("person").get(pk=token.pk)
    if token.revoked_at is not None:
        raise ActionRefused(_("Mã truy cập này đã bị thu hồi trước đó."), code="already_revoked", target=token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log.record(actor=acting, verb="api.token.revoked", target=token, unit=token.person.unit_id,
               data={"person": token.person_id, "prefix": token.prefix})
    return token


@action("api.idempotency.pruned")
def prune_idempotency_keys(*, acting: Actor, now: dt.datetime | None = None) -> int:
    """Forget the Idempotency-Keys past their period (IDEMPOTENCY_TTL); returns how many."""
    now = now or timezone.now()
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=now).delete()
    if deleted:
        log.record(actor=acting, verb="api.idempotency.pruned", data={"deleted": deleted})
    return deleted
