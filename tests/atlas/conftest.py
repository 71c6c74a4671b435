"""Fixtures for tests against the real Atlas: ``atlas_client``, ``project_types`` and
``unique`` are defined in tests/conftest.py, shared with the Spark-to-Atlas tests."""
