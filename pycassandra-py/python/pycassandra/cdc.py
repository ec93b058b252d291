"""Helpers for change streams (``spark.readStream.format("pycassandra")``).

>>> from pycassandra.cdc import DEDUP_KEYS
>>> DEDUP_KEYS
('_cdc_change_id', '_cdc_batch_seq_no')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# One event of one write: the update's id (the same on every replica) and the
# event's place among the update's events.
DEDUP_KEYS = ("_cdc_change_id", "_cdc_batch_seq_no")


def dedup(df: "DataFrame", delay: str = "10 minutes") -> "DataFrame":
    """One event per write: a cluster stream delivers each write once per
    replica (RF times), with one ``_cdc_change_id``.

    On a stream, the copies are dropped within a watermark of ``delay`` on
    ``_cdc_time`` (the write's timestamp): a copy arriving later than that
    (a replica down for longer, a hint or repair replayed later) passes
    through again, so sinks should stay last-write-wins (an upsert by primary
    key is). On a batch DataFrame every copy is dropped.

    >>> from pycassandra.cdc import dedup  # doctest: +SKIP
    >>> events = spark.readStream.format("pycassandra").options(**cluster).load()  # doctest: +SKIP
    >>> one_per_write = dedup(events, "5 minutes")  # doctest: +SKIP
    """
    missing = [key for key in (*DEDUP_KEYS, "_cdc_time") if key not in df.columns]
    if missing:
        raise ValueError(f"dedup: the DataFrame lacks the change-event columns {missing}")
    if df.isStreaming:
        return df.withWatermark("_cdc_time", delay).dropDuplicatesWithinWatermark(list(DEDUP_KEYS))
    return df.dropDuplicates(list(DEDUP_KEYS))
