"""Ending sessions (decision 0021): the person ends one of their sessions or all the others ("log out
everywhere"); an administrator of the person's unit (or of a unit above it) may do the same for them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.org.access import Actor, can_administer
from vanthu.org.models import Person
from vanthu.org.sessions import sessions_of


def _require_own_or_admin(acting: Actor, person: Person) -> None:
    if isinstance(acting, Person) and acting.pk == person.pk:
        return
    if not can_administer(acting, person.unit):
        raise ActionRefused(_("Chỉ người dùng hoặc quản trị đơn vị của họ được kết thúc phiên đăng nhập."),
                            code="forbidden", status=403)


@action("org.session.ended")
def end_session(*, person: Person, handle: str, acting: Actor) -> None:
    """End one live session of `person`, named by its handle."""
    _require_own_or_admin(acting, person)
    row = sessions_of(person.user_id).filter(handle=handle).first()
    if row is None:
        raise ActionRefused(_("Phiên đăng nhập này không còn."), code="not_found", status=404)
    log.record(actor=acting, verb="org.session.ended", target=person, unit=person.unit_id,
               data={"session": handle[:12], "user_agent": row.user_agent, "address": row.address})
    row.delete()


@action("org.session.ended_all")
def end_all_sessions(*, person: Person, acting: Actor, keep: str | None = None) -> int:
    """End every live session of `person` but the one whose session key is `keep` (the one acting now)."""
    _require_own_or_admin(acting, person)
    rows = sessions_of(person.user_id)
    if keep:
        rows = rows.exclude(session_key=keep)
    count, _deleted = rows.delete()
    log.record(actor=acting, verb="org.session.ended_all", target=person, unit=person.unit_id,
               data={"count": count})
    return count
