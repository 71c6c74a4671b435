"""Retry and error paths of the client against a tiny scripted HTTP server.

A fake server is used ONLY for what a healthy Atlas cannot be made to do on demand (answer
503, drop connections); Atlas behaviour itself is tested against the real server.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from atlas_ml.cli.main import cli, quiet_connect_retries
from atlas_ml.client import (
    AtlasAuthError,
    AtlasClient,
    AtlasError,
    AtlasNotFound,
    AtlasUnavailable,
)
from atlas_ml.client.auth import credentials_sent, no_credentials_reason
from atlas_ml.config import AtlasConfig, load_config

pytestmark = pytest.mark.unit

SECRET = "s3cr3t-Pa55"
TOKEN = "tok-9f8e7d"


class Script:
    """Responses to hand out in order, and the requests seen."""

    def __init__(self) -> None:
        self.responses: list[tuple[int, object]] = []
        self.requests: list[dict[str, object]] = []


@pytest.fixture
def fake_atlas() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            script.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "body": body,
                }
            )
            status, payload = script.responses.pop(0) if script.responses else (200, {})
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", script
    finally:
        server.shutdown()
        server.server_close()


def make_client(url: str, **overrides: object) -> AtlasClient:
    settings: dict[str, object] = {
        "url": url,
        "username": "alice",
        "password": SECRET,
        "retries": 2,
        "backoff_factor": 0.01,
        "read_timeout": 5.0,
    }
    settings.update(overrides)
    return AtlasClient(AtlasConfig(**settings))  # type: ignore[arg-type]


def test_get_is_retried_after_503_and_returns_the_later_answer(fake_atlas):
    url, script = fake_atlas
    script.responses = [(503, {}), (200, {"Version": "2.1.0"})]
    assert make_client(url).admin.version() == {"Version": "2.1.0"}
    assert len(script.requests) == 2


def test_bulk_upsert_post_is_retried_because_it_is_idempotent(fake_atlas):
    url, script = fake_atlas
    script.responses = [(502, {}), (200, {"guidAssignments": {"-1": "g1"}})]
    entity = {"typeName": "DataSet", "guid": "-1", "attributes": {"qualifiedName": "a"}}
    result = make_client(url).entities.upsert([entity])
    assert result.guids == {"a": "g1"}
    assert [r["method"] for r in script.requests] == ["POST", "POST"]


def test_typedef_create_is_not_retried_on_503(fake_atlas):
    url, script = fake_atlas
    script.responses = [(503, {}), (200, {})]
    with pytest.raises(AtlasUnavailable) as caught:
        make_client(url).typedefs.create({"entityDefs": []})
    assert caught.value.status == 503
    assert len(script.requests) == 1


def test_retries_give_up_with_atlas_unavailable(fake_atlas):
    url, script = fake_atlas
    script.responses = [(504, {})] * 5
    with pytest.raises(AtlasUnavailable) as caught:
        make_client(url, retries=2).admin.version()
    assert caught.value.status == 504
    assert len(script.requests) == 3


def test_error_body_becomes_typed_error_with_code_and_request(fake_atlas):
    url, script = fake_atlas
    script.responses = [
        (404, {"errorCode": "ATLAS-404-00-001", "errorMessage": "Given typename nope was invalid"})
    ]
    with pytest.raises(AtlasNotFound) as caught:
        make_client(url).typedefs.get("nope")
    error = caught.value
    assert error.status == 404
    assert error.error_code == "ATLAS-404-00-001"
    assert error.message == "Given typename nope was invalid"
    assert error.request == "GET /api/atlas/v2/types/typedef/name/nope"
    assert "ATLAS-404-00-001" in str(error)


def test_query_string_is_not_part_of_the_error(fake_atlas):
    url, script = fake_atlas
    script.responses = [(404, {"errorCode": "ATLAS-404-00-009", "errorMessage": "not found"})]
    with pytest.raises(AtlasNotFound) as caught:
        make_client(url).entities.get_by_unique_attribute("hive_table", "db.secret_table@c1")
    assert "secret_table" not in str(caught.value)
    assert caught.value.path == "/api/atlas/v2/entity/uniqueAttribute/type/hive_table"


def test_non_json_answer_is_a_clear_error(fake_atlas):
    url, script = fake_atlas
    script.responses = [(200, b"<html>login</html>")]
    with pytest.raises(AtlasError, match="not JSON"):
        make_client(url).admin.version()


def test_refused_connection_names_the_url_and_the_fix():
    client = make_client("http://127.0.0.1:9", retries=0)
    with pytest.raises(AtlasUnavailable) as caught:
        client.admin.version()
    assert "http://127.0.0.1:9" in str(caught.value)
    assert "ATLAS_URL" in str(caught.value)


def test_basic_credentials_are_sent_but_never_shown(fake_atlas, caplog):
    url, script = fake_atlas
    script.responses = [(401, b"<html>Unauthorized</html>")]
    client = make_client(url)
    with caplog.at_level(logging.DEBUG), pytest.raises(AtlasAuthError) as caught:
        client.admin.version()
    encoded = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    assert script.requests[0]["auth"] == f"Basic {encoded}"
    shown = " ".join(
        [str(caught.value), repr(caught.value), repr(client), repr(client.config), caplog.text]
    )
    assert SECRET not in shown
    assert encoded not in shown
    assert "--user" in str(caught.value)


def test_bearer_token_is_sent_but_never_shown(fake_atlas, caplog):
    url, script = fake_atlas
    script.responses = [(403, {"errorCode": "ATLAS-403-00-001", "errorMessage": "denied"})]
    client = make_client(url, username=None, password=None, token=TOKEN, auth="bearer")
    with caplog.at_level(logging.DEBUG), pytest.raises(AtlasAuthError) as caught:
        client.entities.get("g1")
    assert script.requests[0]["auth"] == f"Bearer {TOKEN}"
    shown = " ".join(
        [str(caught.value), repr(caught.value), repr(client.config), repr(client), caplog.text]
    )
    assert TOKEN not in shown


def test_status_is_read_without_credentials(fake_atlas):
    url, script = fake_atlas
    script.responses = [(200, {"Status": "ACTIVE"})]
    assert make_client(url).admin.status() == "ACTIVE"
    assert script.requests[0]["auth"] is None


def test_kerberos_without_the_extra_is_a_clear_error(monkeypatch):
    import sys

    from atlas_ml.config import ConfigError

    monkeypatch.setitem(sys.modules, "requests_kerberos", None)
    with pytest.raises(ConfigError, match=r"atlas-ml\[kerberos\]"):
        AtlasClient(AtlasConfig(auth="kerberos"))


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    quiet_connect_retries(False)


@pytest.mark.parametrize(("flags", "shown"), [([], False), (["-v"], True), (["-vv"], True)])
def test_connect_retry_warnings_are_shown_only_with_verbose(closed_port_url, caplog, flags, shown):
    CliRunner().invoke(cli, [*flags, "typedefs", "--help"], catch_exceptions=False)
    client = make_client(closed_port_url, retries=1, backoff_factor=0)
    with caplog.at_level(logging.DEBUG), pytest.raises(AtlasUnavailable):
        client.admin.version()
    assert ("Retrying (Retry(" in caplog.text) is shown
    assert "urllib3.connectionpool" in caplog.text


def test_refused_user_is_named_with_the_settings_it_came_from_never_the_password(
    fake_atlas, tmp_path
):
    url, script = fake_atlas
    script.responses = [(401, b"")]
    (tmp_path / "config.toml").write_text('[atlas]\nuser = "alice"\n')
    env = {"ATLAS_ML_CONFIG": str(tmp_path / "config.toml"), "ATLAS_PASSWORD": SECRET}
    with pytest.raises(AtlasAuthError) as caught:
        AtlasClient(load_config(url=url, env=env)).admin.version()
    message = str(caught.value)
    assert message.startswith(
        "Atlas refused user 'alice' (from user in the atlas-ml config file, "
        "password from ATLAS_PASSWORD): Unauthorized ("
    )
    assert message.count("HTTP 401") == 1
    assert SECRET not in message


def test_refused_bearer_token_is_named_by_its_setting_not_its_value(fake_atlas):
    url, script = fake_atlas
    script.responses = [(401, {})]
    with pytest.raises(AtlasAuthError) as caught:
        AtlasClient(load_config(url=url, env={"ATLAS_TOKEN": TOKEN})).admin.version()
    assert "refused the bearer token from ATLAS_TOKEN" in str(caught.value)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "reason"),
    [({"auth": "none"}, "auth is 'none'"), ({"username": None}, "no user is set")],
)
def test_401_after_sending_no_credentials_says_that_none_were_sent(fake_atlas, settings, reason):
    url, script = fake_atlas
    script.responses = [(401, b"")]
    with pytest.raises(AtlasAuthError) as caught:
        make_client(url, password=None, **settings).admin.version()
    assert f"Atlas wants credentials but none were sent ({reason}" in str(caught.value)
    assert script.requests[0]["auth"] is None


def test_remote_server_without_a_user_is_told_why_it_got_no_default():
    config = AtlasConfig(url="https://atlas.example.com:21443")
    assert credentials_sent(config) is None
    assert "only a loopback URL gets the local dev server's default" in no_credentials_reason(
        config
    )
