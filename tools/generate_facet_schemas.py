"""Write the JSON Schema of every atlas-ml facet to atlas_ml/events/schemas/.

Run after adding or changing a field of a facet class in atlas_ml/events/facets.py:

    .venv/bin/python tools/generate_facet_schemas.py

tests/unit/test_event_facets.py fails while a committed schema differs from its class.
"""

from __future__ import annotations

from pathlib import Path

from atlas_ml.events.facet_schemas import write_schemas

FOLDER = Path(__file__).resolve().parents[1] / "atlas_ml" / "events" / "schemas"

if __name__ == "__main__":
    for path in write_schemas(FOLDER):
        print(path.relative_to(FOLDER.parents[2]))
