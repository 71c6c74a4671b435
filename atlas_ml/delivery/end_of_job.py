"""Delivery at the end of a user's job: a training run or a PySpark script pushes its spool.

That push holds the user's job up, so it gets short timeouts and one time limit for
everything, lock wait included (``AtlasConfig.end_of_job_seconds``). What does not fit waits
in the spool for ``atlas-ml push``, which has no limit. It never raises: a failure leaves the
events in the spool and one notice on stderr says how to deliver them.
"""

from __future__ import annotations

from dataclasses import replace

from atlas_ml.client import AtlasClient
from atlas_ml.delivery.atlas import DeliveryReport, push
from atlas_ml.delivery.spool import Spool
from atlas_ml.notices import notify_once

END_OF_JOB_CONNECT_TIMEOUT = 3.0
END_OF_JOB_READ_TIMEOUT = 30.0
END_OF_JOB_RETRIES = 1


def end_of_job_client() -> AtlasClient:
    """A client from the usual settings, with the short timeouts of end-of-job delivery."""
    from atlas_ml.config import load_config

    config = load_config()
    return AtlasClient(
        replace(
            config,
            connect_timeout=min(config.connect_timeout, END_OF_JOB_CONNECT_TIMEOUT),
            read_timeout=min(config.read_timeout, END_OF_JOB_READ_TIMEOUT),
            retries=min(config.retries, END_OF_JOB_RETRIES),
        )
    )


def deliver_spool(
    spool: Spool, client: AtlasClient | None = None, *, infer_copies: bool | None = None
) -> DeliveryReport | None:
    """Push ``spool`` to Atlas at the end of a job, never raising and never for long.

    Without ``client``, one with the short end-of-job timeouts; either way the push stops after
    the config's ``end_of_job_seconds`` (a slow Atlas, another pusher holding the spool, more
    events than fit), keeping the rest. On failure the events stay in the spool and one line
    on stderr says how to deliver them.
    """
    try:
        own = client is None
        client = client or end_of_job_client()
        try:
            report = push(
                client,
                spool,
                time_limit=client.config.end_of_job_seconds,
                infer_copies=infer_copies,
            )
        finally:
            if own:
                client.close()
    except Exception as exc:
        notify_once(
            f"could not deliver lineage to Atlas ({exc}); the events are kept in "
            f"{spool.root} - deliver them later with: {spool.push_command()}"
        )
        return None
    if report.rejected:
        notify_once(
            f"Atlas refused {report.rejected} event(s) ({report.first_rejection}); they are "
            f"kept in {spool.rejected_dir} with the reasons - after fixing the cause, deliver "
            f"them with: {spool.push_command('--retry-rejected')}"
        )
    if report.stopped_by and report.remaining:
        setting = " (end_of_job_seconds in the atlas-ml config)" if report.out_of_time else ""
        notify_once(
            f"{report.stopped_by}{setting}; {report.remaining} event(s) kept in "
            f"{spool.root} - deliver them later with: {spool.push_command()}"
        )
    elif report.stopped_by:
        notify_once(f"could not deliver lineage to Atlas: {report.stopped_by}")
    return report
