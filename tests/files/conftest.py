"""The file store's two backends as one parametrised fixture: local disk, and S3 served by moto in server mode
on 127.0.0.1 (decision 0025: a real HTTP peer speaking the S3 protocol, started as a subprocess; the code under
test has nothing moto-specific and talks to it as to any S3-compatible server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "vanthu-test", "AWS_SECRET_ACCESS_KEY": "vanthu-test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, **CREDENTIALS, **(extra_env or {})}
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("the S3 server (moto) did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the S3 server (moto) did not answer")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    process, endpoint = start_moto()
    yield endpoint
    stop(process)


def client(endpoint: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.session.Session(aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                 aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                                 region_name="us-east-1").client("s3", endpoint_url=endpoint)


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket on the S3 server, and boto3's usual variables set for the code under test."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"vanthu-{uuid.uuid4().hex[:12]}"
    client(s3_server).create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def s3_store(settings, s3_server: str, s3_bucket: str) -> str:
    settings.S3_ENDPOINT_URL = s3_server
    settings.FILES_URL = f"s3://{s3_bucket}/vanthu"
    return settings.FILES_URL


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, settings) -> str:
    """Each test using it runs once on local disk and once on S3."""
    if request.param == "s3":
        return str(request.getfixturevalue("s3_store"))
    settings.FILES_URL = ""
    return "file"


def alter(sha256: str, data: bytes) -> None:
    """Change a stored object's bytes behind vanthu's back (a disk fault, someone with the bucket's keys)."""
    from django.conf import settings

    from vanthu.core import blobs

    if str(settings.FILES_URL).startswith("s3://"):
        bucket, _, prefix = str(settings.FILES_URL).removeprefix("s3://").partition("/")
        client(settings.S3_ENDPOINT_URL).put_object(Bucket=bucket, Key=f"{prefix}/{sha256}", Body=data)
    else:
        path = blobs.path_for(sha256)
        path.chmod(0o644)
        path.write_bytes(data)


def remove(sha256: str) -> None:
    from vanthu.core.store_backends import backend

    backend().delete(sha256)
