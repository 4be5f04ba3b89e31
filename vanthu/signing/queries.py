"""Reads of the signing app: CA lookups for the public endpoints, and the admin's lists (admin-only access
functions raise 404 for everyone else, so nobody can probe which ids exist)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from vanthu.org.access import can_administer_all
from vanthu.org.models import Person, Unit
from vanthu.signing.models import (
    Certificate,
    CertificateAuthority,
    CertStatus,
    KeyCredential,
    SignatureImage,
    TimestampAuthority,
    TrustAnchor,
)

EXPIRING_SOON = dt.timedelta(days=30)  # an active certificate ending within this is marked "sắp hết hạn"
EXPIRING = "expiring"  # the list filter for those (and for active ones already past their end)


def certificate_authority(slug: str) -> CertificateAuthority:
    ca = CertificateAuthority.objects.select_related("parent").filter(slug=slug).first()
    if ca is None:
        raise Http404
    return ca


def require_admin(person: Person | None) -> Person:
    """The person, if an admin of a top unit; 404 otherwise (signing administration does not exist for others;
    the actions ask the same `can_administer_all`)."""
    if person is None or not person or not can_administer_all(person):
        raise Http404
    return person


def certificates(*, status: str = "", search: str = "") -> QuerySet[Certificate]:
    rows = Certificate.objects.select_related("person__unit", "unit", "issued_by").order_by("-created_at", "-pk")
    if status in CertStatus.values:
        rows = rows.filter(status=status)
    elif status == EXPIRING:
        rows = rows.filter(status=CertStatus.ACTIVE, not_after__lte=timezone.now() + EXPIRING_SOON)
    if search:
        rows = rows.filter(common_name__icontains=search)
    return rows


def access_certificate(person: Person | None, pk: int) -> Certificate:
    require_admin(person)
    row = Certificate.objects.select_related("person__unit", "unit", "issued_by", "renewed_from").filter(
        pk=pk).first()
    if row is None:
        raise Http404
    return row


def access_anchor(person: Person | None, pk: int) -> TrustAnchor:
    require_admin(person)
    anchor = TrustAnchor.objects.filter(pk=pk).first()
    if anchor is None:
        raise Http404
    return anchor


def access_owner(person: Person | None, kind: str, pk: int) -> Person | Unit:
    """A person ("person") or unit ("unit") an admin is acting on."""
    require_admin(person)
    owner: Person | Unit | None
    if kind == "person":
        owner = Person.objects.select_related("unit").filter(pk=pk, is_active=True).first()
    elif kind == "unit":
        owner = Unit.objects.filter(pk=pk, is_active=True).first()
    else:
        owner = None
    if owner is None:
        raise Http404
    return owner


def credentials_of(owner: Person | Unit) -> QuerySet[KeyCredential]:
    field = "person" if isinstance(owner, Person) else "unit"
    return KeyCredential.objects.filter(**{field: owner}).select_related("certificate").order_by(
        "-is_active", "-is_default", "-created_at")


def certificates_of(owner: Person | Unit) -> QuerySet[Certificate]:
    field = "person" if isinstance(owner, Person) else "unit"
    return Certificate.objects.filter(**{field: owner}).select_related("issued_by").order_by("-created_at")


def image_of(owner: Person | Unit) -> SignatureImage | None:
    field = "person" if isinstance(owner, Person) else "unit"
    return SignatureImage.objects.filter(**{field: owner}).select_related("file").first()


def trust_anchors() -> QuerySet[TrustAnchor]:
    return TrustAnchor.objects.select_related("added_by").order_by("-enabled", "name")


def own_authorities() -> list[CertificateAuthority]:
    return list(CertificateAuthority.objects.select_related("parent").order_by("pk"))


def own_timestamp_authority() -> TimestampAuthority | None:
    return TimestampAuthority.objects.filter(is_active=True).first()


def access_credential(person: Person | None, pk: int) -> KeyCredential:
    require_admin(person)
    credential = KeyCredential.objects.select_related("person", "unit", "certificate").filter(pk=pk).first()
    if credential is None:
        raise Http404
    return credential


def owners_overview() -> dict[str, object]:
    """People and units with their current credential (the default active one, else the newest) and the ids of
    those with a signature or seal image, in four queries whatever their number."""
    current: dict[tuple[str, int], KeyCredential] = {}
    for credential in KeyCredential.objects.filter(is_active=True).select_related("certificate").order_by(
        "is_default", "created_at", "pk"
    ):
        key = ("person", credential.person_id) if credential.person_id else ("unit", credential.unit_id or 0)
        current[key] = credential  # the last one wins: default, else newest
    people = [(p, current.get(("person", p.pk))) for p in
              Person.objects.filter(is_active=True).select_related("unit").order_by("unit__path", "full_name")]
    units = [(u, current.get(("unit", u.pk))) for u in Unit.objects.filter(is_active=True).order_by("path")]
    imaged = list(SignatureImage.objects.values_list("person_id", "unit_id"))
    return {"people": people, "units": units,
            "people_with_image": {person_id for person_id, _ in imaged if person_id},
            "units_with_image": {unit_id for _, unit_id in imaged if unit_id}}
