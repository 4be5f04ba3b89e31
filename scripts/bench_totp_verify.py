"""A/B of one authenticator-code check (`second_factor.verify`, the code a signer or clerk types before a
signature or seal): CPU of this process and of its PostgreSQL backend, and the statements, per check.

Run from each tree against a migrated database (e.g. the one `vanthu bench issuing --sequential` leaves):
    VANTHU_DATABASE_URL=postgres://… VANTHU_DATA_DIR=$(mktemp -d) PYTHONPATH=<tree> \
        python scripts/bench_totp_verify.py 300
It adds a person `bench_totp` with the demo secret if missing; before each check (not measured) the device's last
used step and failure count are set back, so every check is a first use of the current code.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

import vanthu  # noqa: E402
from vanthu.demo.bench_issuing_profile import backend_clock  # noqa: E402
from vanthu.org import second_factor  # noqa: E402
from vanthu.org.models import Person, Unit  # noqa: E402


def main(count: int) -> None:
    person = Person.objects.filter(user__username="bench_totp").first()
    if person is None:
        user = get_user_model().objects.create(username="bench_totp")
        person = Person.objects.create(user=user, full_name="Bench TOTP", unit=Unit.objects.first())
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True, key=second_factor.demo_key("bench_totp"))
    device = TOTPDevice.objects.get(user=person.user)
    clock = backend_clock(connection)
    cpu = pg = 0.0
    statements: list[str] = []
    for i in range(count + 5):  # five for warm-up
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                       throttling_failure_timestamp=None)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        code = f"{totp.token():0{device.digits}d}"
        started, backend = time.process_time(), clock()
        with CaptureQueriesContext(connection) as queries:
            second_factor.verify(person, code)
        if i >= 5:
            cpu += time.process_time() - started
            pg += clock() - backend
        statements = [q["sql"].split()[0] for q in queries.captured_queries]
    tree = os.path.dirname(os.path.dirname(vanthu.__file__))
    sys.stdout.write(f"{tree}: one TOTP check {cpu / count * 1000:.2f} ms CPU process + {pg / count * 1000:.2f} ms CPU "
          f"PostgreSQL, {len(statements)} statements {statements}\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
