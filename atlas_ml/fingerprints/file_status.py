"""What a file system says about a path, as Atlas's ``hdfs_path`` records it.

Atlas's HDFS model (``fs_path``/``hdfs_path`` in the stock ``1020-fs_model.json``) mirrors
Hadoop's ``FileStatus``: ``isFile``, ``fileSize`` (the length of a file), ``modifiedTime``,
``numberOfReplicas``. Without them Atlas shows every path as a folder of 0 bytes. A folder's
length is not its content's size in Hadoop's model, so a folder gets ``isFile=false`` and no
``fileSize``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FileStatus:
    """A path's kind, length, modification time and (on HDFS) replication, when known."""

    is_file: bool
    size: int | None = None
    modified: str | None = None
    """ISO-8601 UTC with milliseconds, as events carry times."""
    replicas: int | None = None

    def fields(self) -> dict[str, Any]:
        """The ``atlasml_fileStatus`` facet's fields (unknown ones left out)."""
        values = {
            "isFile": self.is_file,
            "fileSize": self.size if self.is_file else None,
            "modifiedTime": self.modified,
            "numberOfReplicas": self.replicas,
        }
        return {key: value for key, value in values.items() if value is not None}


def local_file_status(path: str | os.PathLike[str]) -> FileStatus:
    """The status of a local file or folder (symbolic links followed, as readers do)."""
    st = Path(path).stat()
    modified = datetime.fromtimestamp(st.st_mtime, timezone.utc)
    return FileStatus(
        is_file=Path(path).is_file(),
        size=st.st_size,
        modified=modified.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    )
