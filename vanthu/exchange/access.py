"""Who sees what of the exchange: the evidence of envelopes received (the receiving unit's clerks and leaders,
within their clearance) and the peer directory (an admin of a top unit). Missing and forbidden are both 404."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from vanthu.exchange.models import ReceivedEnvelope
from vanthu.org.access import can_administer_all
from vanthu.org.models import Person
from vanthu.org.queries import scope_of


def received_visible_q(person: Person) -> Q:
    scope = scope_of(person)
    where = Q(unit_id__in=scope.clerk_unit_ids | scope.leader_unit_ids)
    for path in scope.leader_paths:
        where |= Q(unit__path__startswith=path)
    return where & Q(secrecy__lte=scope.clearance)


def access_received(person: Person, pk: int) -> ReceivedEnvelope:
    found = (ReceivedEnvelope.objects.filter(received_visible_q(person), pk=pk)
             .select_related("unit", "peer", "raw").first())
    if found is None:
        raise Http404
    return found


def can_manage_peers(person: Person | None) -> bool:
    return person is not None and can_administer_all(person)
