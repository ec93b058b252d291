"""commit() logs one summary line per job, abort() and failing tasks log what was
written before the failure; the lines come from Spark's own Python workers,
through PYCASSANDRA_LOG_FILE (set by conftest before Spark starts)."""

from __future__ import annotations

import os

import pytest


class WorkerLog:
    """The lines Spark's workers append from now on."""

    def __init__(self) -> None:
        self.path = os.environ["PYCASSANDRA_LOG_FILE"]
        self.start = os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def lines(self) -> list:
        with open(self.path, encoding="utf-8") as log:
            log.seek(self.start)
            return log.read().splitlines()


def test_commit_logs_one_summary_line(spark, cql, node_options, keyspace):
    cql.execute(f"CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v text)")
    log = WorkerLog()
    df = spark.range(0, 500, 1, 2).selectExpr("CAST(id AS INT) AS k", "CAST(id AS STRING) AS v")
    df.write.format("pycassandra").mode("append").options(**node_options, table="kv").save()
    summaries = [line for line in log.lines() if "pycassandra write committed" in line]
    assert len(summaries) == 1, log.lines()
    assert "500 rows written, 0 deleted, 0 failed" in summaries[0]


def test_a_failed_task_and_abort_log_what_was_written_before(spark, cql, node_options, keyspace):
    cql.execute(f"CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v int)")
    log = WorkerLog()
    # One task, batches of 100 rows: nine batches are written, the tenth holds the bad value.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
    try:
        df = spark.range(0, 1000, 1, 1).selectExpr(
            "CAST(id AS INT) AS k", "CASE WHEN id = 999 THEN 'x' ELSE CAST(id AS STRING) END AS v"
        )
        with pytest.raises(Exception, match="column 'v'"):
            df.write.format("pycassandra").mode("append").options(**node_options, table="kv").save()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    lines = log.lines()
    assert any("task failed after writing 900 rows and deleting 0" in line for line in lines), lines
    assert any("pycassandra write aborted; written before the failure" in line for line in lines), lines
    assert cql.execute(f"SELECT count(*) FROM {keyspace}.kv").one()[0] == 900
