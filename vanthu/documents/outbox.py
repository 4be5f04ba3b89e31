"""The outbox: how an issued document and the statuses about it travel to another unit.

Issuance writes one `OutboxMessage` per recipient in its own transaction; a delivery job
(`documents.jobs.deliver`) hands each message to its **transport**. The transport makes the destination
apply it in the destination's own transaction (the local transport calls a documents action for the
receiving unit); the sender's row is then marked delivered, or failed with a reason, in the sender's own
transaction. Statuses travel the same way: the recipient's registration or return back to the sender, a
recall or replacement to the recipient. No transaction ever writes both units' rows, and none is open while
a transport works.

Transports register here (`register`), so the exchange between deployments (edXML, issue 8) adds its own
without this app importing it: from its AppConfig.ready(), `outbox.register_path("http", "....HttpTransport")`
(the class is imported and made on first use, so that starting a process stays cheap).
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import OutboxMessage, Recipient

logger = logging.getLogger(__name__)

# Attempts of a message that keeps raising unexpected errors before it stops as failed (the job engine
# retries with backoff in between; a clerk can retry a failed message).
MAX_ATTEMPTS = 5


class DeliveryFailed(Exception):
    """What retrying cannot fix: the message stops as failed, with a reason the sender sees."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail[:500]


class Deferred(Exception):
    """The transport carries this message later (the exchange's store-and-forward bundles): it stays waiting,
    no attempt is counted, and the transport marks it delivered itself when the destination's answer comes."""


# Reasons a sender sees, by code (translated when shown, in the reader's language).
FAILURES: dict[str, Promise] = {
    "unit_missing": _("Đơn vị nhận không còn trong hệ thống."),
    "unit_inactive": _("Đơn vị nhận đã ngừng hoạt động."),
    "no_transport": _("Không có kênh chuyển nào tới nơi nhận này."),
    "refused": _("Nơi nhận từ chối: %(detail)s"),
    "error": _("Lỗi khi chuyển (đã thử %(attempts)s lần): %(detail)s"),
}


def failure_text(message: OutboxMessage) -> str:
    if not message.failure:
        return ""
    template = FAILURES.get(message.failure)
    if template is None:
        return message.failure_detail or message.failure
    text = str(template)
    return text % {"detail": message.failure_detail, "attempts": message.attempts} if "%(" in text else text


class Transport(Protocol):
    """One way messages travel. `name` is stored on each message; `address` finds the destination.

    A transport may also offer `deliver_many(messages) -> {message id: local id or None}`: several messages
    of one kind waiting for one address applied together (the local transport, decision 0037); those missing
    from its answer are delivered one by one. A transport whose messages wait to be carried by hand (a bundle on
    removable media) says `carried_by_hand = True`: its waiting messages are not stranded (`delivering.stranded`)."""

    name: str

    def address_of(self, recipient: Recipient) -> str | None:
        """This recipient's address for this transport, or None when it does not carry to it."""
        ...

    def deliver(self, message: OutboxMessage) -> int | None:
        """Make the destination apply `message` in the destination's own transaction; idempotent (the same
        message twice has the effect of once). Returns the id of the incoming document the destination made
        when it is in this database (local transport), else None. Raises DeliveryFailed for what retrying
        cannot fix; any other exception is retried."""
        ...


# A transport, or the dotted path of its class, made on first use (`register_path`): a process that never
# delivers (a CLI command, a test's subprocess) does not import the exchange's carriers and their signing stack.
_TRANSPORTS: dict[str, Transport | str] = {}


def register(transport: Transport) -> None:
    """Add a transport (from an AppConfig.ready()). Transports added earlier are asked first by `route`."""
    _TRANSPORTS[transport.name] = transport


def register_path(name: str, class_path: str) -> None:
    """Add the transport `name` by the dotted path of its class, made (without arguments) on first use; a name
    already registered keeps its place in `route`'s order."""
    _TRANSPORTS[name] = class_path


def _made(name: str) -> Transport:
    entry = _TRANSPORTS[name]
    if isinstance(entry, str):
        from django.utils.module_loading import import_string

        made: Transport = import_string(entry)()
        if made.name != name:
            raise ImproperlyConfigured(f"{entry} carries {made.name!r}, registered as {name!r}")
        _TRANSPORTS[name] = entry = made
    return entry


def transport_named(name: str) -> Transport | None:
    return _made(name) if name in _TRANSPORTS else None


def transport_names() -> list[str]:
    """The names of the registered transports, in the order `route` asks them."""
    return list(_TRANSPORTS)


def route(recipient: Recipient) -> tuple[Transport, str] | None:
    """The first registered transport that carries to `recipient`, with the recipient's address for it."""
    for name in list(_TRANSPORTS):
        transport = _made(name)
        address = transport.address_of(recipient)
        if address is not None:
            return transport, address
    return None
