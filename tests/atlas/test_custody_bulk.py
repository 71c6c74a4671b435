"""Checking many training runs at once (``check_runs``, what ``audit`` calls) against a real
Atlas: each run gets the status a check of it alone gives, for the requests of one check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_custody_tampering import RUN_TYPE, Insider, _qn, _signed_run

from atlas_ml.client import AtlasClient
from atlas_ml.custody import CustodyStatus, RunNotFound, check_run, check_runs

pytestmark = pytest.mark.atlas


class Counting:
    """Counts the requests ``client`` sends."""

    def __init__(self, client: AtlasClient, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        send = client.transport.request

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return send(*args, **kwargs)

        monkeypatch.setattr(client.transport, "request", counted)

    def __call__(self, call: Any) -> tuple[Any, int]:
        before = self.count
        return call(), self.count - before


def test_runs_checked_together_get_the_status_each_gets_alone_for_the_requests_of_one(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = f"{unique}-team"
    runs = [_signed_run(atlas_client, tmp_path, unique, team, n) for n in (1, 2, 3)]
    insider = Insider(atlas_client)
    guids = [insider.entity(RUN_TYPE, _qn(run))["guid"] for run in runs]
    parameters = insider.entity(RUN_TYPE, _qn(runs[1]))["attributes"]["parameters"]
    insider.set_attributes(RUN_TYPE, _qn(runs[1]), parameters={**parameters, "seed": "7"})
    settings = signing.settings()
    requests = Counting(atlas_client, monkeypatch)

    alone = [requests(lambda g=g: check_run(atlas_client, g, settings=settings)) for g in guids]
    together, sent = requests(lambda: check_runs(atlas_client, guids, settings=settings))

    assert list(together) == guids
    assert [r.status for r in together.values()] == [
        CustodyStatus.SIGNED_OK,
        CustodyStatus.TAMPERED,
        CustodyStatus.SIGNED_OK,
    ]
    assert [r.to_dict() for r in together.values()] == [r.to_dict() for r, _ in alone]
    [finding] = together[guids[1]].findings
    assert (finding.field, finding.signed, finding.current) == ("parameters[seed]", "2", "7")
    assert sent <= min(n for _, n in alone) <= 4  # three round trips, not three per run

    # Runs given by name, by guid and as entities alike; one unknown run is named.
    mixed = check_runs(
        atlas_client,
        [_qn(runs[0]), guids[2], insider.entity(RUN_TYPE, _qn(runs[1]))],
        settings=settings,
    )
    assert [r.status for r in mixed.values()] == [
        CustodyStatus.SIGNED_OK,
        CustodyStatus.SIGNED_OK,
        CustodyStatus.TAMPERED,
    ]
    with pytest.raises(RunNotFound, match="no-such-run"):
        check_runs(atlas_client, [guids[0], f"{unique}.run.no-such-run@primary"])
