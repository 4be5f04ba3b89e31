"""The fixed characters of vanthu's tests and demo (all fictional).

A small Military Region, "Quân khu 10", whose people appear in every permission test as in a story:

- Hùng — Thiếu tướng, Tư lệnh (commander of the HQ, leads the whole tree, signs for the Command)
- Bình — Đại tá, Phó Tư lệnh (signs "KT. TƯ LỆNH / PHÓ TƯ LỆNH")
- Hoa — Đại úy, văn thư of the Command (works in Văn phòng, clerk of the Command and of Văn phòng)
- Sơn — Đại tá, Tham mưu trưởng (leads the Staff, signs for the Staff)
- Lan — Thượng úy, văn thư of the Staff (Bộ Tham mưu)
- Quang — Thiếu tá, chuyên viên of the Staff's Operations Department (drafts documents)
- Dũng — Đại tá, Sư đoàn trưởng of Division 301 (leads the division)
- Minh — Thiếu tá, officer of Division 301
- Tâm — Trung tá, officer of the Provincial Military Command A: an outsider to the Staff's documents
- Quản trị (Khoa) — the IT admin of the Command: works in Văn phòng, holds the admin role over the Command
  (so over the whole tree); sees no documents by that role

They are made by the system actor CAST_BUILDER (audited as "system:fixed characters").

Every account's password is DEMO_PASSWORD. Every person has a TOTP device with the public secret
`second_factor.demo_key(username)`: `vanthu otp code USERNAME` prints the current code (decision 0020).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vanthu.core.actors import SystemActor
from vanthu.core.choices import Secrecy
from vanthu.org import actions as org
from vanthu.org.models import AuthorityPrefix, Person, Rank, Role, Unit, UnitKind
from vanthu.org.second_factor import demo_key
from vanthu.org.second_factor_actions import enrol_fixed_totp

DEMO_PASSWORD = "vanthu2026"  # noqa: S105  (the fictional demo accounts; printed by the run command)
PLACE = "Đà Nẵng"
CAST_BUILDER = SystemActor("fixed characters")


@dataclass
class Cast:
    command: Unit  # Bộ Tư lệnh Quân khu 10 (BTL)
    office: Unit  # Văn phòng (VP)
    staff: Unit  # Bộ Tham mưu (TM)
    operations: Unit  # Phòng Tác chiến (TC), under the Staff
    politics: Unit  # Cục Chính trị (CT)
    division: Unit  # Sư đoàn 301 (F301)
    regiment: Unit  # Trung đoàn 1 (E1), under the division
    province: Unit  # Bộ Chỉ huy Quân sự tỉnh A (BCH-A)
    hung: Person
    binh: Person
    hoa: Person
    son: Person
    lan: Person
    quang: Person
    dung: Person
    minh: Person
    tam: Person
    admin: Person

    def people(self) -> list[Person]:
        return [self.hung, self.binh, self.hoa, self.son, self.lan, self.quang, self.dung, self.minh, self.tam,
                self.admin]


def build_cast(*, valid_from: dt.date | None = None, organ_suffix: str = "Q10") -> Cast:
    """The fixed characters. `organ_suffix`: the last part of every unit's organ id (the deployment-wide part:
    a second deployment in the exchange tests is Military Region 11, "Q11")."""
    start = valid_from or dt.date(2020, 1, 1)

    def unit(name: str, abbr: str, parent: Unit | None, code: str, kind: str, short: str = "") -> Unit:
        return org.create_unit(name=name, abbreviation=abbr, parent=parent, acting=CAST_BUILDER, code=code, kind=kind,
                               place_name=PLACE, short_name=short or name)

    command = unit("Bộ Tư lệnh Quân khu 10", "BTL", None, f"000.00.00.{organ_suffix}", UnitKind.COMMAND, "Bộ Tư lệnh")
    office = unit("Văn phòng Bộ Tư lệnh", "VP", command, f"000.00.01.{organ_suffix}", UnitKind.AGENCY, "Văn phòng")
    staff = unit("Bộ Tham mưu", "TM", command, f"000.00.02.{organ_suffix}", UnitKind.AGENCY)
    operations = unit("Phòng Tác chiến", "TC", staff, f"000.01.02.{organ_suffix}", UnitKind.OFFICE)
    politics = unit("Cục Chính trị", "CT", command, f"000.00.03.{organ_suffix}", UnitKind.AGENCY)
    division = unit("Sư đoàn 301", "F301", command, f"000.00.10.{organ_suffix}", UnitKind.LEVEL2)
    regiment = unit("Trung đoàn 1", "E1", division, f"000.01.10.{organ_suffix}", UnitKind.SUBUNIT)
    province = unit("Bộ Chỉ huy Quân sự tỉnh A", "BCH-A", command, f"000.00.11.{organ_suffix}", UnitKind.LEVEL2,
                    "Bộ CHQS tỉnh A")

    def person(username: str, name: str, rank: str, position: str, where: Unit, clearance: int,
               roles: tuple[str, ...]) -> Person:
        return org.create_person(username=username, password=DEMO_PASSWORD, full_name=name, unit=where,
                                 acting=CAST_BUILDER, rank=rank, position=position, clearance=clearance, roles=roles,
                                 email=f"{username}@qk10.example")

    hung = person("hung", "Trần Quốc Hùng", Rank.THIEU_TUONG, "Tư lệnh", command, Secrecy.TOP_SECRET,
                  (Role.LEADER,))
    binh = person("binh", "Lê Văn Bình", Rank.DAI_TA, "Phó Tư lệnh", command, Secrecy.TOP_SECRET, (Role.LEADER,))
    hoa = person("hoa", "Phạm Thị Hoa", Rank.DAI_UY, "Văn thư Bộ Tư lệnh", office, Secrecy.SECRET, (Role.CLERK,))
    org.grant_role(person=hoa, unit=command, role=Role.CLERK, acting=CAST_BUILDER)
    son = person("son", "Hoàng Văn Sơn", Rank.DAI_TA, "Tham mưu trưởng", staff, Secrecy.TOP_SECRET,
                 (Role.LEADER,))
    lan = person("lan", "Nguyễn Thị Lan", Rank.THUONG_UY, "Văn thư Bộ Tham mưu", staff, Secrecy.SECRET,
                 (Role.CLERK, Role.OFFICER))
    quang = person("quang", "Bùi Đức Quang", Rank.THIEU_TA, "Trợ lý tác chiến", operations,
                   Secrecy.CONFIDENTIAL, (Role.OFFICER,))
    dung = person("dung", "Đặng Văn Dũng", Rank.DAI_TA, "Sư đoàn trưởng", division, Secrecy.SECRET,
                  (Role.LEADER,))
    minh = person("minh", "Đỗ Văn Minh", Rank.THIEU_TA, "Trợ lý tham mưu", division, Secrecy.CONFIDENTIAL,
                  (Role.OFFICER,))
    tam = person("tam", "Vũ Văn Tâm", Rank.TRUNG_TA, "Trợ lý", province, Secrecy.CONFIDENTIAL, (Role.OFFICER,))
    admin = person("quantri", "Ngô Minh Khoa", Rank.DAI_UY, "Trợ lý công nghệ thông tin", office, Secrecy.NONE,
                   ())
    org.grant_role(person=admin, unit=command, role=Role.ADMIN, acting=CAST_BUILDER)

    org.grant_signing_authority(person=hung, unit=command, title="Tư lệnh", acting=CAST_BUILDER, valid_from=start)
    org.grant_signing_authority(person=binh, unit=command, prefix=AuthorityPrefix.KT, on_behalf_title="Tư lệnh",
                                title="Phó Tư lệnh", acting=CAST_BUILDER, valid_from=start)
    org.grant_signing_authority(person=son, unit=staff, title="Tham mưu trưởng", acting=CAST_BUILDER,
                                valid_from=start)
    org.grant_signing_authority(person=dung, unit=division, title="Sư đoàn trưởng", acting=CAST_BUILDER,
                                valid_from=start)

    for who in (hung, binh, hoa, son, lan, quang, dung, minh, tam, admin):  # the second factor (decision 0020)
        enrol_fixed_totp(person=who, key=demo_key(who.user.username), acting=CAST_BUILDER)

    return Cast(command=command, office=office, staff=staff, operations=operations, politics=politics,
                division=division, regiment=regiment, province=province, hung=hung, binh=binh, hoa=hoa, son=son,
                lan=lan, quang=quang, dung=dung, minh=minh, tam=tam, admin=admin)
