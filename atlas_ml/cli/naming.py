"""``atlas-ml naming explain``: which naming rule a path's qualifiedName follows."""

from __future__ import annotations

import click

from atlas_ml.cli.options import AtlasUnreadable, atlas_options
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.lineage.names import NameInAtlas, explain_name


@click.group("naming")
def command() -> None:
    """How atlas-ml names what it records in Atlas."""


@command.command("explain")
@click.argument("target")
@atlas_options
def explain(target: str, client: AtlasClient) -> None:
    """Say which rule names TARGET and which of its names Atlas holds.

    TARGET is a path, a URI (hdfs://nn:8020/data/x), or a qualifiedName of a path or a
    dataset version. Paths keep their case (/data/Up/x.csv and /data/up/x.csv are two
    hdfs_path entities) unless atlas.hook.hive.hdfs_path.convert_to_lowercase=true in
    atlas-application.properties (or lowercase_paths = true in the atlas-ml config), as
    Atlas's Hive hook names them; object-store paths always keep their case. atlas-ml up to
    0.1.0 lower-cased every path: that earlier name is shown too, with whether Atlas still
    has it.

    \b
    Example:
      atlas-ml naming explain /data/Up/x.csv

    Exit status: 0 when the explanation is printed; 2 for an invalid option or setting;
    3 when Atlas cannot be read.
    """
    try:
        found = explain_name(client, target)
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot read from Atlas at {client.config.url}: {exc}") from exc
    rows = [
        ("target", found.target),
        ("entity type", found.type_name),
        ("qualifiedName", found.current.qualified_name),
        ("rule", found.rule),
        ("setting", found.setting),
        ("in Atlas", _presence(found.current)),
    ]
    if found.legacy is not None:
        rows += [
            ("earlier name", f"{found.legacy.qualified_name} (atlas-ml up to 0.1.0)"),
            ("in Atlas", _presence(found.legacy)),
        ]
    if found.note:
        rows.append(("note", found.note))
    for label, value in rows:
        click.echo(f"{label + ':':<15}{value}")


def _presence(name: NameInAtlas) -> str:
    if name.guid is None:
        return "no"
    tags = f", classified {', '.join(name.classifications)}" if name.classifications else ""
    return f"yes, guid {name.guid}{tags}"
