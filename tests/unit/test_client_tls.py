"""atlas-ml's own TLS settings against a local HTTPS server with a certificate made per test.

The server stands in for TLS only (a healthy Atlas behind a reverse proxy answers the same
handshake); it answers every request with ``{}``. Certificates are generated with
``cryptography`` so that no key is stored in the repository.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest
import requests
from click.testing import CliRunner
from requests.adapters import HTTPAdapter

from atlas_ml.cli.main import cli
from atlas_ml.client import AtlasClient, AtlasUnavailable
from atlas_ml.config import AtlasConfig

pytestmark = pytest.mark.unit

CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture(autouse=True)
def no_ca_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine (and many images) set them; each test sets the one it is about."""
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no bundle trusts, and its key (both PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "atlas-ml test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "cert.pem"
    key_file = directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """URL of a local HTTPS server and the PEM file of its (self-signed) certificate."""
    cert_file, key_file = self_signed(tmp_path)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert_file
    finally:
        server.shutdown()
        server.server_close()


def client_for(url: str, **settings: object) -> AtlasClient:
    return AtlasClient(
        AtlasConfig(url=url, auth="none", retries=0, read_timeout=5.0, **settings)  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("variable", CA_VARIABLES)
def test_config_ca_bundle_wins_over_a_ca_bundle_variable_in_the_environment(
    https_server, monkeypatch, variable
):
    url, cert_file = https_server
    monkeypatch.setenv(variable, certifi.where())
    assert client_for(url, ca_bundle=str(cert_file)).admin.version() == {}


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
@pytest.mark.parametrize("variable", CA_VARIABLES)
def test_verify_tls_false_wins_over_a_ca_bundle_variable_in_the_environment(
    https_server, monkeypatch, variable
):
    url, _ = https_server
    monkeypatch.setenv(variable, certifi.where())
    assert client_for(url, verify_tls=False).admin.version() == {}


def test_ca_bundle_variable_still_applies_when_atlas_ml_has_no_tls_setting_of_its_own(
    https_server, monkeypatch
):
    url, cert_file = https_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    assert client_for(url).admin.version() == {}


@pytest.mark.parametrize("setting", ["ca_bundle", "verify_tls", None])
def test_the_configured_verify_is_what_reaches_the_adapter(tmp_path, monkeypatch, setting):
    """Without cryptography too: what requests hands the adapter, with REQUESTS_CA_BUNDLE set."""
    own, env_bundle = tmp_path / "own.pem", tmp_path / "env.pem"
    own.write_text("")
    env_bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(env_bundle))
    settings = {"ca_bundle": {"ca_bundle": str(own)}, "verify_tls": {"verify_tls": False}}
    expected = {"ca_bundle": str(own), "verify_tls": False, None: str(env_bundle)}
    seen: list[object] = []

    def send(self: HTTPAdapter, request: requests.PreparedRequest, **kwargs: object):
        seen.append(kwargs["verify"])
        response = requests.Response()
        response.status_code, response._content, response.request = 200, b"{}", request
        return response

    monkeypatch.setattr(HTTPAdapter, "send", send)
    client_for("https://atlas.example.com:21443", **settings.get(setting, {})).admin.version()
    assert seen == [expected[setting]]


def test_unverifiable_certificate_is_reported_as_a_tls_problem_naming_the_settings(
    https_server, monkeypatch
):
    url, _ = https_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    with pytest.raises(AtlasUnavailable) as caught:
        client_for(url).admin.version()
    message = str(caught.value)
    assert "TLS certificate" in message and "self-signed certificate" in message
    assert f"{certifi.where()} (from REQUESTS_CA_BUNDLE)" in message
    assert "ATLAS_CA_BUNDLE" in message and "verify_tls" in message
    assert "Is the server running" not in message


def test_https_url_for_a_plain_http_server_is_reported_as_a_tls_problem():
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with pytest.raises(AtlasUnavailable) as caught:
            client_for(f"https://127.0.0.1:{server.server_address[1]}").admin.version()
    finally:
        server.shutdown()
        server.server_close()
    assert "TLS connection" in str(caught.value)
    assert "http:// or https://" in str(caught.value)


def test_unverifiable_certificate_ends_verify_with_exit_3_and_other_commands_with_one_error(
    https_server, monkeypatch, tmp_path
):
    url, _ = https_server
    (tmp_path / "config.toml").write_text("[atlas]\n")
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(tmp_path / "config.toml"))
    for name in ("ATLAS_CA_BUNDLE", "ATLAS_VERIFY_TLS", "ATLAS_USER", "ATLAS_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATLAS_URL", url)
    monkeypatch.setenv("ATLAS_AUTH", "none")
    verify = CliRunner().invoke(cli, ["verify", "x", "--json"])
    assert verify.exit_code == 3, verify.output
    assert "TLS certificate" in json.loads(verify.output.splitlines()[0])["error"]
    listed = CliRunner().invoke(cli, ["typedefs", "list"])
    assert listed.exc_info is not None and listed.exc_info[0] is SystemExit
    assert listed.output.startswith("Error: the TLS certificate of Atlas at ")
    assert len(listed.output.strip().splitlines()) == 1
