"""``atlas-ml typedefs``: list, diff, install and uninstall the project's Atlas types."""

from __future__ import annotations

from pathlib import Path

import click

from atlas_ml.cli.options import AtlasUnreadable, atlas_options
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.typedefs import (
    TypedefError,
    TypedefPlan,
    TypeSet,
    install,
    load_typeset,
    plan,
    plan_install,
    server_typeset,
    uninstall,
)

_typedefs_dir = click.option(
    "--typedefs-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of type definition JSON files (default: the ones shipped with atlas-ml).",
)
_dry_run = click.option(
    "--dry-run", is_flag=True, help="Show what would change; send nothing to Atlas."
)


def _load(directory: Path | None) -> TypeSet:
    try:
        return load_typeset(directory)
    except (TypedefError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def command() -> None:
    """Manage atlas-ml's type definitions on an Atlas server.

    The types live in numbered JSON files (typedefs/*.json) with upgrades in
    typedefs/patches/. `install` is idempotent: it creates what is missing, updates what
    changed, and refuses changes Atlas cannot apply before sending anything.
    """


@command.command("list")
@_typedefs_dir
@atlas_options
def list_types(client: AtlasClient, typedefs_dir: Path | None) -> None:
    """List the project's types: installed or not, versions, and whether the content differs.

    A type can differ from its local definition at the same typeVersion (an edited base file);
    `diff` shows how.
    """
    types = _load(typedefs_dir)
    try:
        server = server_typeset(client)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc
    result = plan_install(types, server)
    refused = {problem.type_name for problem in result.refused}
    for name, category, typedef in types.items():
        remote = server.defs.get(name)
        state = "missing" if remote is None else f"installed v{remote.get('typeVersion', '?')}"
        local_version = f"local v{typedef.get('typeVersion', '1.0')}"
        if name in refused:
            content = "differs in a way install refuses (see typedefs diff)"
        elif name in result.update:
            content = "differs, update pending (see typedefs diff)"
        else:
            content = ""
        line = f"{category.lower():<18} {name:<40} {state:<16} {local_version:<12} {content}"
        click.echo(line.rstrip())


def _print_plan(result: TypedefPlan, verb: str) -> None:
    for name in result.create:
        click.echo(f"+ {name}")
    for name, changes in result.changes.items():
        click.echo(f"~ {name}")
        for change in changes:
            click.echo(f"    {change}")
    click.echo(
        f"{len(result.create)} {verb}created, {len(result.update)} {verb}updated, "
        f"{len(result.unchanged)} unchanged"
    )


@command.command()
@_typedefs_dir
@atlas_options
def diff(client: AtlasClient, typedefs_dir: Path | None) -> None:
    """Show what `install` would create and change.

    Exit status: 0 when Atlas has the types as defined; 1 when anything differs or the
    definitions are invalid or hold a change install refuses; 2 for an invalid option or
    setting; 3 when Atlas cannot be read (unreachable, refused credentials), so a CI check
    can tell drift from an outage.
    """
    types = _load(typedefs_dir)
    try:
        result = plan(client, types)
    except TypedefError as exc:
        raise click.ClickException(str(exc)) from exc
    except AtlasError as exc:
        raise AtlasUnreadable(str(exc)) from exc
    _print_plan(result, "to be ")
    if not result.is_empty:
        raise SystemExit(1)


@command.command("install")
@_typedefs_dir
@_dry_run
@atlas_options
def install_types(client: AtlasClient, typedefs_dir: Path | None, dry_run: bool) -> None:
    """Create missing types and update changed ones (idempotent).

    Changes Atlas cannot apply (an attribute's type, a new mandatory attribute, a removed
    supertype, relationship ends or category) are refused before anything is sent, and so is
    making an optional attribute mandatory, which existing entities could not satisfy.
    """
    types = _load(typedefs_dir)
    try:
        report = install(client, types, dry_run=dry_run)
    except (TypedefError, AtlasError) as exc:
        raise click.ClickException(str(exc)) from exc
    _print_plan(report.plan, "would be " if dry_run else "")


@command.command("uninstall")
@_typedefs_dir
@_dry_run
@click.option(
    "--force",
    is_flag=True,
    help="Delete AND purge every entity of these types (and remove these classifications "
    "from entities) first. Destroys lineage records; there is no undo.",
)
@atlas_options
def uninstall_types(
    client: AtlasClient, typedefs_dir: Path | None, dry_run: bool, force: bool
) -> None:
    """Remove the project's types from Atlas, dependents first.

    Refuses while entities of the types exist (unless --force) or while other types depend
    on them. Only types installed by atlas-ml (serviceType atlas_ml) are touched.
    """
    types = _load(typedefs_dir)
    try:
        report = uninstall(client, types, force=force, dry_run=dry_run)
    except (TypedefError, AtlasError) as exc:
        raise click.ClickException(str(exc)) from exc
    for name, reason in report.skipped.items():
        click.echo(f"skipped {name}: {reason}")
    for name, count in report.instances.items():
        verb = "would be" if dry_run else "was" if count == 1 else "were"
        if types.categories.get(name) != "CLASSIFICATION":
            click.echo(f"{name}: {_entities(count)} {verb} purged")
            continue
        line = f"{name}: {_entities(count)} tagged with it directly {verb} untagged"
        propagated = report.propagated.get(name)
        if propagated:
            lose = "would lose" if dry_run else "lost"
            line += f"; {_entities(propagated)} that only inherited it by propagation {lose} it too"
        click.echo(line)
    for name in report.deleted:
        click.echo(f"- {name}")
    if dry_run:
        click.echo(f"dry run: {len(report.deleted)} would be deleted; nothing deleted")
        return
    click.echo(f"{len(report.deleted)} deleted, {_entities(report.entities_purged)} purged")


def _entities(count: int) -> str:
    return f"{count} {'entity' if count == 1 else 'entities'}"
