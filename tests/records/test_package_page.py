"""The package from the record's page: Lan (the Staff's clerk) asks for it, the job exports it into the file store,
the panel offers the download, which verifies; Tâm (another unit) gets 404 for the panel, the start and the
download; Minh of another unit cannot take Lan's file even with her token."""

from __future__ import annotations

import re
import zipfile

import pytest
from django.urls import reverse

from tests.records.package_fixtures import record  # noqa: F401 - the fixture
from vanthu.records.package import verify


@pytest.fixture
def asked(client, cast, record, django_capture_on_commit_callbacks):  # noqa: F811 - the fixture above
    client.force_login(cast.lan.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("records:package_start", args=[record.pk]))
    assert response.status_code == 302
    token = re.search(r"goi=([0-9a-f]{32})", response["Location"]).group(1)
    return token


def test_the_clerk_asks_then_downloads_a_package_that_verifies(client, record, asked, tmp_path):  # noqa: F811
    page = client.get(reverse("records:record", args=[record.pk]) + f"?goi={asked}")
    assert reverse("records:package", args=[record.pk]) in page.content.decode()
    panel = client.get(reverse("records:package", args=[record.pk]), {"goi": asked}).content.decode()
    assert 'data-package-state="ready"' in panel
    download = client.get(reverse("records:package_download", args=[record.pk, asked]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    path = tmp_path / "goi.zip"
    path.write_bytes(b"".join(download.streaming_content))
    assert zipfile.is_zipfile(path)
    assert verify.verify(path, signatures=False).exit_code == verify.EXIT_INTACT
    from vanthu.audit.models import AuditEvent  # the download is a read (issue 13 item 3)

    read = AuditEvent.objects.get(verb="search.results.exported", target_id=str(record.pk))
    assert (read.data["export"], read.data["ip"], read.unit_id) == ("record-package", "127.0.0.1", record.unit_id)


def test_a_person_of_another_unit_gets_404(client, cast, record, asked):  # noqa: F811
    client.force_login(cast.tam.user)
    assert client.get(reverse("records:package", args=[record.pk])).status_code == 404
    assert client.post(reverse("records:package_start", args=[record.pk])).status_code == 404
    assert client.get(reverse("records:package_download", args=[record.pk, asked])).status_code == 404


def test_a_token_is_only_its_askers(client, cast, record, asked):  # noqa: F811
    from vanthu.core.actors import TEST_FIXTURES
    from vanthu.org import actions as org

    org.grant_role(person=cast.quang, unit=cast.staff, role="clerk", acting=TEST_FIXTURES)
    client.force_login(cast.quang.user)
    assert client.get(reverse("records:package_download", args=[record.pk, asked])).status_code == 404
