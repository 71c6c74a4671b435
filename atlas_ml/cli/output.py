"""Where the CLI prints: lineage trees and the one progress display every command uses."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.tree import Tree

from atlas_ml.lineage import Lineage
from atlas_ml.reports import lineage_tree

_UNWRAPPED = 10_000


def print_tree(tree: Tree) -> None:
    """Print ``tree`` wrapped to the terminal, or in full lines into a file or pipe.

    Rich lays out a non-terminal as 80 columns and would wrap or cut deep nodes there, which
    breaks names and drops the classifications at the end of a line.
    """
    console = Console()
    if not console.is_terminal:
        console = Console(width=_UNWRAPPED)
    console.print(tree)


def print_lineage(lineage: Lineage) -> None:
    """The lineage tree, then the root's address in the Atlas UI."""
    print_tree(lineage_tree(lineage))
    print(f"Atlas UI: {lineage.ui_url}")


def progress_bar(total_known: bool = True) -> Progress:
    """A progress display on stderr, only on a terminal (piped output stays the result
    alone), cleared when done; ``total_known=False`` for a spinner without a bar."""
    err = Console(stderr=True)
    columns = [SpinnerColumn(), TextColumn("[progress.description]{task.description}")]
    if total_known:
        columns += [BarColumn(), MofNCompleteColumn()]
    return Progress(*columns, console=err, transient=True, disable=not err.is_terminal)
