"""Telling people about their tasks: a shim with the signature of notify's `vanthu.notify.send`.

The notify app (in-app bell, mail) is built beside this branch; until they are merged, a notice is only logged.
The lead replaces the body with `from vanthu.notify import send` (decision 0015).
"""

from __future__ import annotations

import logging

from vanthu.org.models import Person

log = logging.getLogger("vanthu.workflow.notices")


def send(person: Person, *, kind: str, title: str, url: str, key: str) -> None:
    log.info("notice %s to %s: %s (%s) [%s]", kind, person.pk, title, url, key)
