"""SPNEGO (Kerberos) on the local server's REST API and UI, for trying Kerberized clients.

Production Atlas clusters usually sit behind Kerberos; this lets a user (and the test suite)
run the same local Atlas with ``atlas.authentication.method.kerberos=true`` against their own
KDC. Basic auth keeps working beside it: Atlas's authentication filter lets a request with a
``Basic`` header through before it looks for SPNEGO, which is what ``stop``'s snapshot export
and the start-up status poll rely on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from atlas_ml.errors import AtlasMLError

PRINCIPAL_ENV = "ATLAS_ML_SERVER_KERBEROS_PRINCIPAL"
KEYTAB_ENV = "ATLAS_ML_SERVER_KERBEROS_KEYTAB"
DEFAULT_KRB5_CONF = Path("/etc/krb5.conf")

# HTTP/<host>@<REALM>: the service principal browsers and SPNEGO clients ask tickets for.
_HTTP_PRINCIPAL = re.compile(r"^HTTP/[^/@\s]+@[^/@\s]+$")


class KerberosSetupError(AtlasMLError, ValueError):
    """The Kerberos settings of the local server are incomplete or point at missing files."""


@dataclass(frozen=True)
class KerberosSettings:
    """The server's SPNEGO identity: its ``HTTP/host@REALM`` principal, keytab and krb5.conf."""

    principal: str
    keytab: Path
    krb5_conf: Path

    @classmethod
    def resolve(
        cls,
        principal: str | None,
        keytab: str | Path | None,
        krb5_conf: str | Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> KerberosSettings | None:
        """Settings from options, else ``ATLAS_ML_SERVER_KERBEROS_*`` and ``KRB5_CONFIG``.

        None when neither a principal nor a keytab is given (the server runs without SPNEGO).
        """
        env = os.environ if env is None else env
        principal = principal or env.get(PRINCIPAL_ENV) or None
        keytab = keytab or env.get(KEYTAB_ENV) or None
        if principal is None and keytab is None:
            return None
        if principal is None or keytab is None:
            raise KerberosSetupError(
                "Kerberos on the local server needs both --kerberos-principal "
                f"(or {PRINCIPAL_ENV}) and --kerberos-keytab (or {KEYTAB_ENV})"
            )
        conf = krb5_conf or env.get("KRB5_CONFIG") or DEFAULT_KRB5_CONF
        settings = cls(principal, Path(keytab).expanduser(), Path(conf).expanduser())
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings Atlas would only fail on minutes later, deep in its log."""
        if not _HTTP_PRINCIPAL.match(self.principal):
            raise KerberosSetupError(
                f"Kerberos principal {self.principal!r} is not an HTTP service principal: "
                "SPNEGO clients ask for HTTP/<host the clients use>@<REALM>, "
                "e.g. HTTP/atlas.example.com@EXAMPLE.COM"
            )
        for label, path in (("keytab", self.keytab), ("krb5.conf", self.krb5_conf)):
            if not path.is_file():
                raise KerberosSetupError(f"Kerberos {label} {path} does not exist")
            if not os.access(path, os.R_OK):
                raise KerberosSetupError(f"Kerberos {label} {path} is not readable")

    @property
    def properties(self) -> dict[str, str]:
        """The ``atlas-application.properties`` entries that switch SPNEGO on."""
        return {
            "atlas.authentication.method.kerberos": "true",
            "atlas.authentication.method.kerberos.principal": self.principal,
            "atlas.authentication.method.kerberos.keytab": str(self.keytab.resolve()),
            "atlas.authentication.method.kerberos.name.rules": "DEFAULT",
        }

    @property
    def jvm_options(self) -> list[str]:
        return [f"-Djava.security.krb5.conf={self.krb5_conf.resolve()}"]
