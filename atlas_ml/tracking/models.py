"""Model artifacts a run produced: save or locate them, and describe how they were built.

Their digest is :func:`atlas_ml.fingerprints.artifacts.artifact_digest`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Collection
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from atlas_ml.fingerprints.artifacts import ModelArtifact, artifact_digest

log = logging.getLogger("atlas_ml.tracking")


def _framework(model: Any) -> tuple[str | None, str | None]:
    module = type(model).__module__.split(".")[0]
    distribution = {"sklearn": "scikit-learn", "pyspark": "pyspark"}.get(module, module)
    try:
        return distribution, metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return (distribution if module != "builtins" else None), None


def save_model(
    model: Any, directory: Path, name: str, kept: Collection[Path] = ()
) -> tuple[Path, str]:
    """Persist a Python model object (joblib when installed, else pickle); its path and digest.

    ``kept``: artifact files of models already recorded (by this run), which must keep their
    bytes: a different model goes to ``name-2``, ``name-3``, ... instead, or the earlier
    model's recorded sha256 would point at another model's bytes. Any other file at the
    target is replaced, as a user who saves every run's model to one place expects.
    """
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import joblib
    except ImportError:
        suffix = ".pkl"

        def dump(target: str) -> None:
            with open(target, "wb") as handle:
                pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        suffix = ".joblib"

        def dump(target: str) -> None:
            joblib.dump(model, target)

    kept = {path.resolve() for path in kept}
    handle, written = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=suffix)
    os.close(handle)
    try:
        dump(written)
        digest = artifact_digest(Path(written))
        number, target = 1, directory / f"{name}{suffix}"
        while target.resolve() in kept and artifact_digest(target) != digest:
            number += 1
            target = directory / f"{name}-{number}{suffix}"
        if target.resolve() not in kept:
            os.replace(written, target)
        return target, digest
    finally:
        if os.path.exists(written):
            os.unlink(written)


def describe_model(
    model_or_path: Any, directory: Path, name: str, kept: Collection[Path] = ()
) -> ModelArtifact:
    """Hash an existing artifact path, or save the model object first (never over the
    ``kept`` files, see :func:`save_model`) and hash that."""
    if isinstance(model_or_path, str | os.PathLike):
        path = Path(model_or_path)
        if not path.exists():
            raise FileNotFoundError(f"model artifact {path} does not exist")
        return ModelArtifact(path.resolve(), artifact_digest(path), None, None)
    path, digest = save_model(model_or_path, directory, name, kept)
    framework, version = _framework(model_or_path)
    return ModelArtifact(path.resolve(), digest, framework, version)


def pipeline_steps(model: Any) -> dict[str, str]:
    """A scikit-learn model step by step: every estimator's class and parameters.

    Pipelines and ColumnTransformers are expanded recursively; keys are step paths such as
    ``features/numeric/simpleimputer`` (the class) and ``.../simpleimputer__strategy`` (a
    parameter, in scikit-learn's own ``step__param`` style).
    """
    described: dict[str, str] = {}

    def describe(path: str, estimator: Any) -> None:
        if estimator is None or isinstance(estimator, str):
            described[path] = str(estimator)
            return
        steps = getattr(estimator, "steps", None)
        transformers = getattr(estimator, "transformers", None)
        if steps is not None:
            for name, step in steps:
                describe(f"{path}/{name}" if path else name, step)
            return
        if transformers is not None:
            for name, transformer, columns in transformers:
                child = f"{path}/{name}" if path else name
                described[f"{child}.columns"] = repr(columns)
                describe(child, transformer)
            return
        described[path] = f"{type(estimator).__module__}.{type(estimator).__name__}"
        if hasattr(estimator, "get_params"):
            for param, value in sorted(estimator.get_params(deep=False).items()):
                if not hasattr(value, "get_params"):
                    described[f"{path}__{param}"] = repr(value)

    describe("" if hasattr(model, "steps") else type(model).__name__, model)
    return described


def place_artifact(
    artifact: ModelArtifact, target: str | os.PathLike[str], name: str
) -> str | None:
    """Copy the saved artifact to ``target`` and return the URI it now lives at.

    ``target`` is a local path or ``file:`` URI (a folder, existing or ending in ``/``, gets
    the artifact's file name), or any URI fsspec can write (``hdfs://``, ``s3://``, ...) when
    fsspec and the file system's driver are installed. What cannot be written is a warning,
    never an error: the run goes on with the artifact where it was saved.
    """
    source = artifact.path
    text = os.fspath(target)
    scheme = urlsplit(text).scheme
    try:
        if scheme in ("", "file") or len(scheme) == 1:  # a path (C: on Windows) or file: URI
            local = Path(urlsplit(text).path if scheme == "file" else text).expanduser()
            if local.is_dir() or text.endswith(("/", os.sep)):
                local = local / source.name
            local.parent.mkdir(parents=True, exist_ok=True)
            if local.resolve() != source.resolve():
                if source.is_dir():
                    shutil.copytree(source, local, dirs_exist_ok=True)
                else:
                    shutil.copyfile(source, local)
            if artifact_digest(local) != artifact.sha256:
                raise OSError(f"the copy at {local} does not have the artifact's bytes")
            return local.resolve().as_uri()
        return _put_with_fsspec(source, text)
    except ImportError:
        log.warning(
            "model %s is not saved to %s: writing to %s:// needs fsspec (pip install "
            "'atlas-ml[fsspec]' and the file system's driver, e.g. s3fs); it stays at %s",
            name,
            text,
            scheme,
            source,
        )
    except Exception as exc:
        log.warning(
            "model %s could not be saved to %s (%s: %s); it stays at %s",
            name,
            text,
            type(exc).__name__,
            exc,
            source,
        )
    return None


def moved_artifact(artifact: ModelArtifact, uri: str) -> ModelArtifact:
    """``artifact`` as kept at ``uri`` (a ``file:`` URI or any other file system's)."""
    path = Path(unquote(urlsplit(uri).path))
    kept_uri = None if uri.startswith("file:") else uri
    return dataclasses.replace(artifact, path=path, uri=kept_uri)


def _put_with_fsspec(source: Path, target: str) -> str:
    import fsspec

    if target.endswith("/"):
        target += source.name
    fs, path = fsspec.core.url_to_fs(target)
    fs.put(str(source), path, recursive=source.is_dir())
    return target
