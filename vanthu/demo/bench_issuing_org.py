"""The organisation of `vanthu bench issuing` (and of its short run in the suite): units with a clerk and a
signer holding signing authority, keys and images made through the real actions, and documents signed and
checked as production has them before issuance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kit:
    """A unit that issues: its clerk and its signer (ids, so they cross process boundaries)."""

    unit_id: int
    clerk_id: int
    signer_id: int
    authority_id: int


@dataclass
class BenchOrg:
    hub: Kit  # the one unit of the first workload
    sink_id: int  # where the hub issues to
    pairs: list[tuple[Kit, Kit]]


def build_org(*, pairs: int, secret: str) -> BenchOrg:
    """A command with the hub unit, its recipient, and `pairs` pairs of units, each with a clerk, a signer
    holding signing authority, keys and images (through the real actions)."""
    from vanthu.core.actors import operator
    from vanthu.org import actions as org
    from vanthu.org.models import Role, SigningAuthority
    from vanthu.org.second_factor import demo_key
    from vanthu.org.second_factor_actions import enrol_fixed_totp
    from vanthu.signing.testing import equip

    builder = operator("bench issuing")

    root = org.create_unit(name="Bộ Tư lệnh đo", abbreviation="BTLB", parent=None, acting=builder,
                           place_name="Đà Nẵng")
    equipment: list[tuple[str, Any]] = []

    def kit(name: str, abbreviation: str, slug: str) -> Kit:
        unit = org.create_unit(name=name, abbreviation=abbreviation, parent=root, acting=builder)
        clerk = org.create_person(username=f"vt-{slug}", password=None, full_name=f"Văn thư {abbreviation}", unit=unit,
                                  acting=builder, roles=(Role.CLERK, Role.OFFICER))
        signer = org.create_person(username=f"ch-{slug}", password=None, full_name=f"Chỉ huy {abbreviation}", unit=unit,
                                   acting=builder, roles=(Role.LEADER,))
        for who in (clerk, signer):  # the second factor (decision 0020), with the demo's public secret
            enrol_fixed_totp(person=who, key=demo_key(who.user.username), acting=builder)
        org.grant_signing_authority(person=signer, unit=unit, title="Chỉ huy trưởng", acting=builder,
                                    valid_from=dt.date(2020, 1, 1))
        equipment.extend([(f"p-{slug}", signer), (f"u-{slug}", unit)])
        authority = SigningAuthority.objects.get(person=signer, unit=unit)
        return Kit(unit_id=unit.pk, clerk_id=clerk.pk, signer_id=signer.pk, authority_id=authority.pk)

    hub = kit("Văn phòng", "VPPH", "hub")
    sink = org.create_unit(name="Đơn vị nhận", abbreviation="DVN", parent=root, acting=builder)
    pair_kits = [(kit(f"Đơn vị A{i}", f"A{i}", f"a{i}"), kit(f"Đơn vị B{i}", f"B{i}", f"b{i}")) for i in range(pairs)]
    equip(people=[e for e in equipment if e[0].startswith("p-")],
          units=[e for e in equipment if e[0].startswith("u-")], secret=secret, acting=builder)
    return BenchOrg(hub=hub, sink_id=sink.pk, pairs=pair_kits)


def signed_documents(kit: Kit, *, to_unit_id: int, count: int, secret: str) -> list[int]:
    """`count` 1-page documents of `kit`'s unit to one recipient unit, each signed by its signer."""
    from vanthu.demo.pdfs import sample_draft
    from vanthu.documents import actions
    from vanthu.documents.jobs import validate_stored_file
    from vanthu.documents.models import DocumentType
    from vanthu.documents.uploads import PDF, check
    from vanthu.org.models import Person, SigningAuthority, Unit
    from vanthu.org.second_factor_testing import backup_code_for

    unit, to = Unit.objects.get(pk=kit.unit_id), Unit.objects.get(pk=to_unit_id)
    clerk, signer = Person.objects.get(pk=kit.clerk_id), Person.objects.get(pk=kit.signer_id)
    authority = SigningAuthority.objects.get(pk=kit.authority_id)
    upload = check(sample_draft(), name="du-thao.pdf", allowed=(PDF,))
    plan = DocumentType.objects.get(abbreviation="KH")
    ids = []
    for n in range(count):
        data = actions.DraftData(doc_type=plan, subject=f"Kế hoạch huấn luyện số {n + 1} của {unit.name}",
                                 recipient_units=[to])
        document = actions.create_draft(acting=clerk, drafting_unit=unit, issuing_unit=unit, data=data, file=upload)
        _through_the_check(document, clerk, authority)
        actions.sign_outgoing(document=document, acting=signer, secret=secret, otp=backup_code_for(signer))
        document.refresh_from_db()
        assert document.current_file is not None
        validate_stored_file.call(document.current_file.sha256)  # the check the worker makes after signing
        ids.append(document.pk)
    return ids


def _through_the_check(document: Any, clerk: Any, authority: Any) -> None:
    """To the signer, through the clerk's check of content and format where it is required (Điều 12)."""
    from django.conf import settings

    from vanthu.documents import actions
    from vanthu.documents.components import FULL_CHECKLIST
    from vanthu.documents.models import ReviewKind

    if not settings.FORMAT_CHECK_REQUIRED:
        actions.submit_for_review(document=document, acting=clerk, signer_authority=authority)
        return
    actions.submit_for_review(document=document, acting=clerk, signer_authority=authority,
                              reviewers=[(ReviewKind.FORMAT, clerk)])
    actions.decide_review(document=document, acting=clerk, approve=True, checklist=FULL_CHECKLIST)
