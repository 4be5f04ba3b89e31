"""Who acts when no person does: the operator at the server's console, or a bootstrap.

Every action takes `acting`: the person doing it, or a `SystemActor`. A system actor passes the rights checks
(whoever runs `vanthu pki …` on the server already holds its keys and its database) but is never silent: the
audit event names it (`actor_name` "system:<name>", no actor id). Pages and the API never make one (an
import-linter contract keeps this module out of them); the CLI commands, the demo builder and test fixtures do,
each under its own name.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """Not a person. `name` says which program acted and for whom, e.g. "operator root: vanthu pki init"."""

    name: str

    # What the audit log and the refusal recorder read from an actor: no person id, no unit.
    @property
    def pk(self) -> None:
        return None

    @property
    def unit_id(self) -> None:
        return None

    def __str__(self) -> str:
        return f"system:{self.name}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without passwd entry)
        return "?"


def operator(command: str) -> SystemActor:
    """The operator running a CLI command on the server, e.g. operator("pki init")."""
    return SystemActor(f"operator {_os_user()}: vanthu {command}")


DEMO_BUILDER = SystemActor("demo builder")
TEST_FIXTURES = SystemActor("test fixtures")

# The programs that set up a world (the demo, its fixed characters, test fixtures): what they grant is the
# starting state, not a change anyone must be alerted to (org.signals, decision 0027).
SETUP_ACTOR_NAMES = frozenset({"system:demo builder", "system:test fixtures", "system:fixed characters"})
