"""The vocabulary of type definitions: Atlas's categories, and the error every typedef
problem raises, shared by the loader, the shape checks, the patches and the diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from atlas_ml.errors import TypedefError

TypeDef = dict[str, Any]

CATEGORIES: dict[str, str] = {
    "enumDefs": "ENUM",
    "structDefs": "STRUCT",
    "classificationDefs": "CLASSIFICATION",
    "entityDefs": "ENTITY",
    "relationshipDefs": "RELATIONSHIP",
    "businessMetadataDefs": "BUSINESS_METADATA",
}
KEY_OF_CATEGORY = {category: key for key, category in CATEGORIES.items()}


def read_json(path: Path) -> Any:
    """JSON from ``path`` with an error that names the file and the position."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TypedefError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            source=str(path),
        ) from exc
    except UnicodeDecodeError as exc:
        raise TypedefError(
            f"not UTF-8 text (byte {exc.start} cannot be decoded): save it as UTF-8 JSON",
            source=str(path),
        ) from exc
    except OSError as exc:
        raise TypedefError(f"cannot be read: {exc.strerror or exc}", source=str(path)) from exc
