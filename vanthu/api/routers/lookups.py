"""Who am I, and the lists pickers need: units (the tree), people, document types, signing authorities."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.schemas import DocTypeOut, PersonRef, QueryIn, UnitRef
from vanthu.core.choices import Secrecy
from vanthu.documents.access import units_cleared_q
from vanthu.documents.models import DocumentType
from vanthu.org.models import Person, RoleGrant, SigningAuthority, Unit
from vanthu.org.queries import signers_for, signing_authorities

router = Router()

PEOPLE_MAX = 500


class RoleOut(Schema):
    role: str
    role_label: str
    unit: UnitRef


class AuthorityOut(Schema):
    id: int
    person: PersonRef
    unit_id: int
    competence_line: str = Field(description="Dòng thẩm quyền, ví dụ “KT. TƯ LỆNH”")
    title: str
    prefix: str


class MeOut(Schema):
    person: PersonRef
    unit: UnitRef
    clearance: int
    clearance_label: str
    roles: list[RoleOut]
    signing_authorities: list[AuthorityOut]


class UnitNode(UnitRef):
    parent_id: int | None
    depth: int
    kind: str
    code: str | None


def authority_out(a: SigningAuthority) -> AuthorityOut:
    return AuthorityOut(id=a.pk, person=PersonRef.of(a.person), unit_id=a.unit_id, competence_line=a.competence_line,
                        title=a.title, prefix=a.prefix)


@router.get("/me", response=MeOut, summary="Người gọi: cán bộ, đơn vị, vai trò, thẩm quyền ký")
def me(request: HttpRequest) -> MeOut:
    person = person_of(request)
    grants = RoleGrant.objects.filter(person=person, unit__is_active=True).select_related("unit").order_by(
        "unit__path", "role")
    return MeOut(
        person=PersonRef.of(person), unit=UnitRef.of(person.unit), clearance=person.clearance,
        clearance_label=person.get_clearance_display(),
        roles=[RoleOut(role=g.role, role_label=g.get_role_display(), unit=UnitRef.of(g.unit)) for g in grants],
        signing_authorities=[authority_out(a) for a in signing_authorities(person)],
    )


class UnitsQuery(QueryIn):
    secrecy: Secrecy = Field(Secrecy.NONE, description="Chỉ đơn vị nhận được văn bản có độ mật này (chỉ huy và văn "
                                                       "thư đều được tiếp cận): cho ô chọn nơi giao, nơi nhận")


@router.get("/units", response=list[UnitNode], summary="Cây đơn vị (theo thứ tự cây, cho ô chọn đơn vị)")
def units(request: HttpRequest, query: Query[UnitsQuery]) -> list[UnitNode]:
    return [
        UnitNode(id=u.pk, name=u.name, short_name=u.short_name, abbreviation=u.abbreviation, parent_id=u.parent_id,
                 depth=u.depth, kind=u.kind, code=u.code)
        for u in Unit.objects.filter(units_cleared_q(query.secrecy), is_active=True).order_by("path")
    ]


class PeopleQuery(QueryIn):
    unit: int | None = Field(None, description="Chỉ cán bộ của đơn vị này")
    secrecy: Secrecy = Field(Secrecy.NONE, description="Chỉ cán bộ được tiếp cận văn bản có độ mật này")
    limit: int = Field(PEOPLE_MAX, ge=1, le=PEOPLE_MAX)


@router.get("/people", response=list[PersonRef], summary="Cán bộ đang công tác (tối giản, cho ô chọn người)")
def people(request: HttpRequest, query: Query[PeopleQuery]) -> list[PersonRef]:
    qs = Person.objects.filter(is_active=True, clearance__gte=query.secrecy)
    if query.unit is not None:
        qs = qs.filter(unit_id=query.unit)
    return [PersonRef.of(p) for p in qs.order_by("unit__path", "full_name")[: query.limit]]


@router.get("/document-types", response=list[DocTypeOut], summary="Loại văn bản (Nghị định 30, Điều 7)")
def document_types(request: HttpRequest) -> list[DocTypeOut]:
    return [DocTypeOut.of(t) for t in DocumentType.objects.filter(is_active=True).order_by("ordinal")]


class AuthorityQuery(QueryIn):
    unit: int = Field(description="Đơn vị ban hành")


@router.get("/signing-authorities", response=list[AuthorityOut],
            summary="Người có thẩm quyền ký văn bản của một đơn vị (còn hiệu lực hôm nay)")
def authorities(request: HttpRequest, query: Query[AuthorityQuery]) -> list[AuthorityOut]:
    unit = Unit.objects.filter(pk=query.unit, is_active=True).first()
    if unit is None:
        return []
    return [authority_out(a) for a in signers_for(unit).order_by("pk")]
