"""`vanthu apitoken create|revoke|list`: API tokens from the command line.

    vanthu apitoken create --user lan --name "tích hợp" [--days 90]   # prints the secret once
    vanthu apitoken list [--user lan]
    vanthu apitoken revoke <id>
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vanthu.api import actions
from vanthu.api.models import SECRET_PREFIX, ApiToken
from vanthu.core.actors import operator
from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person


class Command(BaseCommand):
    help = "API tokens: `create` (prints the secret once), `list`, `revoke`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        create = sub.add_parser("create", help="Create a token for a person and print its secret once.")
        create.add_argument("--user", required=True, help="The person's username")
        create.add_argument("--name", required=True, help="What the token is for")
        create.add_argument("--days", type=int, default=None, help="Expire after this many days (default: never)")
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--user", default=None)
        revoke = sub.add_parser("revoke", help="Revoke a token by id.")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "create":
            self.create(options["user"], options["name"], options["days"])
        elif what == "list":
            self.list(options["user"])
        else:
            self.revoke(options["id"])

    def _person(self, username: str) -> Person:
        person = Person.objects.select_related("user", "unit").filter(user__username=username).first()
        if person is None:
            raise CommandError(f"No person with username {username!r}")
        return person

    def create(self, username: str, name: str, days: int | None) -> None:
        person = self._person(username)
        try:
            token, secret = actions.create_token(person=person, name=name, days=days,
                                                 acting=operator("apitoken create"))
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc
        expiry = f", expires {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}" if token.expires_at else ""
        self.stderr.write(f"Token #{token.pk} “{token.name}” for {person.full_name}{expiry}. "
                          "The secret is shown only now:")
        self.stdout.write(secret)

    def list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("person__user").order_by("pk")
        if username:
            tokens = tokens.filter(person=self._person(username))
        now = timezone.now()
        for token in tokens:
            if token.revoked_at is not None:
                state = "revoked"
            elif token.is_expired(now):
                state = "expired"
            else:
                state = "active"
            used = f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(f"{token.pk:>5}  {SECRET_PREFIX}{token.prefix}…  {token.person.user.username:<12} "
                              f"{state:<8} last used {used:<16} {token.name}")

    def revoke(self, pk: int) -> None:
        token = ApiToken.objects.filter(pk=pk).first()
        if token is None:
            raise CommandError(f"No token #{pk}")
        try:
            actions.revoke_token(token=token, acting=operator("apitoken revoke"))
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Token #{pk} revoked.")
