"""The demo's security officer (issue 13): Lý Văn Bảo ("bao"), Thiếu tá, Trợ lý bảo mật of the Command's Office,
holding the security officer's role over the whole Command (Role.SECURITY, decision 0022): he keeps the read-audit
page (/reports/reads/), is alerted to every change of rights in the tree (decision 0027) and may freeze work
records. Fictional, like the rest of the cast; enrolled for the second factor like them (`vanthu otp code bao`)."""

from __future__ import annotations

from vanthu.core.actors import DEMO_BUILDER
from vanthu.core.choices import Secrecy
from vanthu.demo.characters import DEMO_PASSWORD, Cast
from vanthu.org import actions as org
from vanthu.org.models import Person, Rank, Role
from vanthu.org.second_factor import demo_key
from vanthu.org.second_factor_actions import enrol_fixed_totp

USERNAME = "bao"


def add_security_officer(cast: Cast) -> Person:
    person = org.create_person(username=USERNAME, password=DEMO_PASSWORD, full_name="Lý Văn Bảo", unit=cast.office,
                               acting=DEMO_BUILDER, rank=Rank.THIEU_TA, position="Trợ lý bảo mật",
                               clearance=Secrecy.TOP_SECRET, roles=(Role.OFFICER,), email=f"{USERNAME}@qk10.example")
    org.grant_role(person=person, unit=cast.command, role=Role.SECURITY, acting=DEMO_BUILDER)
    enrol_fixed_totp(person=person, key=demo_key(USERNAME), acting=DEMO_BUILDER)
    return person
