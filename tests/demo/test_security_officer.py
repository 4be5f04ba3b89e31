"""The demo's security officer (issue 13): Bảo, enrolled for the second factor like the rest of the cast, printed
by the run command, and keeper of the read-audit page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.test import Client

from vanthu.demo.characters import DEMO_PASSWORD
from vanthu.demo.management.commands.serve import Command
from vanthu.demo.security_officer import USERNAME, add_security_officer
from vanthu.notify.models import Notification
from vanthu.org.models import Role
from vanthu.org.queries import scope_of
from vanthu.org.second_factor_testing import code_for, step_up


@pytest.mark.django_db
def test_the_security_officer_keeps_the_read_audit_and_is_printed_with_the_accounts(cast):
    bao = add_security_officer(cast)
    assert bao.user.username == USERNAME
    assert bao.user.check_password(DEMO_PASSWORD)
    assert bao.roles.filter(role=Role.SECURITY, unit=cast.command).exists()
    assert scope_of(bao).security_paths == (cast.command.path,)
    assert code_for(bao)  # enrolled for the second factor like the others
    assert not Notification.objects.exists(), "setting up the demo alerts no one"

    client = Client()
    step_up(client, bao)
    page = client.get("/reports/reads/")
    assert page.status_code == 200

    out = StringIO()
    Command(stdout=out).banner("127.0.0.1", 8123)
    rows = [line.split()[0] for line in out.getvalue().splitlines()
            if line.startswith("  ") and DEMO_PASSWORD in line]
    assert USERNAME in rows
