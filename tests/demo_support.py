"""The Titanic demo (``examples/titanic/train.py``, what ``make demo`` runs) recorded in a
test session's Atlas, for tests that need a real, complete lineage to look at.

tests/conftest.py runs it once per session (fixture ``titanic_demo``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from atlas_ml.client import AtlasClient
from atlas_ml.naming import model_version_name, training_run_name

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Demo:
    """The Titanic example's model version and training run as recorded in Atlas."""

    guid: str
    name: str
    """The model version's name as the UI shows it (``titanic-survival@<sha256[:12]>``)."""
    run_guid: str
    """This session's training run (an earlier run of the demo may have made the same bytes)."""


def record_titanic_demo(client: AtlasClient, password: str, cache: Path) -> Demo:
    """Run the example as ``make demo`` does, against ``client``'s Atlas.

    Its spool and artifacts go to ``cache``, so the user's own are never touched.
    """
    config = client.config
    env = {
        **os.environ,
        "ATLAS_URL": config.url,
        "ATLAS_USER": str(config.username),
        "ATLAS_PASSWORD": password,
        "ATLAS_NAMESPACE": config.namespace,
        "ATLAS_ML_CACHE": str(cache),
        "ATLAS_ML_SPOOL": str(cache / "spool"),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "titanic" / "train.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    artifacts = list(cache.rglob("titanic-survival.joblib"))
    assert len(artifacts) == 1, result.stdout + result.stderr
    # The artifact is saved under artifacts/<run id>/ of the cache.
    sha256 = hashlib.sha256(artifacts[0].read_bytes()).hexdigest()
    model_version = client.entities.get_by_unique_attribute(
        "atlasml_model_version", model_version_name("titanic-survival", sha256, config.namespace)
    )["entity"]
    run = client.entities.get_by_unique_attribute(
        "atlasml_training_run",
        training_run_name("titanic-survival", artifacts[0].parent.name, config.namespace),
    )["entity"]
    return Demo(
        guid=model_version["guid"], name=model_version["attributes"]["name"], run_guid=run["guid"]
    )
