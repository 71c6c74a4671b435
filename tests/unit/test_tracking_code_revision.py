"""The code revision a training run records never carries the credentials of a git remote."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from atlas_ml.tracking.capture import code_revision

pytestmark = pytest.mark.unit

TOKEN = "glcbt-64-QA9SECRET"


def _repo(tmp_path: Path, remote: str) -> Path:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "train.py").write_text("print('train')\n")
    git("add", "train.py")
    git("-c", "user.email=qa@example.com", "-c", "user.name=qa", "commit", "-qm", "x")
    git("remote", "add", "origin", remote)
    return tmp_path / "train.py"


@pytest.mark.parametrize(
    ("remote", "recorded"),
    [
        (
            f"https://gitlab-ci-token:{TOKEN}@gitlab.example.com/team/repo.git",
            "https://gitlab.example.com/team/repo.git",
        ),
        (f"https://{TOKEN}@github.com/team/repo.git", "https://github.com/team/repo.git"),
        (f"ssh://git:{TOKEN}@host:2222/repo.git", "ssh://host:2222/repo.git"),
        ("git@github.com:team/repo.git", "git@github.com:team/repo.git"),
    ],
)
def test_the_git_remote_is_recorded_without_its_credentials(
    tmp_path: Path, remote: str, recorded: str
) -> None:
    revision = code_revision(_repo(tmp_path, remote))
    assert revision.sha and revision.reference == recorded
    assert TOKEN not in str(revision)
