"""Delivery: events wait in a durable local spool, then reach Atlas idempotently.

Nothing a user's job produces is lost when Atlas is down or slow: events are written to the
spool first; ``push`` maps and upserts them (by qualifiedName, so a replay creates nothing
twice) and only then removes them from the pending set. ``deliver_spool`` is the bounded,
never-raising push at the end of a user's job.
"""

from atlas_ml.delivery.atlas import DeliveryReport, deliver_changes, push
from atlas_ml.delivery.end_of_job import deliver_spool, end_of_job_client
from atlas_ml.delivery.spool import Spool, SpoolBusy, default_spool_dir

__all__ = [
    "DeliveryReport",
    "Spool",
    "SpoolBusy",
    "default_spool_dir",
    "deliver_changes",
    "deliver_spool",
    "end_of_job_client",
    "push",
]
