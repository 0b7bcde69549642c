"""Local HTTP(S) servers on 127.0.0.1 for the link checker's tests, each on a free port."""

from __future__ import annotations

import datetime
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class _Handler(BaseHTTPRequestHandler):
    """Answers by path: /ok, /missing (404), /hop/N (301 to /hop/N-1, then /ok),
    /loop (301 to itself), /slow (headers after 3 s), /drip (one byte every 0.3 s),
    /huge (an endless body), /to?u=URL (302 to URL)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: bytes = b"ok", headers: dict | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        server.user_agents.append(self.headers.get("User-Agent", ""))
        path, _sep, query = self.path.partition("?")
        try:
            if path == "/ok":
                self._send(200)
            elif path == "/missing":
                self._send(404, b"no")
            elif path.startswith("/hop/"):
                left = int(path.rsplit("/", 1)[1])
                self._send(301, b"", {"Location": f"/hop/{left - 1}" if left > 1 else "/ok"})
            elif path == "/loop":
                self._send(301, b"", {"Location": "/loop"})
            elif path == "/to":
                self._send(302, b"", {"Location": query.removeprefix("u=")})
            elif path == "/slow":
                time.sleep(3)
                self._send(200)
            elif path == "/drip":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.3)
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Content-Length", str(10**10))
                self.end_headers()
                chunk = b"x" * 65536
                while True:
                    self.wfile.write(chunk)
                    server.bytes_sent += len(chunk)
            else:
                self._send(404, b"no")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the checker hung up: that is the point


class LocalServer:
    def __init__(self, *, tls_dir: Path | None = None):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []
        self.httpd.user_agents = []
        self.httpd.bytes_sent = 0
        self.scheme = "http"
        if tls_dir is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self_signed_certificate(tls_dir))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    @property
    def user_agents(self) -> list[str]:
        return self.httpd.user_agents

    @property
    def bytes_sent(self) -> int:
        return self.httpd.bytes_sent

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed_certificate(directory: Path) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 made now: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)
