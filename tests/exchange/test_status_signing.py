"""The status path at its sender (decision 0048): a status signed as a tree (`sign_status`) — the same bytes as
`sign(build_status(...))`, the same refusals —, the seal's certificates read once and the KeyInfo text kept per
certificate (another certificate is another text), a batch claimed in one statement, the companions read a
batch's worth at a time."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils import timezone

from tests.exchange.conftest import STAFF, _unit_key, status
from vanthu.exchange import claims, receiving, sending
from vanthu.exchange.edxml import EnvelopeInvalid, SignatureRefused, build_status, parse, sign, sign_status, verify
from vanthu.exchange.edxml.model import StatusCode
from vanthu.exchange.models import BatchClaim


def _statuses():
    plain = status()
    bound = dataclasses.replace(plain, to=(STAFF,), document_sha256="ab" * 32, staff=None)
    empty = dataclasses.replace(plain, description="", code=StatusCode.REGISTERED)
    return {"status": plain, "bound to a hash": bound, "no description": empty}


@pytest.mark.parametrize("name", list(_statuses()))
def test_sign_status_gives_the_bytes_of_sign_over_build_status(staff_key, name):
    message = _statuses()[name]
    expected = sign(build_status(message), key=staff_key.key, certificate=staff_key.certificate)
    got = sign_status(message, key=staff_key.key, certificate=staff_key.certificate)
    assert got == expected  # RSA PKCS#1 v1.5 is deterministic: byte for byte
    assert verify(got).valid
    assert parse(got).status == message


def test_sign_status_with_a_chain_a_callable_key_and_an_ec_key(staff_key, staff_ec_key):
    def by_callable(data: bytes) -> bytes:
        return staff_key.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    chain = [staff_key.certificate]
    expected = sign(build_status(status()), key=staff_key.key, certificate=staff_key.certificate, chain=chain)
    assert sign_status(status(), key=by_callable, certificate=staff_key.certificate, chain=chain) == expected
    ec_signed = sign_status(status(), key=staff_ec_key.key, certificate=staff_ec_key.certificate)
    assert verify(ec_signed).valid
    assert verify(ec_signed).algorithm_name == "ecdsa-sha256"


def test_sign_status_refuses_what_build_and_sign_refuse(staff_key):
    too_long = status(description="x" * 501)
    with pytest.raises(EnvelopeInvalid):
        build_status(too_long)
    with pytest.raises(EnvelopeInvalid):
        sign_status(too_long, key=staff_key.key, certificate=staff_key.certificate)
    with pytest.raises(SignatureRefused):
        sign_status(status(), key=staff_key.key, certificate=b"not a certificate")


def test_another_seal_certificate_gives_a_status_signed_and_carried_with_it(staff_key):
    """The KeyInfo text is kept per certificate: a renewed seal (another key, another certificate) signs the next
    status with its own, which verifies and names it; the first one's statuses still carry the first."""
    renewed = _unit_key(rsa.generate_private_key(public_exponent=65537, key_size=2048), "Bộ Tham mưu")
    first = sign_status(status(), key=staff_key.key, certificate=staff_key.certificate)
    second = sign_status(status(), key=renewed.key, certificate=renewed.certificate)
    again = sign_status(status(), key=staff_key.key, certificate=staff_key.certificate)
    assert verify(first).certificate == staff_key.certificate
    assert verify(second).valid
    assert verify(second).certificate == renewed.certificate
    assert again == first
    # the certificate of one with the key of the other: refused on receipt, as ever
    mixed = sign_status(status(), key=staff_key.key, certificate=renewed.certificate)
    assert not verify(mixed).valid


def test_a_seal_signs_with_its_certificates_read_once_or_as_der(staff_key):
    from vanthu.exchange import sealing

    read = sealing.Seal(certificate_der=b"leaf", chain_der=(b"ca",), _seal=None,  # type: ignore[arg-type]
                        certificates=(staff_key.certificate,))
    assert read.signed_with() == (staff_key.certificate, [])
    unread = sealing.Seal(certificate_der=b"leaf", chain_der=(b"ca",), _seal=None)  # type: ignore[arg-type]
    assert unread.signed_with() == (b"leaf", [b"ca"])  # the signature reads them, and refuses as before


@pytest.mark.django_db
def test_a_batch_is_claimed_in_one_statement_leaving_what_another_batch_holds(django_assert_num_queries):
    now = timezone.now()
    BatchClaim.objects.create(message_id=2, claimed_at=now)  # another worker's batch holds it
    BatchClaim.objects.create(message_id=9, claimed_at=now - dt.timedelta(seconds=claims.CLAIM_SECONDS + 5))
    with django_assert_num_queries(4):  # its savepoint, the stale claims gone, the claim itself, the release
        taken = claims.claim([1, 2, 3, 9, 3])
    assert taken == {1, 3, 9}  # a stale claim no longer holds: its message is taken again
    assert set(BatchClaim.objects.values_list("message_id", flat=True)) == {1, 2, 3, 9}
    assert claims.claim([2, 3]) == set()
    assert claims.claim([]) == set()


def test_the_companions_are_read_a_batch_at_a_time_until_the_batch_is_full(monkeypatch, settings):
    """Messages for another peer at the head of the outbox: the batch is filled from the rows after them (up to
    four batches' worth in all, as before), without reading all four at once when the first is enough."""
    settings.EXCHANGE_BATCH = 3

    class Row:
        def __init__(self, pk: int, address: str) -> None:
            self.pk, self.address, self.kind, self.transport = pk, address, "status", "http"

    rows = [Row(pk, "other" if pk <= 4 else "ours") for pk in range(1, 20)]
    reads: list[int] = []

    class Rows:  # the narrow rows the choice is made from
        def __init__(self, after: int = 0) -> None:
            self.after = after

        def values_list(self, *names: str) -> Rows:
            return self

        def filter(self, *, pk__gt: int) -> Rows:
            return Rows(pk__gt)

        def __getitem__(self, part: slice) -> list[tuple[int, str, str, None, int]]:
            chosen = [(r.pk, r.address, r.kind, None, 0) for r in rows if r.pk > self.after][part]
            reads.append(len(chosen))
            return chosen

    class Chain:
        def __init__(self, chosen: list[int] | None = None) -> None:
            self.chosen = chosen

        def filter(self, **kwargs: object) -> Chain:
            return Chain(kwargs["pk__in"]) if "pk__in" in kwargs else self  # type: ignore[arg-type]

        def __getattr__(self, name):
            if name != "order_by":
                return lambda *args, **kwargs: self
            if self.chosen is None:
                return lambda *args, **kwargs: Rows()
            return lambda *args, **kwargs: [r for r in rows if r.pk in self.chosen]  # the chosen, read whole

    monkeypatch.setattr(sending.OutboxMessage, "objects", Chain())
    monkeypatch.setattr(sending.Peer, "objects", type("Peers", (), {"filter": lambda self, **kw: []})())
    monkeypatch.setattr(receiving, "peer_for", lambda address, among=None: address)
    found = sending._companions(Row(100, "ours"), "ours")  # type: ignore[arg-type]
    assert [r.pk for r in found] == [5, 6]
    assert reads == [3, 3]  # two reads of a batch's worth, not one of four
    rows[:] = [Row(pk, "other") for pk in range(1, 20)]
    reads.clear()
    assert sending._companions(Row(100, "ours"), "ours") == []  # type: ignore[arg-type]
    assert reads == [3, 3, 3, 3]  # four batches' worth at most, as before
