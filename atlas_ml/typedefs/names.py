"""Every Atlas type name atlas-ml uses, one constant each.

A type renamed in ``typedefs/`` (or a stock type Atlas renames) is then one edit here, and
``tests/unit/test_typedef_names.py`` checks both directions: each of atlas-ml's own types,
relationships, enums, classifications and business metadata in ``typedefs/*.json`` has a
constant, and each constant names a type that ``typedefs/`` (or Atlas's stock models, for
the ones marked stock) defines. Code uses these instead of string literals.

The suffix says what kind of type it is (``_TYPE`` an entity type, ``_RELATIONSHIP``,
``_ENUM``, ``_CLASSIFICATION``, ``_METADATA`` business metadata), so that a name never
collides with the facet names of :mod:`atlas_ml.events.facets` (``DATASET_VERSION`` there is
the OpenLineage facet ``atlasml_datasetVersion``).

This module imports nothing, so the pure layers (naming, mapping) can use it.
"""

from __future__ import annotations

from typing import Final

PROJECT_PREFIX: Final = "atlasml_"
"""Every entity, relationship, enum and business metadata type atlas-ml defines starts so."""

# --- atlas-ml's entity types (typedefs/0100-atlasml_base.json, 0105-atlasml_runs.json) -----
DATASET_VERSION_TYPE: Final = "atlasml_dataset_version"
TRANSFORM_TYPE: Final = "atlasml_transform"
TRAINING_RUN_TYPE: Final = "atlasml_training_run"
PIPELINE_RUN_TYPE: Final = "atlasml_pipeline_run"
MODEL_TYPE: Final = "atlasml_model"
MODEL_VERSION_TYPE: Final = "atlasml_model_version"
EVALUATION_TYPE: Final = "atlasml_evaluation"
DEPLOYMENT_TYPE: Final = "atlasml_deployment"
ATTESTATION_TYPE: Final = "atlasml_attestation"  # 0140-atlasml_custody.json
VALIDATION_TYPE: Final = "atlasml_validation"  # 0150-atlasml_integrations.json
# what other OpenLineage producers report (0130-atlasml_openlineage.json)
OPENLINEAGE_RUN_TYPE: Final = "atlasml_openlineage_run"
OPENLINEAGE_DATASET_TYPE: Final = "atlasml_openlineage_dataset"
OPENLINEAGE_COLUMN_LINEAGE_TYPE: Final = "atlasml_openlineage_column_lineage"

# --- atlas-ml's relationship types ------------------------------------------------------
MODEL_VERSIONS_RELATIONSHIP: Final = "atlasml_model_versions"
SNAPSHOT_OF_RELATIONSHIP: Final = "atlasml_dataset_version_snapshot_of"
EVALUATION_MODEL_VERSION_RELATIONSHIP: Final = "atlasml_evaluation_model_version"
DEPLOYMENT_MODEL_VERSION_RELATIONSHIP: Final = "atlasml_deployment_model_version"
TRANSFORM_RUN_RELATIONSHIP: Final = "atlasml_transform_run"
ATTESTATION_RUN_RELATIONSHIP: Final = "atlasml_attestation_training_run"
ATTESTATION_SUBJECTS_RELATIONSHIP: Final = "atlasml_attestation_subjects"
VALIDATION_DATASET_VERSION_RELATIONSHIP: Final = "atlasml_validation_dataset_version"
OPENLINEAGE_RUN_CHILDREN_RELATIONSHIP: Final = "atlasml_openlineage_run_children"
OPENLINEAGE_RUN_COLUMN_LINEAGES_RELATIONSHIP: Final = "atlasml_openlineage_run_column_lineages"

# --- atlas-ml's enums -------------------------------------------------------------------
VERSION_KIND_ENUM: Final = "atlasml_version_kind"
VERIFICATION_STATUS_ENUM: Final = "atlasml_verification_status"
STEP_KIND_ENUM: Final = "atlasml_step_kind"
RUN_STATUS_ENUM: Final = "atlasml_run_status"
MODEL_STAGE_ENUM: Final = "atlasml_model_stage"
RISK_CATEGORY_ENUM: Final = "atlasml_risk_category"
OPENLINEAGE_RUN_STATE_ENUM: Final = "atlasml_openlineage_run_state"

# --- atlas-ml's classifications (typedefs/0110-atlasml_classifications.json) --------------
SENSITIVE_CLASSIFICATION: Final = "Sensitive"
PII_CLASSIFICATION: Final = "PII"
USER_BEHAVIOR_CLASSIFICATION: Final = "UserBehavior"

# --- atlas-ml's business metadata -------------------------------------------------------
COMPLIANCE_METADATA: Final = "atlasml_compliance"
PROVENANCE_METADATA: Final = "atlasml_provenance"

# --- stock types (Atlas's own models) atlas-ml writes or reads -----------------------------
DATASET_TYPE: Final = "DataSet"
"""The generic supertype: data atlas-ml cannot name more precisely (Kafka topics, ...)."""
PROCESS_TYPE: Final = "Process"
HDFS_PATH_TYPE: Final = "hdfs_path"
AWS_S3_V2_DIRECTORY_TYPE: Final = "aws_s3_v2_directory"
ADLS_GEN2_DIRECTORY_TYPE: Final = "adls_gen2_directory"
GCP_STORAGE_VIRTUAL_DIRECTORY_TYPE: Final = "gcp_storage_virtual_directory"
OZONE_KEY_TYPE: Final = "ozone_key"
HIVE_TABLE_TYPE: Final = "hive_table"
RDBMS_INSTANCE_TYPE: Final = "rdbms_instance"
RDBMS_DB_TYPE: Final = "rdbms_db"
RDBMS_TABLE_TYPE: Final = "rdbms_table"
SPARK_APPLICATION_TYPE: Final = "spark_application"
SPARK_PROCESS_TYPE: Final = "spark_process"
SPARK_COLUMN_LINEAGE_TYPE: Final = "spark_column_lineage"
RDBMS_INSTANCE_DATABASES_RELATIONSHIP: Final = "rdbms_instance_databases"
RDBMS_DB_TABLES_RELATIONSHIP: Final = "rdbms_db_tables"
SPARK_PROCESS_COLUMN_LINEAGES_RELATIONSHIP: Final = "spark_process_column_lineages"

STOCK_TYPES: Final = frozenset(
    {
        DATASET_TYPE,
        PROCESS_TYPE,
        HDFS_PATH_TYPE,
        AWS_S3_V2_DIRECTORY_TYPE,
        ADLS_GEN2_DIRECTORY_TYPE,
        GCP_STORAGE_VIRTUAL_DIRECTORY_TYPE,
        OZONE_KEY_TYPE,
        HIVE_TABLE_TYPE,
        RDBMS_INSTANCE_TYPE,
        RDBMS_DB_TYPE,
        RDBMS_TABLE_TYPE,
        SPARK_APPLICATION_TYPE,
        SPARK_PROCESS_TYPE,
        SPARK_COLUMN_LINEAGE_TYPE,
        RDBMS_INSTANCE_DATABASES_RELATIONSHIP,
        RDBMS_DB_TABLES_RELATIONSHIP,
        SPARK_PROCESS_COLUMN_LINEAGES_RELATIONSHIP,
    }
)
"""The names above that Atlas's stock models define (the rest are atlas-ml's)."""
