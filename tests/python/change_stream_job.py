"""The driver of a change stream that test_change_stream_kill.py SIGKILLs, in a
process of its own (a process holds one SparkContext, and the test session's
is the one the test resumes the query in).

Runs `readStream.format("pycassandra_changes_recorded")` with the options given
as JSON into a parquet sink with a checkpoint, until it is killed. The
option `hold_reads_on` holds every task before it reads (change_stream_probe.py).

usage: python change_stream_job.py OPTIONS.json OUT_DIR CHECKPOINT_DIR
"""

from __future__ import annotations

import json
import os
import sys


def start_query(spark, options: dict, out: str, checkpoint: str, source: str = "pycassandra_changes_recorded"):
    """The change stream of ``options`` (by default the recorded one) into a parquet sink at ``out``."""
    return (
        spark.readStream.format(source)
        .options(**options)
        .load()
        .select("id", "v", "_cdc_segment", "_cdc_position", "_cdc_batch_seq_no")
        .writeStream.format("parquet")
        .option("path", out)
        .option("checkpointLocation", checkpoint)
        .start()
    )


def main() -> None:
    options_path, out, checkpoint = sys.argv[1:4]
    with open(options_path) as f:
        options = json.load(f)
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable

    from change_stream_probe import RecordingChangeSource
    from spark_sessions import local_spark

    spark = local_spark("pycassandra-change-stream-kill")
    spark.dataSource.register(RecordingChangeSource)
    query = start_query(spark, options, out, checkpoint)
    # Until the test kills this process (a held task never returns).
    query.awaitTermination()


if __name__ == "__main__":
    main()
