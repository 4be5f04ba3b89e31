"""The S3-compatible backend of the file store (AWS S3, MinIO, Ceph RGW, SeaweedFS, …) through boto3.

An adapter (decision 0025): no ORM, no actions, nothing specific to one server. The object key is
`PREFIX/<sha256>`; an object is written once (a key that exists is not written again). Uploads stream from
the staged temporary file: one PUT with the whole file's SHA-256 (`ChecksumSHA256`, checked by the server)
up to `VANTHU_S3_MULTIPART_MB`, a multipart upload with a SHA-256 per part above it. Credentials and the
region come from boto3's usual sources (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, …);
`VANTHU_S3_ENDPOINT_URL` names a server other than AWS.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from django.conf import settings

from vanthu.core.store_types import BlobDamaged, Handoff, StoreUnavailable, is_key

MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
NO_BUCKET_CODES = {"NoSuchBucket"}
CREDENTIAL_CODES = {"403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken",
                    "ExpiredToken", "AuthorizationHeaderMalformed"}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Backend:
    def __init__(self, *, bucket: str, prefix: str, endpoint_url: str, url: str) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.endpoint_url = endpoint_url
        self.url = url
        self._local = threading.local()
        part = max(5, int(getattr(settings, "S3_MULTIPART_MB", 16))) * 1024 * 1024
        self.transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=4)

    @property
    def client(self) -> Any:
        """One client per thread (boto3 clients are thread-safe, sessions are not: each thread makes its own)."""
        found = getattr(self._local, "client", None)
        if found is None:
            config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"},
                            s3={"addressing_style": "path"} if self.endpoint_url else {})
            found = boto3.session.Session().client("s3", endpoint_url=self.endpoint_url or None, config=config)
            self._local.client = found
        return found

    def key(self, key: str) -> str:
        if not is_key(key):
            raise ValueError("not a SHA-256 hex digest")
        return self.prefix + key

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return cast(dict[str, Any], self.client.head_object(Bucket=self.bucket, Key=self.key(key)))
        except ClientError as exc:
            if _code(exc) in MISSING_CODES:
                return None
            raise StoreUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int | None:
        head = self._head(key)
        return None if head is None else int(head["ContentLength"])

    def temp_dir(self) -> Path | None:
        return None

    def put_file(self, key: str, source: Path, *, sha256: str, size: int) -> bool:
        try:
            if self.exists(key):
                return False
            meta = {"sha256": sha256}
            if size <= self.transfer.multipart_threshold:
                checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
                with source.open("rb") as body:
                    self.client.put_object(Bucket=self.bucket, Key=self.key(key), Body=body, ContentLength=size,
                                           ChecksumSHA256=checksum, Metadata=meta)
            else:
                self.client.upload_file(str(source), self.bucket, self.key(key), Config=self.transfer,
                                        ExtraArgs={"ChecksumAlgorithm": "SHA256", "Metadata": meta})
            return True
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        finally:
            source.unlink(missing_ok=True)

    def open(self, key: str) -> IO[bytes]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(key))
        except ClientError as exc:
            if _code(exc) in MISSING_CODES:
                raise BlobDamaged(key, "missing") from None
            raise StoreUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc
        return cast(IO[bytes], _Body(answer["Body"]))

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(key))
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    def objects(self) -> Iterator[tuple[str, float]]:
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    name = str(item["Key"])[len(self.prefix):]
                    if is_key(name):
                        yield name, item["LastModified"].timestamp()
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    def stray_temporaries(self, *, older_than: float) -> list[Path]:
        return []  # an interrupted multipart upload is the bucket's lifecycle rule's to abort (docs/files.md)

    def handoff(self, key: str, *, filename: str, content_type: str, seconds: int) -> Handoff:
        from urllib.parse import quote

        params = {"Bucket": self.bucket, "Key": self.key(key), "ResponseContentType": content_type,
                  "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
        try:
            url = self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return Handoff(url=str(url))

    def problems(self) -> list[str]:
        """Reach the bucket once: a missing bucket, refused credentials or an unreachable endpoint, each
        named by its setting."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError:
            return ["AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: no credentials for the S3 store are set."]
        except ClientError as exc:
            code = _code(exc)
            if code in NO_BUCKET_CODES or code in MISSING_CODES:
                return [f"VANTHU_FILES_URL={self.url}: the bucket {self.bucket!r} does not exist."]
            if code in CREDENTIAL_CODES:
                return [f"AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: the S3 store refused them ({code}) for "
                        f"the bucket {self.bucket!r}."]
            return [f"VANTHU_FILES_URL={self.url}: the S3 store answered {code}."]
        except BotoCoreError as exc:
            where = self.endpoint_url or "AWS"
            return [f"VANTHU_S3_ENDPOINT_URL={where}: the S3 store cannot be reached ({exc})."]
        return []


class _Body:
    """botocore's streaming body as a plain reading handle (a fault mid-read is the store's, not a 500)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        try:
            return cast(bytes, self._body.read(None if size is None or size < 0 else size))
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
