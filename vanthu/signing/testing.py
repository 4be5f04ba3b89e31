"""Signing equipment for tests and the demo: vanthu's CA, certificates and keys, signature and seal images,
and SoftHSM2 tokens.

- `equip(people=..., units=...)` — initialise vanthu's CA (if needed), issue a certificate + server-held key
  (passphrase SIGNING_SECRET) to each person and unit, and give each a drawn image: a blue handwritten-looking
  signature for people, a red round seal (~38 mm) for units. Reusable for a whole demo organisation.
- `equip_cast(cast)` — the same for the fixed characters: signers hung, binh, son, dung; units command,
  office, staff, operations, politics, division, regiment, province.
- `softhsm_token(directory)` — a fresh SoftHSM2 token (PIN TOKEN_PIN) in a private SOFTHSM2_CONF;
  `put_on_token(token, owner=..., label=...)` — generate a key on it, certify it with vanthu's CA, write the
  certificate next to the key and register the PKCS#11 credential.
- `signature_png(name)`, `seal_png(name)` — the images alone.

Everything goes through the actions, as a real admin would, acting as the system actor TEST_FIXTURES by default
(audited as "system:test fixtures"; the demo passes its DEMO_BUILDER).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import os
import subprocess
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from vanthu.core.actors import TEST_FIXTURES
from vanthu.org.access import Actor
from vanthu.org.models import Person, Unit
from vanthu.signing import actions, binding_actions, pki, service_clients
from vanthu.signing.keystore import PrivateKey
from vanthu.signing.models import CaRole, CertificateAuthority, KeyCredential, TimestampAuthority

SIGNING_SECRET = "123456"  # noqa: S105 - passphrase of every test/demo key, published on purpose
TOKEN_PIN = "1234"  # noqa: S105 - PIN of test tokens
TOKEN_SO_PIN = "12345678"  # noqa: S105 - security officer PIN of test tokens
SIGNERS = ("hung", "binh", "son", "dung")
UNITS = ("command", "office", "staff", "operations", "politics", "division", "regiment", "province")
SIGNATURE_INK = (20, 50, 160)  # blue ink
SEAL_INK = (210, 20, 35)  # seal red
SIGNATURE_WIDTH_MM = 35
SEAL_WIDTH_MM = 38


@dataclass
class Equipment:
    """What `equip` made: the issuing CA and each owner's credential, by name (cast attribute or label)."""

    ca: CertificateAuthority
    credentials: dict[str, KeyCredential] = field(default_factory=dict)
    secret: str = SIGNING_SECRET


_ca_rows: dict[tuple[str, str], list[tuple[type[Any], dict[str, Any]]]] = {}
_ca_made: dict[tuple[str, str], dt.datetime] = {}
_key_pool: dict[str, dict[str, PrivateKey]] = {}


def ensure_ca(*, algorithm: str = "rsa", acting: Actor = TEST_FIXTURES) -> CertificateAuthority:
    """vanthu's issuing CA, initialising the CA (root, issuing, TSA) when there is none.

    Within one process the CA made for a given PUBLIC_URL and algorithm is remembered and restored in later
    tests (their databases start empty), which saves three key generations per test.
    """
    existing = CertificateAuthority.objects.filter(role=CaRole.ISSUING).first()
    if existing is not None:
        return existing
    cache_key = (settings.PUBLIC_URL, algorithm)
    # restored only when made at or before the test's "now": a CA made under a test's travelled clock (a later
    # date) is not yet valid for the tests that follow it in this process
    made = _ca_made.get(cache_key)
    if cache_key in _ca_rows and made is not None and made <= timezone.now() \
            and not CertificateAuthority.objects.exists():
        for model, values in _ca_rows[cache_key]:
            model.objects.create(**values)
        return CertificateAuthority.objects.get(role=CaRole.ISSUING)
    issuing = actions.init_ca(acting=acting, algorithm=algorithm)
    rows: list[tuple[type[Any], dict[str, Any]]] = []
    for model in (CertificateAuthority, TimestampAuthority):
        for row in model.objects.order_by("pk"):
            values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
            rows.append((model, values))
    _ca_rows[cache_key] = rows
    _ca_made[cache_key] = timezone.now()
    return issuing


def pooled_key(algorithm: str, label: str) -> PrivateKey:
    """This process's key for `label` (e.g. "person:Trần Quốc Hùng@Bộ Tư lệnh Quân khu 10"): distinct labels get
    distinct keys, the same label gets the same key in every test (RSA generation costs ~70 ms)."""
    pool = _key_pool.setdefault(algorithm, {})
    if label not in pool:
        pool[label] = pki.generate_key(algorithm)
    return pool[label]


def _label(owner: Person | Unit) -> str:
    if isinstance(owner, Person):
        return f"person:{owner.full_name}@{owner.unit.name}"
    return f"unit:{owner.name}@{owner.parent.name if owner.parent else ''}"


def equip(*, people: Iterable[tuple[str, Person]] = (), units: Iterable[tuple[str, Unit]] = (),
          algorithm: str = "rsa", secret: str | None = SIGNING_SECRET, images: bool = True,
          reuse_keys: bool = True, acting: Actor = TEST_FIXTURES) -> Equipment:
    """Certificates, server-held keys (under `secret`; None = server key only) and images for people and
    units, given as (name, owner) pairs. `reuse_keys` takes each owner's key from the process's pool (keyed
    by name, so owners with the same name and unit would share one; pass False for fresh keys). `acting`:
    who the audit names (the demo passes its builder)."""
    equipment = Equipment(ca=ensure_ca(algorithm=algorithm, acting=acting), secret=secret or "")
    owners: list[tuple[str, Person | Unit]] = [*people, *units]
    for name, owner in owners:
        key = pooled_key(algorithm, _label(owner)) if reuse_keys else None
        equipment.credentials[name] = actions.issue_certificate(owner=owner, acting=acting, passphrase=secret,
                                                                algorithm=algorithm, key=key)
        if not images:
            continue
        if isinstance(owner, Person):
            actions.upload_signature_image(owner=owner, data=signature_png(owner.full_name),
                                           width_mm=SIGNATURE_WIDTH_MM, acting=acting)
        else:
            actions.upload_signature_image(owner=owner, data=seal_png(owner.name), width_mm=SEAL_WIDTH_MM,
                                           acting=acting)
    return equipment


def equip_cast(cast: Any, *, algorithm: str = "rsa", secret: str | None = SIGNING_SECRET,
               people: Iterable[str] = SIGNERS, units: Iterable[str] = UNITS, images: bool = True) -> Equipment:
    """`equip` for the fixed characters (vanthu.demo.characters.Cast), by attribute name."""
    return equip(people=[(n, getattr(cast, n)) for n in people], units=[(n, getattr(cast, n)) for n in units],
                 algorithm=algorithm, secret=secret, images=images)


# --- images -----------------------------------------------------------------------------------------------

def tsa_client(name: str = "tests") -> str:
    """Register a client of the time-stamp service (or reuse one by that name after a flush) and return its token:
    set it as settings.TSA_TOKEN for signing through /pki/tsa over HTTP."""
    _client, token = service_clients.create_client(name=f"{name} {uuid.uuid4().hex[:8]}", acting=TEST_FIXTURES)
    return token


def _seeded(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [b / 255 for b in digest]


@functools.cache
def signature_png(name: str, *, width: int = 600, height: int = 240) -> bytes:
    """A fictional handwritten-looking signature in blue ink on a transparent background (seeded by name)."""
    from PIL import Image, ImageDraw

    scale = 2
    w, h = width * scale, height * scale
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    r = _seeded(name)
    ink = (*SIGNATURE_INK, 255)
    # the name's initial: a tall loop, then a running scribble, then an underline flourish
    points = []
    for i in range(240):
        t = i / 239
        x = w * (0.08 + 0.78 * t)
        y = h * (0.5 - 0.28 * math.sin(2 * math.pi * (1.5 + r[0]) * t + r[1] * 6)
                 * (1 - 0.6 * t) + 0.12 * math.sin(2 * math.pi * (5 + 3 * r[2]) * t))
        points.append((x + 18 * scale * math.sin(2 * math.pi * (7 + 4 * r[3]) * t), y))
    draw.line(points, fill=ink, width=5 * scale, joint="curve")
    flourish = [(w * (0.12 + 0.8 * t), h * (0.78 - 0.08 * math.sin(math.pi * t) + 0.03 * r[4]))
                for t in (i / 59 for i in range(60))]
    draw.line(flourish, fill=ink, width=4 * scale, joint="curve")
    out = BytesIO()
    image.resize((width, height), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


@functools.cache
def seal_png(name: str, *, size: int = 450) -> bytes:
    """A red round seal, transparent outside the ink: double ring, `name` in capitals around the edge, a
    five-pointed star in the middle. 450 px for 38 mm is about 300 dpi."""
    from PIL import Image, ImageDraw, ImageFont

    from vanthu.core.fonts import serif

    scale = 2
    s = size * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ink = (*SEAL_INK, 255)
    centre = s / 2
    outer = s / 2 - 4 * scale
    draw.ellipse((centre - outer, centre - outer, centre + outer, centre + outer), outline=ink, width=9 * scale)
    inner = outer * 0.68
    draw.ellipse((centre - inner, centre - inner, centre + inner, centre + inner), outline=ink, width=4 * scale)
    # the star
    star_r = inner * 0.55
    star = []
    for k in range(10):
        radius = star_r if k % 2 == 0 else star_r * 0.4
        angle = -math.pi / 2 + k * math.pi / 5
        star.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(star, fill=ink)
    # the name around the ring, upright letters rotated along the circle, centred at the top
    text = name.upper()
    font = ImageFont.truetype(str(serif().bold), size=int(s * 0.075))
    text_radius = (outer + inner) / 2
    advances = [font.getlength(ch) for ch in text]
    total_angle = min(sum(advances) / text_radius, 1.9 * math.pi)
    squeeze = total_angle / max(sum(advances) / text_radius, 1e-6)
    angle = -math.pi / 2 - total_angle / 2
    for ch, advance in zip(text, advances, strict=True):
        step = advance / text_radius * squeeze
        middle = angle + step / 2
        glyph = Image.new("RGBA", (int(s * 0.12), int(s * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=ink, anchor="mm")
        rotated = glyph.rotate(-math.degrees(middle) - 90, resample=Image.Resampling.BICUBIC)
        x = centre + text_radius * math.cos(middle) - rotated.width / 2
        y = centre + text_radius * math.sin(middle) - rotated.height / 2
        image.alpha_composite(rotated, (int(x), int(y)))
        angle += step
    out = BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- SoftHSM2 tokens --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SoftToken:
    label: str
    pin: str
    conf: Path
    module: str


_conf_of_process: Path | None = None


def _softhsm_conf(directory: Path) -> Path:
    """One SOFTHSM2_CONF per process: the PKCS#11 module reads it once, when first initialised."""
    global _conf_of_process
    if _conf_of_process is not None and _conf_of_process.exists():
        return _conf_of_process
    tokens = directory / "softhsm-tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
                    "slots.removable = false\n", encoding="utf-8")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    _conf_of_process = conf
    return conf


def softhsm_token(directory: Path, *, label: str = "", pin: str = TOKEN_PIN) -> SoftToken:
    """Initialise a new SoftHSM2 token (in this process's private SOFTHSM2_CONF, created under `directory`
    on first use) and make the already-loaded PKCS#11 module see it."""
    import pkcs11

    conf = _softhsm_conf(directory)
    label = label or f"vanthu-{uuid.uuid4().hex[:10]}"
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin",
                    TOKEN_SO_PIN], check=True, capture_output=True, env={**os.environ, "SOFTHSM2_CONF": str(conf)})
    module: str = settings.PKCS11_MODULE
    loaded = pkcs11._loaded.get(module)
    if loaded is not None and loaded.initialized:
        loaded.reinitialize()  # SoftHSM2 scans its token directory only at C_Initialize
    return SoftToken(label=label, pin=pin, conf=conf, module=module)


def put_on_token(token: SoftToken, *, owner: Person | Unit, label: str, algorithm: str = "rsa",
                 key_id: bytes | None = None, make_default: bool = True) -> KeyCredential:
    """Generate a key on the token, certify it with vanthu's CA (as an admin would from the token's request),
    store the certificate on the token beside the key, and register the PKCS#11 credential."""
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
    from pkcs11.util import ec as p11_ec
    from pkcs11.util import rsa as p11_rsa
    from pkcs11.util import x509 as p11_x509

    ca = ensure_ca(algorithm=algorithm)
    key_id = key_id or os.urandom(8)
    lib = pkcs11.lib(token.module)
    with lib.get_token(token_label=token.label).open(user_pin=token.pin, rw=True) as session:
        if algorithm == "rsa":
            public, _private = session.generate_keypair(KeyType.RSA, 2048, store=True, label=label, id=key_id)
            public_der = p11_rsa.encode_rsa_public_key(public)
        else:
            public, _private = session.generate_keypair(
                KeyType.EC, 0, store=True, label=label, id=key_id,
                public_template={Attribute.EC_PARAMS: p11_ec.encode_named_curve_parameters("secp256r1")})
            public_der = p11_ec.encode_ec_public_key(public)
        public_key = serialization.load_der_public_key(public_der)
        subject = pki.person_subject(owner) if isinstance(owner, Person) else pki.unit_subject(owner)
        cert = pki.build_end_entity(subject=subject, public_key=public_key,  # type: ignore[arg-type]
                                    issuer=pki.issuer_of(ca))
        attributes = p11_x509.decode_x509_certificate(pki.der(cert))
        attributes.update({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.TOKEN: True,
                           Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.LABEL: label,
                           Attribute.ID: key_id})
        session.create_object(attributes)
    return binding_actions.register_pkcs11_credential(owner=owner, token_label=token.label, pin=token.pin,
                                                      acting=TEST_FIXTURES,
                                                      key_label=label, make_default=make_default)


def bind_remote_key(person: Person, *, acting: Actor = TEST_FIXTURES) -> PrivateKey:
    """Give `person` a certificate whose key lives at a "remote signing service", and return that key so a
    test can play the service (sign the recorded digest). No remote service can run on a test machine."""
    from cryptography.hazmat.primitives import serialization

    key = pooled_key("rsa", f"remote:{_label(person)}")
    certificate = pki.build_end_entity(subject=pki.person_subject(person), public_key=key.public_key(),
                                       issuer=pki.issuer_of(ensure_ca()))
    binding_actions.bind_remote_certificate(owner=person, data=certificate.public_bytes(serialization.Encoding.PEM),
                                            service_url="https://ky-so.example.vn/csc/v2",
                                            credential_id=f"p{person.pk}", acting=acting, make_default=True)
    return key


def remote_service_signs(key: PrivateKey, digest: bytes) -> bytes:
    """What a CSC signHash service returns for a SHA-256 digest (RSA PKCS#1 v1.5)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

    assert isinstance(key, rsa.RSAPrivateKey)
    return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def bind_sim_key(person: Person, *, phone: str, mssp_url: str, acting: Actor = TEST_FIXTURES) -> PrivateKey:
    """Give `person` a certificate whose key is on the SIM of `phone`, signed through the MSSP at `mssp_url`, and
    return that key for the test's local MSSP to hold (no operator's MSSP can run on a test machine)."""
    from cryptography.hazmat.primitives import serialization

    from vanthu.signing import sim_actions

    key = pooled_key("rsa", f"sim:{_label(person)}")
    certificate = pki.build_end_entity(subject=pki.person_subject(person), public_key=key.public_key(),
                                       issuer=pki.issuer_of(ensure_ca()))
    sim_actions.bind_sim_certificate(person=person, data=certificate.public_bytes(serialization.Encoding.PEM),
                                     mssp_url=mssp_url, phone=phone, acting=acting)
    return key
