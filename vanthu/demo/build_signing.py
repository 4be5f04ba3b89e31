"""The demo's signing equipment: certificates, keys and images for the units that sign and their signers (see
build.py)."""

from __future__ import annotations

from vanthu.core.actors import DEMO_BUILDER
from vanthu.demo.build_org import Org
from vanthu.org.models import SigningAuthority, UnitKind


def signing_equipment(org_: Org) -> str:
    """Certificates, keys and images for the Command, its agencies and the level-2 units, and for everyone who
    signs for them; returns the signers' PIN. Regiments and district commands are left without: not every unit
    has its digital signature yet (as in a real roll-out), and each key, certificate and image costs time here.

    People's keys are locked under the demo PIN (typed at each signature, as in production); units' seal keys
    are server-held (the clerk applies the seal without a PIN)."""
    from vanthu.signing import testing

    units = [o.unit for o in org_.offices.values() if o.unit.kind in (UnitKind.COMMAND, UnitKind.AGENCY,
                                                                       UnitKind.LEVEL2)]
    signers = {a.person_id: a.person for a in SigningAuthority.objects.filter(unit__in=units)
               .select_related("person")}
    testing.equip(people=[(p.user.username, p) for p in signers.values()], secret=testing.SIGNING_SECRET,
                  reuse_keys=False, acting=DEMO_BUILDER)
    testing.equip(units=[(u.abbreviation, u) for u in units], secret=None, reuse_keys=False, acting=DEMO_BUILDER)
    return testing.SIGNING_SECRET
