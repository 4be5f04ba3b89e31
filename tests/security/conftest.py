"""The access matrix's world, built once per test process (module scope) inside a transaction rolled back at the
end; each test runs in a savepoint of it and each request in a savepoint of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.getbasetemp()
    with override_settings(FILES_DIR=base / "files", SIGNING_DIR=base / "signing", MEDIA_ROOT=base / "media",
                           KEY_SCRYPT_LOG2N=10), django_db_blocker.unblock():
        from vanthu.documents import doctypes
        from vanthu.documents.models import DocumentType

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            if DocumentType.objects.count() < len(doctypes.TYPES):
                doctypes.ensure(DocumentType)
            _restart_ids()
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _restart_ids() -> None:
    """Ids start after each table's rows, as on SQLite: PostgreSQL's sequences do not roll back with the tests
    before, and the smallest API bodies name ids (the first unit, the first document type)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
