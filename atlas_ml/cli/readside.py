"""What ``audit``, ``trace`` and ``explain`` share: their exit codes for bad input and for an
Atlas that cannot be read, and the progress display of the provenance graph's reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import Progress, TaskID

from atlas_ml.cli.options import AtlasUnreadable
from atlas_ml.cli.output import progress_bar
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.errors import QueryError, TargetNotFound
from atlas_ml.lineage import TypesNotInstalled
from atlas_ml.provenance.graph import Progress as ProgressCallback


class BadInput(click.ClickException):
    """The question cannot be answered as asked (unknown classification or team, an empty
    window, a target not in Atlas): exit 2, one line naming the fix."""

    exit_code = 2


@contextmanager
def read_side_errors(client: AtlasClient) -> Iterator[None]:
    """Turn the read side's errors into one line and the exit code (2 bad input, 3 Atlas)."""
    try:
        yield
    except (QueryError, TargetNotFound) as exc:
        raise BadInput(str(exc)) from exc
    except TypesNotInstalled as exc:
        raise AtlasUnreadable(str(exc)) from exc
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot read from Atlas at {client.config.url}: {exc}") from exc


@contextmanager
def graph_progress() -> Iterator[ProgressCallback]:
    """A progress callback for the provenance graph: one bar per stage, on stderr, only on
    a terminal."""
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            task = tasks.get(stage)
            if task is None:
                task = tasks[stage] = bar.add_task(stage, total=total)
            bar.update(task, completed=done, total=total)

        yield update


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output``, or to stdout without one."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror or exc}") from exc


__all__ = ["BadInput", "Progress", "graph_progress", "read_side_errors", "write_output"]
