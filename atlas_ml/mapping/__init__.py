"""Pure mapping from events to Atlas entities: event in, entities out, no server needed."""

from atlas_ml.mapping.changes import AtlasChanges, BusinessMetadataRequest, ClassificationRequest
from atlas_ml.mapping.events import map_event

__all__ = ["AtlasChanges", "BusinessMetadataRequest", "ClassificationRequest", "map_event"]
