"""The Atlas client: one connection pool, endpoint groups as attributes."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from atlas_ml.client.admin import AdminAPI
from atlas_ml.client.entities import EntitiesAPI
from atlas_ml.client.lineage import LineageAPI
from atlas_ml.client.relationships import RelationshipsAPI
from atlas_ml.client.search import SearchAPI
from atlas_ml.client.transport import Transport
from atlas_ml.client.typedefs import TypedefsAPI
from atlas_ml.config import AtlasConfig, ConfigSettings, load_config

if TYPE_CHECKING:
    from typing_extensions import Unpack


class AtlasClient:
    """Atlas REST v2, grouped: ``typedefs``, ``entities``, ``relationships``, ``lineage``,
    ``search`` and ``admin``.

    Build it from an :class:`AtlasConfig`, or with :meth:`from_settings` to resolve the
    configuration from arguments, environment and config files.
    """

    def __init__(self, config: AtlasConfig | None = None) -> None:
        self.config = config or load_config()
        self.transport = Transport(self.config)
        self.typedefs = TypedefsAPI(self.transport)
        self.entities = EntitiesAPI(self.transport, batch_size=self.config.batch_size)
        self.relationships = RelationshipsAPI(self.transport)
        self.lineage = LineageAPI(self.transport)
        self.search = SearchAPI(self.transport)
        self.admin = AdminAPI(self.transport)

    @classmethod
    def from_settings(cls, **settings: Unpack[ConfigSettings]) -> AtlasClient:
        """``load_config(**settings)`` then a client (see :mod:`atlas_ml.config`)."""
        return cls(load_config(**settings))

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> AtlasClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AtlasClient(url={self.config.url!r}, auth={self.config.auth!r})"
