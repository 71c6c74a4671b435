"""Record the outcome on the dataset version in Atlas: ``verificationStatus``, ``verifiedTime``.

Both attributes go in one partial update by qualifiedName (``PUT
/v2/entity/uniqueAttribute/type/...``): Atlas changes only the attributes sent, atomically.
The single-attribute ``PUT /v2/entity/guid/{guid}?name=`` cannot be used: Atlas refuses it
for enum attributes (ATLAS-400-00-027).
"""

from __future__ import annotations

from urllib.parse import quote

from atlas_ml.client import AtlasBadRequest, AtlasClient
from atlas_ml.typedefs.names import DATASET_VERSION_TYPE
from atlas_ml.verify.result import Status, VersionResult

# Status -> value of the atlasml_verification_status enum. DERIVED versions were not
# re-read, so their recorded status (normally UNVERIFIED) is left as it is.
ATLAS_STATUS = {
    Status.VERIFIED: "VERIFIED",
    Status.CHANGED: "CHANGED",
    Status.UNRECOVERABLE: "UNRECOVERABLE",
}


def write_back(client: AtlasClient, result: VersionResult, verified_millis: int) -> bool:
    """Set status and time on a file-backed version; False when there is nothing to write.

    Raises ``AtlasError``; a 400 most likely means the server's enum predates CHANGED and
    UNRECOVERABLE, and the error's hint says how to fix that.
    """
    value = ATLAS_STATUS.get(result.status)
    if value is None or result.version.in_memory:
        return False
    body = {
        "entity": {
            "typeName": DATASET_VERSION_TYPE,
            "attributes": {"verificationStatus": value, "verifiedTime": verified_millis},
        }
    }
    try:
        client.transport.request(
            "PUT",
            f"/v2/entity/uniqueAttribute/type/{quote(DATASET_VERSION_TYPE)}",
            params={"attr:qualifiedName": result.version.qualified_name},
            json=body,
        )
    except AtlasBadRequest as exc:
        exc.hint = (
            f"Atlas may not know the status value {value}: install the current atlas-ml types "
            "with 'atlas-ml typedefs install'"
        )
        raise
    return True
