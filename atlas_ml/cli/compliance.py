"""``atlas-ml compliance``: set and show a model's compliance facts after training.

The approval of a model usually comes after it was trained, from someone who did not run the
training; these commands record it in the ``atlasml_compliance`` business metadata of the
model or model version in Atlas, where an audit reads it.
"""

from __future__ import annotations

import json
from typing import Any

import click

from atlas_ml.cli.options import AtlasUnreadable, atlas_options
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.compliance import (
    APPLICABLE_TYPES,
    RISK_CATEGORIES,
    ComplianceError,
    approval_date,
    read_compliance,
    set_compliance,
)
from atlas_ml.lineage import TargetNotFound, TypesNotInstalled, resolve_target
from atlas_ml.typedefs.names import MODEL_TYPE, MODEL_VERSION_TYPE


class _BadFact(click.ClickException):
    """A fact Atlas cannot hold (exit 2, like a usage error)."""

    exit_code = 2


@click.group("compliance")
def command() -> None:
    """Compliance facts of models: intended purpose, risk category, approver, approval date.

    They are kept in Atlas business metadata (atlasml_compliance) on the model and its
    versions. Set them while training with training_run(..., compliance={...}) or
    run.log_model(..., compliance={...}), or afterwards with 'atlas-ml compliance set'.
    """


@command.command("set")
@click.argument("target")
@click.option("--purpose", metavar="TEXT", help="What the model may be used for, and what not.")
@click.option(
    "--risk",
    type=click.Choice(RISK_CATEGORIES, case_sensitive=False),
    help="Risk category (the EU AI Act's tiers).",
)
@click.option("--approver", metavar="NAME", help="Who approved the use.")
@click.option("--approved-on", metavar="DATE", help="When the use was approved (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
@atlas_options
def set_command(
    target: str,
    purpose: str | None,
    risk: str | None,
    approver: str | None,
    approved_on: str | None,
    as_json: bool,
    client: AtlasClient,
) -> None:
    """Set compliance facts of TARGET; facts not given keep their value.

    \b
    atlas-ml compliance set titanic-survival@b42e7c4dc44f --purpose "..." --risk HIGH \\
        --approver "j.doe (model risk committee)" --approved-on 2026-12-01

    TARGET is a model version (its guid, qualifiedName, the name the lineage tree prints, e.g.
    titanic-survival@b42e7c4dc44f, or the path its artifact was saved to) or a model (its
    name, e.g. titanic-survival).

    Exit status: 0 done; 1 TARGET is not in Atlas; 2 invalid option or fact; 3 Atlas cannot be
    read or written (unreachable, refused credentials).
    """
    facts = {"purpose": purpose, "risk": risk, "approver": approver, "approved_on": approved_on}
    entity = _resolve(client, target)
    try:
        recorded = set_compliance(client, entity["guid"], facts)
    except ComplianceError as exc:
        raise _BadFact(str(exc)) from exc
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot write to Atlas at {client.config.url}: {exc}") from exc
    _print(entity, recorded, as_json)


@command.command("show")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
@atlas_options
def show_command(target: str, as_json: bool, client: AtlasClient) -> None:
    """Show the compliance facts of TARGET (a model version or a model, named as for 'set').

    Exit status: 0 shown; 1 TARGET is not in Atlas; 2 invalid option; 3 Atlas cannot be read.
    """
    entity = _resolve(client, target)
    try:
        recorded = read_compliance(client, entity["guid"])
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot read from Atlas at {client.config.url}: {exc}") from exc
    _print(entity, recorded, as_json)


def _resolve(client: AtlasClient, target: str) -> dict[str, Any]:
    try:
        entity = resolve_target(client, target, types=(MODEL_VERSION_TYPE, MODEL_TYPE))
    except (TargetNotFound, TypesNotInstalled) as exc:
        raise click.ClickException(str(exc)) from exc
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot read from Atlas at {client.config.url}: {exc}") from exc
    if entity.get("typeName") not in APPLICABLE_TYPES:
        raise _BadFact(
            f"{target} is a {entity.get('typeName')}: compliance facts belong to a model or "
            "model version (atlasml_model, atlasml_model_version)"
        )
    return entity


def _print(entity: dict[str, Any], facts: dict[str, Any], as_json: bool) -> None:
    attributes = entity.get("attributes") or {}
    shown = dict(facts)
    if "approvalDate" in shown:
        shown["approvalDate"] = approval_date(shown["approvalDate"])
    if as_json:
        click.echo(
            json.dumps(
                {
                    "guid": entity.get("guid"),
                    "typeName": entity.get("typeName"),
                    "qualifiedName": attributes.get("qualifiedName"),
                    "compliance": shown,
                },
                indent=2,
                sort_keys=True,
            )
        )
        return
    click.echo(f"{attributes.get('name') or attributes.get('qualifiedName')} {entity['typeName']}")
    labels = {
        "intendedPurpose": "intended purpose",
        "riskCategory": "risk category",
        "approver": "approver",
        "approvalDate": "approved on",
    }
    for key, label in labels.items():
        click.echo(f"  {label + ':':<18}{shown.get(key, '-')}")
