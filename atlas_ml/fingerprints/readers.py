"""Read a dataset's files into one pandas frame, for its logical fingerprint.

The reader reads exactly the files the manifest lists (relative paths under ``root``), so the
two fingerprints of a dataset version always describe the same files: a directory of part
files as Spark, Hive or pandas write them (``out.csv/part-00000-….csv``, ``_SUCCESS``,
``.crc``) is one table, all parts' rows together. Since the logical hash does not depend on
row order, that table fingerprints exactly like the same rows in one file.

- A file's format comes from its suffix, a directory's from its data files' suffixes, which
  must all name one format (or, when none names any, from the directory's own suffix).
- ``.csv``: read by ``pandas.read_csv``. A directory's parts are read as one stream, so
  dtypes are inferred over all rows, as in one file: when every part starts with the same
  line, that line is each part's header and is read once (Spark's ``header=true``).
- ``.jsonl``/``.ndjson``: JSON lines. ``.json``: one JSON document (pandas' default), or
  JSON lines when the file is not one. A directory of ``.json`` parts is JSON lines, the
  only JSON Spark and Hive write.
- ``.parquet``: one Arrow dataset with Hive partition columns (``year=2024/``), as
  ``pandas.read_parquet`` reads a directory.

A layout that cannot be read as one table raises :class:`LayoutError` before any row is
parsed; a file that does not parse raises the reader's own error.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atlas_ml.errors import AtlasMLError

if TYPE_CHECKING:
    import pandas as pd

SUFFIX_FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}
_JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
_BLOCK = 1 << 20


class LayoutError(AtlasMLError, ValueError):
    """The files hold bytes, but not one table these readers can read."""


def dataset_format(root: Path, files: list[str]) -> str | None:
    """``csv``/``parquet``/``json`` for a file or a directory of one format's files, None for
    data of no tabular format (images, text); LayoutError for a directory mixing formats."""
    if root.is_file():
        return SUFFIX_FORMATS.get(root.suffix.lower())
    suffixes = {Path(rel).suffix.lower() for rel in files}
    formats = {SUFFIX_FORMATS.get(suffix) for suffix in suffixes}
    if formats == {None} or not formats:  # Hive names parts 000000_0: ask the directory
        return SUFFIX_FORMATS.get(root.suffix.lower()) if files else None
    if len(formats) > 1:
        raise LayoutError(
            f"the directory mixes files of several formats ({', '.join(sorted(suffixes))}), "
            "so it is not one table"
        )
    return formats.pop()


def read_frame(root: Path, files: list[str], data_format: str) -> pd.DataFrame:
    """The rows of ``files`` (paths relative to ``root``, or ``root`` itself if a file)."""
    if root.is_file():
        return _read_file(root, data_format)
    paths = [root / rel for rel in sorted(files)]
    if data_format == "parquet":
        return _read_parquet_parts(root, paths)
    if data_format == "csv":
        import pandas as pd

        return pd.read_csv(io.BufferedReader(_Concatenated(_csv_blocks(paths))))
    return _read_json_lines(io.BufferedReader(_Concatenated(_line_blocks(paths))))


def _read_file(path: Path, data_format: str) -> pd.DataFrame:
    import pandas as pd

    if data_format == "csv":
        return pd.read_csv(path)
    if data_format == "parquet":
        return pd.read_parquet(path)
    if path.suffix.lower() in _JSON_LINES_SUFFIXES:
        return pd.read_json(path, lines=True)
    try:
        return pd.read_json(path)
    except ValueError:  # "Trailing data" and the like: one JSON object per line
        return pd.read_json(path, lines=True)


def _read_json_lines(stream: io.BufferedReader) -> pd.DataFrame:
    import pandas as pd

    return pd.read_json(io.TextIOWrapper(stream, encoding="utf-8"), lines=True)


def _read_parquet_parts(root: Path, paths: list[Path]) -> pd.DataFrame:
    """What ``pandas.read_parquet(root)`` gives, from the listed files only: Hive partitions
    discovered below ``root`` and dictionary-encoded, as ``pyarrow.parquet`` does."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(
        [str(path) for path in paths],
        format="parquet",
        partitioning=ds.HivePartitioning.discover(infer_dictionary=True),
        partition_base_dir=str(root),
    )
    return dataset.to_table().to_pandas()


def _csv_blocks(paths: list[Path]) -> Iterator[bytes]:
    """The parts' bytes as one CSV: a header line every part starts with is kept once.

    Checked before any row is read, so that a LayoutError is not raised inside pandas."""
    parts = [path for path in paths if path.stat().st_size]
    if len(parts) > 1 and len({_first_line(path) for path in parts}) > 1:
        raise LayoutError(
            "the CSV part files do not all start with one header line, so their columns "
            "cannot be named (Spark writes a header into every part only with header=true)"
        )
    return _line_blocks(parts, skip_first_line=len(parts) > 1)


def _line_blocks(paths: list[Path], skip_first_line: bool = False) -> Iterator[bytes]:
    """Each file's bytes in turn, each ending with a newline; the first file whole, later
    ones without their first line if ``skip_first_line``."""
    for index, path in enumerate(paths):
        with open(path, "rb") as handle:
            if skip_first_line and index:
                handle.readline()
            last = b"\n"
            while block := handle.read(_BLOCK):
                last = block[-1:]
                yield block
            if last != b"\n":
                yield b"\n"


def _first_line(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.readline().rstrip(b"\r\n")


class _Concatenated(io.RawIOBase):
    """A read-only stream over byte blocks produced one at a time (no copy of the whole)."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._pending = memoryview(block)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count
