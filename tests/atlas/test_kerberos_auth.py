"""Kerberos/SPNEGO end to end: a real MIT KDC, a local Atlas with SPNEGO on, requests-kerberos.

The client gets its ticket from a keytab (``KRB5_CLIENT_KTNAME``), as a service account on a
Kerberized cluster does; no password and no Basic header is ever sent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from mit_kdc import REALM, MitKdc
from requests_kerberos import HTTPKerberosAuth
from side_server import side_server

from atlas_ml.client import AtlasClient
from atlas_ml.client.errors import AtlasAuthError
from atlas_ml.config import load_config
from atlas_ml.server.kerberos import KerberosSettings
from atlas_ml.server.local import LocalAtlas

pytestmark = pytest.mark.atlas


@pytest.fixture(scope="module")
def kdc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MitKdc]:
    realm = MitKdc(tmp_path_factory.mktemp("kdc"))
    realm.start()
    try:
        yield realm
    finally:
        realm.stop()


@pytest.fixture(scope="module")
def kerberized_atlas(kdc: MitKdc, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAtlas]:
    spnego = KerberosSettings(
        principal=f"HTTP/localhost@{REALM}",
        keytab=kdc.add_principal("HTTP/localhost"),
        krb5_conf=kdc.krb5_conf,
    )
    server = side_server(tmp_path_factory.mktemp("atlas-kerberos"), kerberos=spnego)
    server.start(fresh=True, quiet=True)
    try:
        yield server
    finally:
        server.stop(grace=30)


@pytest.fixture
def url(kerberized_atlas: LocalAtlas) -> str:
    # The host in the URL picks the service principal: HTTP/localhost, which the KDC knows.
    return f"http://localhost:{kerberized_atlas.settings.http_port}"


@pytest.fixture
def as_principal(
    kdc: MitKdc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str | None], dict[str, str]]]:
    """Call with a principal name to make this process authenticate as it (or None: no ticket)."""

    def use(principal: str | None) -> dict[str, str]:
        """Sets this process's environment; returns it for subprocesses."""
        for key in list(os.environ):
            if key.startswith(("ATLAS_", "KRB5")):
                monkeypatch.delenv(key)
        monkeypatch.setenv("KRB5_CONFIG", str(kdc.krb5_conf))
        monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path / f'ccache-{uuid.uuid4().hex}'}")
        if principal:
            monkeypatch.setenv("KRB5_CLIENT_KTNAME", str(kdc.add_principal(principal)))
        monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
        return dict(os.environ)

    yield use


def test_spnego_atlas_refuses_a_request_without_credentials(url: str) -> None:
    response = requests.get(url + "/api/atlas/admin/version", timeout=30)
    assert response.status_code == 401
    assert response.headers.get("WWW-Authenticate", "").startswith("Negotiate")


def test_typedefs_install_and_entity_writes_authenticate_with_a_kerberos_keytab(
    url: str, as_principal, tmp_path: Path
) -> None:
    env = as_principal("admin")
    install = subprocess.run(
        [str(Path(sys.executable).parent / "atlas-ml"), "typedefs", "install"],
        env={**env, "ATLAS_URL": url, "ATLAS_AUTH": "kerberos"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    assert " created, 0 updated" in install.stdout and "0 created" not in install.stdout

    path = f"/kerberos/{uuid.uuid4().hex}"
    with AtlasClient(load_config(url=url, auth="kerberos")) as client:
        assert isinstance(client.transport.session.auth, HTTPKerberosAuth)
        result = client.entities.upsert(
            [
                {
                    "typeName": "hdfs_path",
                    "attributes": {"qualifiedName": f"{path}@primary", "name": path, "path": path},
                }
            ]
        )
        stored = client.entities.get(result.guids[f"{path}@primary"])["entity"]
        installed = client.typedefs.get("atlasml_dataset_version")
    # Atlas knows the caller by the Kerberos principal's short name.
    assert stored["createdBy"] == "admin"
    assert installed["category"] == "ENTITY"


def test_a_principal_the_authorizer_does_not_know_is_authenticated_but_denied(
    url: str, as_principal
) -> None:
    as_principal("alice")
    client = AtlasClient(load_config(url=url, auth="kerberos"))
    with client, pytest.raises(AtlasAuthError) as denied:
        client.typedefs.create({"classificationDefs": [{"name": f"Denied{uuid.uuid4().hex[:8]}"}]})
    assert denied.value.status == 403


def test_kerberos_without_a_ticket_is_an_auth_error_that_says_so_and_names_kinit(
    url: str, as_principal
) -> None:
    as_principal(None)
    client = AtlasClient(load_config(url=url, auth="kerberos"))
    with client, pytest.raises(AtlasAuthError) as refused:
        client.admin.version()
    assert refused.value.status == 401
    assert "No Kerberos credentials available" in str(refused.value)
    assert "kinit" in str(refused.value)


def test_a_url_host_without_a_service_principal_names_the_missing_principal(
    kerberized_atlas: LocalAtlas, as_principal
) -> None:
    as_principal("admin")
    # 127.0.0.1 reaches the same server, but the KDC has HTTP/localhost only.
    client = AtlasClient(load_config(url=kerberized_atlas.url, auth="kerberos"))
    with client, pytest.raises(AtlasAuthError) as refused:
        client.admin.version()
    assert f"HTTP/127.0.0.1@{REALM} not found in Kerberos database" in str(refused.value)


def test_basic_auth_keeps_working_beside_spnego(kerberized_atlas: LocalAtlas) -> None:
    response = requests.get(
        kerberized_atlas.url + "/api/atlas/admin/version", auth=("admin", "admin"), timeout=30
    )
    assert response.status_code == 200 and response.json()["Version"]
