"""Shared fixtures: the fixed characters (see vanthu/demo/characters.py), files in a temporary store."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("VANTHU_TESTING", "1")


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Every test starts in Vietnamese, the default language: a request made in English by an earlier test of
    the same worker leaves its language active in the thread otherwise."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    base: Path = tmp_path_factory.getbasetemp()
    settings.FILES_DIR = base / "files"
    settings.SIGNING_DIR = base / "signing"
    settings.MEDIA_ROOT = base / "media"
    settings.KEY_SCRYPT_LOG2N = 10  # the same key derivation as production (2**14), cheaper for tests


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the default cache (decision 0021), which outlives a test in its worker: every test
    starts with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The working-day calendar caches a year per process (vanthu/core/workdays.py); a test's overrides are
    rolled back without a signal, so every test starts and ends with an empty cache."""
    from vanthu.core import workdays

    workdays.forget()
    yield
    workdays.forget()


TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "live_pki"}


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Put back the rows data migrations create (the 29 document types) when a transactional test of the same
    worker flushed them. Serialized rollback is not used: it clashes with the content types Django re-creates
    after each flush."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(names & TRANSACTIONAL_FIXTURES)
    if not (marker or transactional or names & {"db", "cast", "doc_types"}):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from vanthu.documents import doctypes
    from vanthu.documents.models import DocumentType

    if DocumentType.objects.count() < len(doctypes.TYPES):
        doctypes.ensure(DocumentType)


@pytest.fixture
def cast(db):
    from vanthu.demo.characters import build_cast

    return build_cast()


@pytest.fixture
def doc_types(db):
    from vanthu.documents.models import DocumentType

    return {t.abbreviation or t.name: t for t in DocumentType.objects.all()}


@pytest.fixture
def draft_pdf() -> bytes:
    from vanthu.demo.pdfs import sample_draft

    return sample_draft()


@pytest.fixture
def incoming_pdf() -> bytes:
    from vanthu.demo.pdfs import sample_incoming

    return sample_incoming()


def checked(data: bytes, name: str = "van-ban.pdf"):
    from vanthu.documents.uploads import check

    return check(data, name=name, allowed=("application/pdf", "application/vnd.openxmlformats-officedocument."
                                           "wordprocessingml.document"))


def token() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Test databases start as a copy of the migrated template of this code (tests/dbtemplate.py): on PostgreSQL
    through Django's TEST["TEMPLATE"], on SQLite by `_copy_the_template_into_memory`."""
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "vanthu.core.db_sqlite3":
        # in memory, as Django's own SQLite backend is tested: pytest-django's parallel suffix names a test file
        # ("test_<NAME>_gw0") for every engine but Django's own
        settings_dict.setdefault("TEST", {})["NAME"] = None
    if settings_dict["ENGINE"].endswith("postgresql"):
        from tests import dbtemplate

        user, host = settings_dict.get("USER") or "postgres", settings_dict.get("HOST") or "127.0.0.1"
        server = f"postgres://{user}@{host}:{settings_dict.get('PORT') or 5432}"
        settings_dict.setdefault("TEST", {})["TEMPLATE"] = dbtemplate.postgres_template(server)


def _copy_the_template_into_memory() -> None:
    """An in-memory SQLite test database is filled from the migrated template (SQLite's backup API) before
    Django's `migrate`, which then finds every migration applied and runs only its post-migrate steps."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db.backends.sqlite3.creation import DatabaseCreation

    original = DatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):  # type: ignore[no-untyped-def]
        name = self._get_test_db_name()
        if keepdb or not self.is_in_memory_db(name):
            return original(self, verbosity, autoclobber, serialize, keepdb)
        from tests import dbtemplate

        self._create_test_db(verbosity, autoclobber, keepdb)
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        self.connection.ensure_connection()
        dbtemplate.restore_sqlite(self.connection.connection)
        call_command("migrate", verbosity=max(verbosity - 1, 0), interactive=False, database=self.connection.alias,
                     run_syncdb=True)
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        call_command("createcachetable", database=self.connection.alias)
        self.connection.ensure_connection()
        return name

    DatabaseCreation.create_test_db = create_test_db


_copy_the_template_into_memory()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, end sessions a live server's request threads may still hold (a browser's keep-alive
    connection) so the test database can be dropped at the end of the run."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def _serve_one_request_at_a_time() -> None:
    """On SQLite the live server's request threads all use the test's one in-memory connection (pytest-django
    hands it over): two requests at once — a page and its htmx poll — interleave their transactions on it, and
    an audit event can take a sequence number the other already took. With that shared connection, the live
    server answers one request at a time (each keeps its own thread; an idle keep-alive connection holds
    nothing). On PostgreSQL every thread has its own connection and nothing changes."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class OneRequestAtATime(ThreadedWSGIServer):
        turn = threading.Lock()

        def set_app(self, application):  # type: ignore[no-untyped-def]
            if not self.connections_override:
                return super().set_app(application)

            def one_at_a_time(environ, start_response):  # type: ignore[no-untyped-def]
                # A request that waits on another one of the same server (a job run on commit calling it back)
                # goes ahead after 10 s rather than waiting for ever.
                mine = self.turn.acquire(timeout=10)
                try:
                    result = application(environ, start_response)
                    try:
                        return [b"".join(result)]
                    finally:
                        close = getattr(result, "close", None)
                        if close is not None:
                            close()
                finally:
                    if mine:
                        self.turn.release()

            return super().set_app(one_at_a_time)

    LiveServerThread.server_class = OneRequestAtATime


_serve_one_request_at_a_time()


# What makes a test touch the database of the run: the marker, or a fixture that reaches the test database.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that touch the run's database (the django_db marker, a fixture reaching the "
             "test database, or the both_databases marker): ./test's PostgreSQL pass, after the SQLite pass "
             "ran every test")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_databases: reaches the run's database engine without pytest-django's "
                            "database fixtures; kept in the --database-tests-only pass")


def touches_the_database(item: pytest.Item) -> bool:
    """Whether `item` can reach the run's database: pytest-django refuses database access to any other test, so
    the rest (PDF, edXML, calendar, deployments on their own SQLite files) give the same result on either
    engine. A test that reads the engine another way (`connection.vendor` to choose a database for a process
    it starts) says so with the both_databases marker."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("both_databases"):
        return True
    return bool(set(getattr(item, "fixturenames", ())) & DATABASE_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept = [item for item in items if touches_the_database(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if not touches_the_database(item)])
        items[:] = kept


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """With VANTHU_TEST_TIMES=FILE, each test phase's time is appended to FILE as it ends (time, phase, seconds,
    outcome, test): where a run's time goes, readable while it runs. Written once, by the process that reports
    (xdist's controller, or the only process)."""
    path = os.environ.get("VANTHU_TEST_TIMES")
    if not path or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    import time

    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{time.time():.1f}\t{report.when}\t{report.duration:.3f}\t{report.outcome}\t{report.nodeid}\n")
