"""Streaming writes: micro-batches through the Arrow path into the real node."""

from __future__ import annotations

import json
import os
import uuid

from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from pycassandra import CassandraDataSource

EVENTS = StructType([StructField("id", StringType(), False), StructField("n", IntegerType(), True)])


def write_json_files(directory, rows_per_file: int, files: int):
    written = []
    for f in range(files):
        rows = [{"id": str(uuid.uuid4()), "n": f * rows_per_file + i} for i in range(rows_per_file)]
        with open(os.path.join(directory, f"part-{f:03}.json"), "w") as out:
            out.write("\n".join(json.dumps(r) for r in rows))
        written.extend(rows)
    return written


def test_a_stream_writer_receives_arrow_record_batches(spark, tmp_path):
    """PySpark 4.0 hands Arrow batches to a class subclassing both
    DataSourceStreamWriter and DataSourceArrowWriter; our stream writer relies on it."""
    from stream_probe import ProbeSource

    spark.dataSource.register(ProbeSource)
    source, out, checkpoint = (tmp_path / name for name in ("in", "out", "checkpoint"))
    source.mkdir()
    out.mkdir()
    write_json_files(source, rows_per_file=50, files=2)
    query = (
        spark.readStream.schema(EVENTS)
        .json(str(source))
        .writeStream.format("pycassandra_stream_probe")
        .option("out_dir", str(out))
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    seen = {line for f in out.iterdir() for line in f.read_text().splitlines()}
    assert seen == {"pyarrow.lib.RecordBatch"}


def test_a_stream_lands_every_row_in_cassandra(spark, cql, keyspace, node_options, tmp_path):
    spark.dataSource.register(CassandraDataSource)
    cql.execute(f"CREATE TABLE {keyspace}.events (id uuid PRIMARY KEY, n int)")
    source = tmp_path / "in"
    source.mkdir()
    rows = write_json_files(source, rows_per_file=400, files=3)
    query = (
        spark.readStream.schema(EVENTS)
        .option("maxFilesPerTrigger", 1)
        .json(str(source))
        .writeStream.format("pycassandra")
        .options(**node_options)
        .option("table", "events")
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    assert query.exception() is None
    stored = {str(r.id): r.n for r in cql.execute(f"SELECT id, n FROM {keyspace}.events")}
    assert stored == {r["id"]: r["n"] for r in rows}
    assert len(query.recentProgress) >= 3, "one micro-batch per file was expected"


def test_a_restarted_query_resumes_from_its_checkpoint_without_loss_or_duplicates(
    spark, cql, keyspace, node_options, tmp_path
):
    spark.dataSource.register(CassandraDataSource)
    # A counter table makes duplicates visible: a re-written micro-batch would count twice.
    cql.execute(f"CREATE TABLE {keyspace}.tally (id uuid PRIMARY KEY, n counter)")
    source, checkpoint = tmp_path / "in", tmp_path / "checkpoint"
    source.mkdir()
    counted = StructType([StructField("id", StringType(), False), StructField("n", LongType(), True)])

    def run_until_caught_up():
        query = (
            spark.readStream.schema(counted)
            .json(str(source))
            .writeStream.format("pycassandra")
            .options(**node_options)
            .option("table", "tally")
            .option("write_mode", "update")
            .option("checkpointLocation", str(checkpoint))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        assert query.exception() is None

    first = [{"id": str(uuid.uuid4()), "n": 1} for _ in range(300)]
    (source / "part-0.json").write_text("\n".join(json.dumps(r) for r in first))
    run_until_caught_up()
    second = [{"id": str(uuid.uuid4()), "n": 1} for _ in range(200)]
    (source / "part-1.json").write_text("\n".join(json.dumps(r) for r in second))
    run_until_caught_up()  # a new query on the same checkpoint: only part-1 is new

    stored = {str(r.id): r.n for r in cql.execute(f"SELECT id, n FROM {keyspace}.tally")}
    assert stored == {r["id"]: 1 for r in first + second}
