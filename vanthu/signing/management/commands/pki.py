"""`vanthu pki …` — vanthu's CA and certificates for IT admins on the server. Every subcommand calls an action.

    vanthu pki init [--algorithm rsa|ecdsa] [--organisation NAME]
    vanthu pki issue (--person USERNAME | --unit CODE_OR_ID) [--algorithm …] [--passphrase-file F | --no-passphrase]
    vanthu pki revoke (--serial HEX | --id N) --reason keyCompromise
    vanthu pki renew (--serial HEX | --id N) [--passphrase-file F | --no-passphrase]
    vanthu pki import-anchor FILE [--name NAME]
    vanthu pki bind (--person … | --unit …) FILE.p12 [--password-file F] [--passphrase-file F | --no-passphrase]
    vanthu pki bind (--person … | --unit …) FILE.pem --remote-url URL --remote-id ID
    vanthu pki bind (--person … | --unit …) --token LABEL (--key-label L | --key-id HEX) [--pin-file F]
    vanthu pki crl [--ca issuing] [--out FILE]
    vanthu pki status

Each runs as the operator (`core.actors.operator`): the audit names the OS user and the subcommand.
Passphrases and PINs are asked for interactively (not echoed) unless read from a file (first line).
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core.actors import SystemActor, operator
from vanthu.core.errors import ActionRefused
from vanthu.org.models import Person, Unit
from vanthu.signing import actions, binding_actions, pki
from vanthu.signing.models import Certificate, CertificateAuthority, CertStatus, RevocationReason, TrustAnchor
from vanthu.signing.queries import own_timestamp_authority


def _owner_arguments(parser: CommandParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--person", help="username")
    group.add_argument("--unit", help="unit code (000.00.02.Q10) or id")


def _passphrase_arguments(parser: CommandParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--passphrase-file", type=Path, help="read the key passphrase from this file")
    group.add_argument("--no-passphrase", action="store_true",
                       help="keep the key under the server key only (no passphrase at signing)")


def _certificate_arguments(parser: CommandParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--serial", help="serial number, hex")
    group.add_argument("--id", type=int, help="certificate id")


class Command(BaseCommand):
    help = "vanthu's own CA, certificates, keys and trust anchors."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        init = sub.add_parser("init", help="create the root CA, the issuing CA and the TSA")
        init.add_argument("--algorithm", choices=["rsa", "ecdsa"], default="rsa")
        init.add_argument("--organisation", default="")
        issue = sub.add_parser("issue", help="issue a certificate and a server-held key")
        _owner_arguments(issue)
        issue.add_argument("--algorithm", choices=["rsa", "ecdsa"], default="", help="default: the CA's")
        _passphrase_arguments(issue)
        revoke = sub.add_parser("revoke", help="revoke a certificate")
        _certificate_arguments(revoke)
        revoke.add_argument("--reason", choices=RevocationReason.values, required=True)
        renew = sub.add_parser("renew", help="new key and certificate; the old one is superseded")
        _certificate_arguments(renew)
        _passphrase_arguments(renew)
        anchor = sub.add_parser("import-anchor", help="trust a CA certificate (PEM or DER)")
        anchor.add_argument("file", type=Path)
        anchor.add_argument("--name", default="")
        bind = sub.add_parser("bind", help="bind an existing certificate (PKCS#12, remote or PKCS#11 token)")
        _owner_arguments(bind)
        bind.add_argument("file", type=Path, nargs="?")
        bind.add_argument("--password-file", type=Path, help="PKCS#12 password file")
        _passphrase_arguments(bind)
        bind.add_argument("--remote-url")
        bind.add_argument("--remote-id")
        bind.add_argument("--token")
        bind.add_argument("--key-label", default="")
        bind.add_argument("--key-id", default="")
        bind.add_argument("--pin-file", type=Path)
        crl = sub.add_parser("crl", help="write the current CRL (DER)")
        crl.add_argument("--ca", default="issuing")
        crl.add_argument("--out", type=Path)
        sub.add_parser("status", help="the CA, the TSA and the certificates at a glance")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, "do_" + options["command"].replace("-", "_"))
        try:
            handler(options)
        except ActionRefused as exc:
            raise CommandError(exc.message) from exc

    # --- inputs -------------------------------------------------------------------------------------------

    def _owner(self, options: dict[str, Any]) -> Person | Unit:
        if options.get("person"):
            person = Person.objects.select_related("unit").filter(user__username=options["person"]).first()
            if person is None:
                raise CommandError(_("Không có người dùng “%(u)s”.") % {"u": options["person"]})
            return person
        value = options["unit"]
        unit = Unit.objects.filter(code=value).first() or (
            Unit.objects.filter(pk=int(value)).first() if value.isdigit() else None)
        if unit is None:
            raise CommandError(_("Không có đơn vị “%(u)s”.") % {"u": value})
        return unit

    def _certificate(self, options: dict[str, Any]) -> Certificate:
        rows = Certificate.objects.filter(pk=options["id"]) if options.get("id") else Certificate.objects.filter(
            serial=str(options["serial"]).lower().lstrip("0") or "0")
        row = rows.select_related("person", "unit").first()
        if row is None:
            raise CommandError(_("Không có chứng thư số này."))
        return row

    @staticmethod
    def _secret_from(path: Path | None, prompt: str, *, confirm: bool = False) -> str:
        if path is not None:
            lines = path.read_text(encoding="utf-8").splitlines()
            return lines[0] if lines else ""
        secret = getpass.getpass(prompt)
        if confirm and getpass.getpass(_("Nhập lại: ")) != secret:
            raise CommandError(_("Hai lần nhập không khớp."))
        return secret

    def _operator(self, options: dict[str, Any]) -> SystemActor:
        return operator(f"pki {options['command']}")

    def _passphrase(self, options: dict[str, Any]) -> str | None:
        if options.get("no_passphrase"):
            return None
        return self._secret_from(options.get("passphrase_file"), _("Mã PIN khóa ký: "), confirm=True)

    # --- subcommands --------------------------------------------------------------------------------------

    def do_init(self, options: dict[str, Any]) -> None:
        issuing = actions.init_ca(acting=self._operator(options), algorithm=options["algorithm"],
                                  organisation=options["organisation"])
        self.stdout.write(_("Đã khởi tạo CA: %(name)s") % {"name": issuing.name})
        self.stdout.write(f"  CRL:  {pki.crl_url(issuing.slug)}")
        self.stdout.write(f"  OCSP: {pki.ocsp_url()}")
        self.stdout.write(f"  TSA:  {pki.tsa_url()}")

    def do_issue(self, options: dict[str, Any]) -> None:
        owner = self._owner(options)
        credential = actions.issue_certificate(owner=owner, acting=self._operator(options),
                                               algorithm=options["algorithm"],
                                               passphrase=self._passphrase(options))
        self._print_certificate(credential.certificate)

    def do_revoke(self, options: dict[str, Any]) -> None:
        row = actions.revoke_certificate(certificate=self._certificate(options), reason=options["reason"],
                                         acting=self._operator(options))
        self._print_certificate(row)

    def do_renew(self, options: dict[str, Any]) -> None:
        credential = actions.renew_certificate(certificate=self._certificate(options), acting=self._operator(options),
                                               passphrase=self._passphrase(options))
        self._print_certificate(credential.certificate)

    def do_import_anchor(self, options: dict[str, Any]) -> None:
        anchors = actions.import_trust_anchor(data=options["file"].read_bytes(), name=options["name"],
                                              acting=self._operator(options))
        for anchor in anchors:
            kind = _("CA gốc") if anchor.is_root else _("CA trung gian")
            self.stdout.write(f"{anchor.name} ({kind}) {anchor.fingerprint}")

    def do_bind(self, options: dict[str, Any]) -> None:
        owner = self._owner(options)
        if options.get("token"):
            credential = binding_actions.register_pkcs11_credential(
                owner=owner, token_label=options["token"], key_label=options["key_label"],
                key_id=options["key_id"].lower(), acting=self._operator(options),
                pin=self._secret_from(options.get("pin_file"), _("Mã PIN: ")),
                certificate_data=options["file"].read_bytes() if options.get("file") else None)
        elif options.get("file") is None:
            raise CommandError(_("Cần tệp chứng thư số hoặc --token."))
        elif options.get("remote_url") or options.get("remote_id"):
            credential = binding_actions.bind_remote_certificate(
                owner=owner, data=options["file"].read_bytes(), service_url=options.get("remote_url") or "",
                credential_id=options.get("remote_id") or "", acting=self._operator(options))
        else:
            password = self._secret_from(options.get("password_file"), _("Mật khẩu tệp PKCS#12: "))
            credential = binding_actions.bind_pkcs12(owner=owner, data=options["file"].read_bytes(),
                                                     password=password, passphrase=self._passphrase(options),
                                                     acting=self._operator(options))
        self._print_certificate(credential.certificate)

    def do_crl(self, options: dict[str, Any]) -> None:
        ca = CertificateAuthority.objects.filter(slug=options["ca"]).first()
        if ca is None:
            raise CommandError(_("Không có CA “%(ca)s”.") % {"ca": options["ca"]})
        data = pki.crl_der(ca)
        if options.get("out"):
            options["out"].write_bytes(data)
        else:
            sys.stdout.buffer.write(data)

    def do_status(self, options: dict[str, Any]) -> None:
        for ca in CertificateAuthority.objects.order_by("pk"):
            self.stdout.write(f"{ca.get_role_display()}: {ca.name} — {ca.not_after:%d/%m/%Y} — {ca.fingerprint}")
        tsa = own_timestamp_authority()
        if tsa is not None:
            self.stdout.write(f"TSA: {tsa.name} — {tsa.not_after:%d/%m/%Y}")
        if not CertificateAuthority.objects.exists():
            self.stdout.write(_("CA của hệ thống chưa được khởi tạo (vanthu pki init)."))
        for status, label in CertStatus.choices:
            self.stdout.write(f"{label}: {Certificate.objects.filter(status=status).count()}")
        soon = timezone.now() + dt.timedelta(days=30)
        for row in Certificate.objects.filter(status=CertStatus.ACTIVE, not_after__lte=soon).order_by("not_after"):
            self.stdout.write(_("Sắp hết hạn: %(cn)s (%(day)s)") % {"cn": row.common_name,
                                                                   "day": pki.local_date(row.not_after)})
        self.stdout.write(_("CA tin cậy đã nhập: %(n)d") % {"n": TrustAnchor.objects.filter(enabled=True).count()})

    def _print_certificate(self, row: Certificate) -> None:
        self.stdout.write(f"{row.common_name} — {row.get_status_display()} — serial {row.serial} — "
                          f"{pki.local_date(row.not_before)}–{pki.local_date(row.not_after)}")
