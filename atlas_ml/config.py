"""Where atlas-ml finds its Atlas server, how it authenticates, and which namespace it writes.

Settings are read the way Atlas's own hooks read them, plus the usual environment variables
and an atlas-ml config file. For every setting the first source that provides it wins:

1. explicit arguments (CLI options such as ``--url``/``--user``/``--password``);
2. environment: ``ATLAS_URL``, ``ATLAS_USER``, ``ATLAS_PASSWORD``, ``ATLAS_TOKEN``,
   ``ATLAS_AUTH``, ``ATLAS_CA_BUNDLE``, ``ATLAS_VERIFY_TLS``, ``ATLAS_NAMESPACE``;
3. the atlas-ml config file: ``--config PATH``, else ``$ATLAS_ML_CONFIG``, else
   ``<user config dir>/atlas-ml/config.toml`` (``~/.config/atlas-ml/config.toml`` on Linux),
   table ``[atlas]`` with keys ``url``, ``user``, ``password``, ``token``, ``auth``,
   ``ca_bundle``, ``verify_tls``, ``namespace``, ``connect_timeout``, ``read_timeout``,
   ``retries``, ``batch_size``, ``upsert_workers``, ``end_of_job_seconds``, the recording
   switches ``lowercase_paths`` and ``infer_copies``, and for delivery through Kafka
   ``transport`` (``rest`` or ``kafka``), ``kafka_bootstrap_servers``, ``kafka_topic``,
   ``notification_max_bytes``, ``kafka_visible_seconds``;
4. credentials only: ``~/.netrc`` (or ``$NETRC``) entry for the server's host;
5. ``atlas-application.properties`` from ``$ATLAS_CONF`` (the directory Atlas hooks use) or
   an explicit path: ``atlas.rest.address`` (first of a comma-separated HA list),
   ``atlas.metadata.namespace`` (falling back to the older ``atlas.cluster.name``) and
   ``atlas.authentication.method.kerberos=true`` (auth ``kerberos``, as Atlas's own client
   does; user/password given by a higher layer still mean basic),
   ``atlas.hook.hive.hdfs_path.convert_to_lowercase`` (``lowercase_paths``: path names
   lower-cased as Atlas's Hive hook then names them), and for the Kafka transport
   ``atlas.kafka.bootstrap.servers``, the ``atlas.kafka.*`` client security settings
   (``security.protocol``, ``sasl.*``, ``ssl.*``) and
   ``atlas.notification.message.max.length.bytes``, as Atlas's hooks read them;
6. defaults: ``http://127.0.0.1:21000``, namespace ``primary`` (Atlas's own default).

A config file named by ``--config`` or ``$ATLAS_ML_CONFIG`` must exist and be UTF-8 TOML;
only the default file is optional.

TLS: ``ca_bundle`` (a PEM file that must exist) and ``verify_tls`` win over requests' own
``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE``, which apply only when atlas-ml has neither.

A URL with user info (``http://user:password@host:21000``, percent-encoded) is split: the user
and password go where ``username``/``password`` go, with the URL's precedence, and the URL
keeps only scheme, host, port and path. When a user or password is named on its own by the
same or a higher layer, those win and the URL's user info is dropped. So the URL never holds
a secret and can appear in every message.

Default credentials: ``admin``/``admin`` is used ONLY when neither a user nor a password was
given and the URL points at a loopback host, because that is the local development server
``atlas-ml server start`` runs. A remote Atlas never gets guessed credentials: it gets none,
and a 401 then explains how to provide them. A password without a user is an error rather
than being dropped in favour of the default.

Credentials are kept out of ``repr`` and are never logged.
"""

from __future__ import annotations

import logging
import netrc
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import unquote, urlsplit, urlunsplit

from platformdirs import user_config_dir

from atlas_ml.errors import ConfigError as ConfigError  # raised here; importable from here

if TYPE_CHECKING:
    from typing_extensions import Unpack

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

log = logging.getLogger("atlas_ml.config")

DEFAULT_URL = "http://127.0.0.1:21000"
DEFAULT_NAMESPACE = "primary"
LOCAL_DEV_CREDENTIALS = ("admin", "admin")
AUTH_METHODS = ("basic", "bearer", "kerberos", "none")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_USERINFO = re.compile(r"^([^/?#]*://)?[^/?#]*@")
_URL_USERINFO = "user info in the URL"
_LOCAL_DEFAULT = "default (local dev server)"
_ENV_NAMES = {
    "ATLAS_URL": "url",
    "ATLAS_USER": "username",
    "ATLAS_PASSWORD": "password",
    "ATLAS_TOKEN": "token",
    "ATLAS_AUTH": "auth",
    "ATLAS_CA_BUNDLE": "ca_bundle",
    "ATLAS_VERIFY_TLS": "verify_tls",
    "ATLAS_NAMESPACE": "namespace",
    "ATLAS_ML_TRANSPORT": "transport",
    "ATLAS_KAFKA_BOOTSTRAP_SERVERS": "kafka_bootstrap_servers",
}
_FILE_KEYS = {"username": "user"}
_CLI_OPTIONS = {
    "url": "--url",
    "username": "--user",
    "password": "--password",
    "token": "--token",
    "auth": "--auth",
}
_TEXT_SETTINGS = (
    *("url", "username", "password", "token", "auth", "ca_bundle", "namespace"),
    *("transport", "kafka_bootstrap_servers", "kafka_topic"),
)
_SECRET_SETTINGS = ("password", "token")
_FLOAT_SETTINGS = (
    *("connect_timeout", "read_timeout", "backoff_factor", "end_of_job_seconds"),
    "kafka_visible_seconds",
)
_INT_SETTINGS = ("retries", "batch_size", "upsert_workers", "notification_max_bytes")
_BOOL_SETTINGS = ("verify_tls", "lowercase_paths", "infer_copies")
LOWERCASE_PATHS_PROPERTY = "atlas.hook.hive.hdfs_path.convert_to_lowercase"
TRANSPORTS = ("rest", "kafka")
_KAFKA_CLIENT_KEYS = re.compile(r"(security\.protocol|sasl\..+|ssl\..+|client\.id)")
"""``atlas.kafka.*`` settings that are Kafka client (security) settings librdkafka shares with
the Java client; the others (group ids, ZooKeeper, the embedded broker) are Atlas's own."""


class ConfigOverrides(TypedDict, total=False):
    """Settings :func:`load_config` takes as keywords beyond the connection's basics (the
    :class:`AtlasConfig` fields); text (``"30"``, ``"false"``) is read as a file's would be."""

    verify_tls: bool | str
    ca_bundle: str
    namespace: str
    connect_timeout: float | str
    read_timeout: float | str
    retries: int | str
    backoff_factor: float | str
    batch_size: int | str
    upsert_workers: int | str
    end_of_job_seconds: float | str
    lowercase_paths: bool | str
    infer_copies: bool | str


class ConfigSettings(ConfigOverrides, total=False):
    """Every keyword of :func:`load_config` (what :meth:`AtlasClient.from_settings
    <atlas_ml.client.AtlasClient.from_settings>` passes on)."""

    url: str | None
    username: str | None
    password: str | None
    token: str | None
    auth: str | None
    config_file: str | Path | None
    properties_file: str | Path | None
    env: Mapping[str, str] | None


@dataclass(frozen=True)
class AtlasConfig:
    """Everything the client needs to talk to one Atlas server."""

    url: str = DEFAULT_URL
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    auth: str = "basic"
    verify_tls: bool = True
    ca_bundle: str | None = None
    namespace: str = DEFAULT_NAMESPACE
    connect_timeout: float = 5.0
    read_timeout: float = 120.0
    retries: int = 3
    backoff_factor: float = 0.5
    batch_size: int = 100
    """Entities per bulk request: Atlas 2.1 slows down per entity as a request grows
    (measured: 1000 per request is about half as fast as 100, see benchmarks/README.md)."""
    upsert_workers: int = 2
    """Bulk-upsert requests in flight at once; 1 sends batches strictly one after another.
    Two keep both cores of a small Atlas busy; more did not help in the measurements."""
    end_of_job_seconds: float = 30.0
    """How long delivery at the end of a training run or PySpark job may hold that job up;
    what it has not sent by then stays in the spool for ``atlas-ml push``. A local Atlas
    takes about 12 Spark events a second, so 30 s covers a job of some 350 writes."""
    transport: str = "rest"
    """How entities reach Atlas: ``rest`` (bulk upserts) or ``kafka`` (hook notifications on
    ``kafka_topic``, as Atlas's own hooks deliver; see :mod:`atlas_ml.delivery.kafka`)."""
    kafka_bootstrap_servers: str | None = None
    kafka_topic: str = "ATLAS_HOOK"
    kafka_settings: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Kafka client settings from ``atlas.kafka.*`` (security protocol, SASL, SSL)."""
    notification_max_bytes: int = 1_000_000
    """Largest notification Atlas accepts (``atlas.notification.message.max.length.bytes``);
    larger ones are compressed and split as Atlas's hooks do."""
    kafka_visible_seconds: float = 120.0
    """How long push waits for Atlas to apply what it published before keeping the event."""
    lowercase_paths: bool = False
    """Name ``hdfs_path`` entities by their lower-cased path, as Atlas's Hive hook does when
    ``atlas.hook.hive.hdfs_path.convert_to_lowercase=true``; by default a path keeps its case,
    so ``/data/Up/x.csv`` and ``/data/up/x.csv`` stay two entities (see
    :mod:`atlas_ml.naming.case`)."""
    infer_copies: bool = True
    """At delivery, link a dataset version whose bytes equal a classified one already in
    Atlas with an inferred COPY step (see :mod:`atlas_ml.delivery.copies`)."""
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.auth not in AUTH_METHODS:
            raise ConfigError(
                f"unknown auth method {self.auth!r} (from {setting_origin('auth', self.sources)}):"
                f" use one of {', '.join(AUTH_METHODS)}"
            )
        if not isinstance(self.url, str):
            raise ConfigError(
                f"Atlas URL (from {setting_origin('url', self.sources)}) must be text, "
                f"got {self.url!r}"
            )
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(
                f"Atlas URL {_redact_userinfo(self.url)!r} (from "
                f"{setting_origin('url', self.sources)}) must start with http:// or https:// "
                "(e.g. http://atlas-host:21000)"
            )
        # Built directly (not by load_config): credentials named as fields win over the URL's.
        url, user, password = _split_userinfo(self.url)
        if url != self.url:
            object.__setattr__(self, "url", url)
            if self.username is None and self.password is None:
                object.__setattr__(self, "username", user)
                object.__setattr__(self, "password", password)
        if self.ca_bundle and not os.path.exists(self.ca_bundle):
            raise ConfigError(
                f"CA bundle {self.ca_bundle} (from {setting_origin('ca_bundle', self.sources)}) "
                "does not exist: name the PEM file of the CA that signed Atlas's certificate"
            )
        if self.transport not in TRANSPORTS:
            raise ConfigError(
                f"unknown transport {self.transport!r} (from "
                f"{setting_origin('transport', self.sources)}): use one of {', '.join(TRANSPORTS)}"
            )
        if self.batch_size < 1:
            raise ConfigError(
                f"batch_size (from {setting_origin('batch_size', self.sources)}) must be at "
                f"least 1, got {self.batch_size}"
            )
        if self.upsert_workers < 1:
            raise ConfigError(
                f"upsert_workers (from {setting_origin('upsert_workers', self.sources)}) must be "
                f"at least 1 (1 = one request at a time), got {self.upsert_workers}"
            )

    @property
    def verify(self) -> bool | str:
        """The value for ``requests``' ``verify``: a CA bundle path, or on/off."""
        if self.ca_bundle:
            return self.ca_bundle
        return self.verify_tls

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @property
    def is_local(self) -> bool:
        return (urlsplit(self.url).hostname or "") in _LOOPBACK_HOSTS


def setting_origin(name: str, sources: Mapping[str, str]) -> str:
    """Where setting ``name`` came from, as the user wrote it (``ATLAS_USER``, ``--user``, ...).

    Error messages name it so that the user knows which of the many sources to fix.
    """
    source = sources.get(name)
    if source == "environment":
        return next(env for env, key in _ENV_NAMES.items() if key == name)
    if source == "config file":
        return f"{_FILE_KEYS.get(name, name)} in the atlas-ml config file"
    if source == "netrc":
        return os.environ.get("NETRC") or "~/.netrc"
    if source == "arguments":
        return _CLI_OPTIONS.get(name, f"the {name} argument")
    if source is None:
        return f"the {name} given to AtlasConfig"
    if source == _LOCAL_DEFAULT:
        return "the local dev server's default"
    return source


def _split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without ``user:password@``, and that user and password percent-decoded.

    User or password are ``None`` when the URL does not name them (an empty user counts as
    none). A URL without user info comes back unchanged.
    """
    if "@" not in url:
        return url, None, None
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ConfigError(f"Atlas URL {_redact_userinfo(url)!r} is malformed: {exc}") from exc
    if "@" not in parts.netloc:
        return url, None, None
    bare = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return bare, user, password


def _redact_userinfo(url: str) -> str:
    """``url`` with anything that looks like user info masked, for error messages."""
    return _USERINFO.sub(r"\1***@", url)


def default_config_file(env: Mapping[str, str] | None = None) -> Path:
    """The atlas-ml config file consulted when none is named."""
    named = (os.environ if env is None else env).get("ATLAS_ML_CONFIG")
    if named:
        return Path(named).expanduser()
    return Path(user_config_dir("atlas-ml", appauthor=False)) / "config.toml"


def read_properties(path: Path) -> dict[str, str]:
    """Parse a Java ``.properties`` file (comments, ``=``/``:`` separators, continuations)."""
    result: dict[str, str] = {}
    pending = ""
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = pending + raw.strip()
        pending = ""
        if not line or line[0] in "#!":
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending = line[:-1]
            continue
        key, value = _split_property(line)
        result[key] = value
    return result


def _split_property(line: str) -> tuple[str, str]:
    for index, char in enumerate(line):
        if char in "=:" and (index == 0 or line[index - 1] != "\\"):
            return line[:index].strip(), line[index + 1 :].strip()
    parts = line.split(None, 1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def _properties_settings(path: Path | None, env: Mapping[str, str]) -> dict[str, Any]:
    if path is None:
        conf_dir = env.get("ATLAS_CONF")
        if not conf_dir:
            return {}
        path = Path(conf_dir) / "atlas-application.properties"
        if not path.is_file():
            return {}
    elif not path.is_file():
        raise ConfigError(f"atlas-application.properties not found at {path}")
    props = read_properties(path)
    settings: dict[str, Any] = {}
    if props.get("atlas.authentication.method.kerberos", "").strip().lower() == "true":
        settings["auth"] = "kerberos"
    address = props.get("atlas.rest.address", "").split(",")[0].strip()
    if address:
        settings["url"] = address
    namespace = props.get("atlas.metadata.namespace") or props.get("atlas.cluster.name")
    if namespace:
        settings["namespace"] = namespace
    if props.get("atlas.kafka.bootstrap.servers"):
        settings["kafka_bootstrap_servers"] = props["atlas.kafka.bootstrap.servers"]
    kafka = {
        key.removeprefix("atlas.kafka."): value
        for key, value in props.items()
        if key.startswith("atlas.kafka.") and _KAFKA_CLIENT_KEYS.fullmatch(key[12:])
    }
    if kafka:
        settings["kafka_settings"] = kafka
    if props.get("atlas.notification.message.max.length.bytes"):
        settings["notification_max_bytes"] = props["atlas.notification.message.max.length.bytes"]
    if props.get(LOWERCASE_PATHS_PROPERTY, "").strip():
        settings["lowercase_paths"] = props[LOWERCASE_PATHS_PROPERTY].strip()
    return settings


def _file_settings(path: Path | None, env: Mapping[str, str]) -> dict[str, Any]:
    """The ``[atlas]`` table; a file named by ``--config`` or ``$ATLAS_ML_CONFIG`` must exist.

    Only the default file may be missing: a named one that is absent is a typo or a broken
    deployment, and silently running with other settings would hide it.
    """
    named_by = ""
    if path is None and env.get("ATLAS_ML_CONFIG"):
        named_by = " (named by ATLAS_ML_CONFIG)"
        path = default_config_file(env)
    elif path is None:
        path = default_config_file(env)
        if not path.is_file():
            return {}
    if not path.exists():
        raise ConfigError(f"config file {path}{named_by} does not exist")
    if not path.is_file():
        raise ConfigError(f"config file {path}{named_by} is not a file")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"config file {path}{named_by} cannot be read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path}{named_by} is not UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    table = data.get("atlas", {})
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: [atlas] must be a table")
    renamed = {key: name for name, key in _FILE_KEYS.items()}
    known = {f.name for f in fields(AtlasConfig)} - {"sources"} | set(renamed)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"config file {path}: unknown key(s) in [atlas]: {', '.join(unknown)}")
    settings = {renamed.get(str(key), str(key)): value for key, value in table.items()}
    for name, value in settings.items():
        problem = _wrong_toml_type(name, value)
        if problem:
            shown = "" if name in _SECRET_SETTINGS else f", got {value!r}"
            raise ConfigError(
                f"config file {path}: {_FILE_KEYS.get(name, name)} must be {problem}{shown}"
            )
        _coerce(name, value, f"config file {path}")  # a value it cannot take names the file
    return settings


def _wrong_toml_type(name: str, value: Any) -> str | None:
    """What ``value`` should have been, when TOML gave a type the setting cannot take.

    Numbers in quotes are accepted (``_coerce`` parses them, as it does for the environment);
    ``url = 21000`` or ``retries = true`` are mistakes that would otherwise surface as a
    traceback or a silently wrong value far from the file.
    """
    if name in _TEXT_SETTINGS and not isinstance(value, str):
        return "text in quotes"
    if name in _BOOL_SETTINGS and not isinstance(value, (bool, str)):
        return "true or false"
    if name in _FLOAT_SETTINGS + _INT_SETTINGS and (
        isinstance(value, bool) or not isinstance(value, (int, float, str))
    ):
        return "an integer" if name in _INT_SETTINGS else "a number"
    return None


def _env_settings(env: Mapping[str, str]) -> dict[str, Any]:
    return {key: env[name] for name, key in _ENV_NAMES.items() if env.get(name)}


def _netrc_credentials(url: str) -> tuple[str, str] | None:
    """The netrc login for ``url``'s host; a file that cannot be used is skipped with a warning.

    Skipping silently would leave the user puzzling over a 401 (or the local default user)
    while the credentials they wrote sit in the file. The warning gives the line and the kind
    of mistake but never the offending token: it may be a password.
    """
    path = os.environ.get("NETRC") or str(Path.home() / ".netrc")
    if not Path(path).is_file():
        return None
    try:
        entry = netrc.netrc(path).authenticators(urlsplit(url).hostname or "")
    except netrc.NetrcParseError as exc:
        mistake = re.sub(r" token .*", " token", exc.msg)
        log.warning("ignoring %s: cannot parse line %s (%s)", path, exc.lineno, mistake)
        return None
    except UnicodeDecodeError:
        log.warning("ignoring %s: it is not UTF-8 text", path)
        return None
    except OSError as exc:
        log.warning("ignoring %s: cannot read it (%s)", path, exc.strerror)
        return None
    if entry is None or not entry[0]:
        return None
    return entry[0], entry[2] or ""


def _coerce(name: str, value: Any, source: str) -> Any:
    if name in _BOOL_SETTINGS and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{source}: {name} must be true or false, got {value!r}")
    if name in _FLOAT_SETTINGS:
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: {name} must be a number, got {value!r}") from exc
    if name in _INT_SETTINGS:
        if isinstance(value, float) and not value.is_integer():
            raise ConfigError(f"{source}: {name} must be an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: {name} must be an integer, got {value!r}") from exc
    if name == "url" and isinstance(value, str):
        return value.rstrip("/")
    return value


def load_config(
    *,
    url: str | None = None,
    username: str | None = None,
    password: str | None = None,
    token: str | None = None,
    auth: str | None = None,
    config_file: str | Path | None = None,
    properties_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Unpack[ConfigOverrides],
) -> AtlasConfig:
    """Resolve an :class:`AtlasConfig` from every source, in the documented precedence."""
    env = os.environ if env is None else env
    explicit: dict[str, Any] = {
        key: value
        for key, value in {
            "url": url,
            "username": username,
            "password": password,
            "token": token,
            "auth": auth,
            **overrides,
        }.items()
        if value is not None
    }
    layers = [
        ("arguments", explicit),
        ("environment", _env_settings(env)),
        ("config file", _file_settings(Path(config_file) if config_file else None, env)),
        (
            "atlas-application.properties",
            _properties_settings(Path(properties_file) if properties_file else None, env),
        ),
    ]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for source, layer in reversed(layers):
        for key, value in layer.items():
            values[key] = _coerce(key, value, source)
            sources[key] = source
    _move_url_userinfo(values, sources, [name for name, _ in layers])
    config = replace(AtlasConfig(), **values, sources=sources)
    return _with_credentials(config, dict(sources), env)


def _move_url_userinfo(values: dict[str, Any], sources: dict[str, str], order: list[str]) -> None:
    """Take ``user:password@`` out of the resolved URL into username/password, in place.

    The user info ranks like the layer that gave the URL: a user or password named by the same
    or a higher layer wins and the user info is dropped. A lower layer's password that came
    with a lower layer's user is dropped with that user, so it is never sent as another user's.
    """
    url = values.get("url")
    if not isinstance(url, str):
        return
    bare, user, password = _split_userinfo(url)
    if bare == url:
        return
    values["url"] = bare
    rank = order.index(sources["url"])
    if any(
        key in sources and sources[key] in order and order.index(sources[key]) <= rank
        for key in ("username", "password")
    ):
        return
    if user is not None:
        if password is None and sources.get("password") == sources.get("username", ""):
            values.pop("password", None)
            sources.pop("password", None)
        values["username"] = user
        sources["username"] = _URL_USERINFO
    if password is not None:
        values["password"] = password
        sources["password"] = _URL_USERINFO


def _with_credentials(
    config: AtlasConfig, sources: dict[str, str], env: Mapping[str, str]
) -> AtlasConfig:
    """Fill in auth method and credentials that no layer set explicitly."""
    changes: dict[str, Any] = {}
    # Kerberos switched on by the cluster's atlas-application.properties yields to credentials
    # the user named explicitly (a token, or a user for basic auth).
    auth_from_cluster = sources.get("auth") == "atlas-application.properties"
    if ("auth" not in sources or auth_from_cluster) and config.token:
        changes["auth"] = "bearer"
    elif auth_from_cluster and "username" in sources:
        changes["auth"] = "basic"
    if (changes.get("auth") or config.auth) == "basic" and not config.username:
        found = _netrc_credentials(config.url)
        if config.password is not None:
            # A password on its own is never swapped for other credentials: it takes the netrc
            # user only when netrc names a full login for the host, else the user must say who.
            if not (found and found[1]):
                raise ConfigError(
                    f"a password was given (from {setting_origin('password', sources)}) "
                    "but no user: set --user or ATLAS_USER (or user in the config file)"
                )
            changes["username"] = found[0]
            sources["username"] = "netrc"
        elif found:
            changes["username"], changes["password"] = found
            sources["username"] = sources["password"] = "netrc"
        elif config.is_local:
            changes["username"], changes["password"] = LOCAL_DEV_CREDENTIALS
            sources["username"] = sources["password"] = _LOCAL_DEFAULT
    if not changes:
        return config
    return replace(config, **changes, sources=sources)
