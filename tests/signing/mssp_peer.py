"""A local Mobile Signature Service Provider on 127.0.0.1 for the SIM-PKI tests (ETSI TS 102 204 style, the
protocol of vanthu/signing/mssp.py): it holds a key per phone number (the SIM), takes signature requests, and
answers the status queries "outstanding" until the person has answered — `confirm(phone)` or `cancel(phone)`,
given by the test — and `delay` more queries have passed (the time the person takes on the phone). Each
query is logged in `queries` so a test can show it was polled."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils


@dataclass
class Transaction:
    phone: str
    digest: bytes
    text: str
    polls: int = 0


@dataclass
class Mssp:
    delay: int = 1
    keys: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)  # phone → "confirm" | "cancel"
    transactions: dict[str, Transaction] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    url: str = ""

    def confirm(self, phone: str) -> None:
        self.answers[phone] = "confirm"

    def cancel(self, phone: str) -> None:
        self.answers[phone] = "cancel"

    def handle(self, path: str, body: dict[str, str]) -> dict[str, str]:
        if path == "/MSS_Signature":
            phone = body["MSISDN"]
            if phone not in self.keys:
                return {"Status": "UNKNOWN_CLIENT"}
            transid = uuid.uuid4().hex
            self.transactions[transid] = Transaction(phone, base64.b64decode(body["DataToBeSigned"]),
                                                     body.get("DataToBeDisplayed", ""))
            return {"Status": "REQUEST_OK", "MSSP_TransID": transid}
        if path == "/MSS_StatusQuery":
            self.queries.append(body["MSSP_TransID"])
            tx = self.transactions.get(body["MSSP_TransID"])
            if tx is None:
                return {"Status": "UNKNOWN_TRANSACTION"}
            tx.polls += 1
            answer = self.answers.get(tx.phone)
            if answer is None or tx.polls <= self.delay:
                return {"Status": "OUTSTANDING_TRANSACTION"}
            if answer == "cancel":
                return {"Status": "USER_CANCEL"}
            value = self.keys[tx.phone].sign(tx.digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
            return {"Status": "SIGNATURE", "MSS_Signature": base64.b64encode(value).decode()}
        return {"Status": "WRONG_PATH"}


def start(mssp: Mssp) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            path = self.path.removeprefix("/mssp")
            answer = json.dumps(mssp.handle(path, json.loads(self.rfile.read(length)))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mssp.url = f"http://127.0.0.1:{server.server_address[1]}/mssp"
    return server
