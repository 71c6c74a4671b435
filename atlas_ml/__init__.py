"""atlas-ml: Apache Atlas as the system of record for ML training-data lineage and provenance."""

__version__ = "0.1.0"
