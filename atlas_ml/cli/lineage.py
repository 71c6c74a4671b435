"""``atlas-ml lineage``: show where an entity's data came from, as a tree."""

from __future__ import annotations

import click

from atlas_ml.cli.options import AtlasUnreadable, atlas_options
from atlas_ml.cli.output import print_lineage
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.lineage import (
    BadDigest,
    SameContent,
    TargetNotFound,
    TypesNotInstalled,
    read_lineage,
)


@click.command("lineage")
@click.argument("target")
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="How many dataset hops to walk.",
)
@click.option(
    "--downstream",
    is_flag=True,
    help="Show what was made from TARGET instead: every step, dataset version, training run "
    "and model version downstream of it (e.g. which models a raw file trained).",
)
@atlas_options
def command(target: str, depth: int, downstream: bool, client: AtlasClient) -> None:
    """Print the upstream lineage of TARGET back to the raw data, and its Atlas UI address.

    TARGET is the guid, qualifiedName or name (as the tree prints it, e.g.
    titanic-survival@b42e7c4dc44f) of a model version, dataset version, training run,
    path, ..., or the location of data: a local path, a file: URI or a URI such as
    hdfs://nn:8020/data/x, named as Atlas's hooks name it in the configured namespace. The
    path a model was saved to gives the model version whose bytes are there.
    sha256:<hex> (as sha256sum prints it) gives the dataset version that is that one file,
    or the model version with those bytes; when several have them, each is listed with the
    model versions made from it. Where several
    nodes share a name (a Spark job's daily runs), the tree adds each one's qualifiedName in
    parentheses: that is the target for one of them.

    The tree also shows the processes Atlas's lineage API leaves out: upstream, writes of
    data made in memory (a Spark job with no input); --downstream, the training runs and
    steps that read the data but wrote nothing (failed runs, runs that logged no model).

    Exit status: 0 when the tree is printed; 1 when TARGET is not in Atlas; 2 for an invalid
    option or setting; 3 when Atlas cannot be read (unreachable, refused credentials).
    """
    try:
        lineage = read_lineage(client, target, depth=depth, downstream=downstream)
    except BadDigest as exc:
        raise click.BadParameter(str(exc), param_hint="TARGET") from exc
    except SameContent as exc:
        click.echo(str(exc))  # the answer to "who has these bytes": each, with its models
        return
    except (TargetNotFound, TypesNotInstalled) as exc:
        raise click.ClickException(str(exc)) from exc
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot read from Atlas at {client.config.url}: {exc}") from exc
    print_lineage(lineage)
