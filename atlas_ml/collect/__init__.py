"""The OpenLineage collector: any producer's events (Airflow, openlineage-spark, dbt, the
OpenLineage clients) into the durable spool, then through the one mapper into Atlas.

``app`` is the HTTP endpoint the OpenLineage HTTP transport talks to, ``ingest`` reads event
files, ``intake`` holds the rules both apply (size, JSON, the official OpenLineage models in
``models``, and the spec's JSON schemas in ``schema`` where a folder holds them), ``commit``
makes accepted events durable in groups, ``forward`` delivers the spool while the collector
runs, ``server`` runs it on uvicorn.
"""
