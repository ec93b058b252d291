"""Runs the Spark Connect scenarios of test_connect.py in a process of its own.

`SparkSession.builder.remote("local[2]")` starts a regular SparkContext in
this process to host the Connect server, and refuses to when one exists
(SESSION_OR_CONTEXT_EXISTS): the classic session of conftest.py and a local
Connect session cannot share a process. This client never imports pycassandra
and never calls register(): `format("pycassandra")` is found by PySpark's
auto-registration of `pyspark_pycassandra.DefaultSource` on the server side.

usage: python connect_probe.py RESULTS.json HOST PORT KEYSPACE WORKDIR
Writes {scenario: {"ok": bool, "detail": str}}.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import uuid


def main() -> None:
    results_path, host, port, keyspace, workdir = sys.argv[1:6]
    node = {"host": host, "port": port, "keyspace": keyspace}
    results: dict[str, dict[str, object]] = {}

    def scenario(name):
        def run(body):
            try:
                detail = body()
                results[name] = {"ok": True, "detail": detail}
            except Exception:
                results[name] = {"ok": False, "detail": traceback.format_exc()}
            return body

        return run

    from spark_sessions import local_spark

    spark = local_spark("pycassandra-connect-tests", connect=True)
    results["session"] = {"ok": True, "detail": type(spark).__module__}

    @scenario("batch_write")
    def batch_write():
        df = spark.createDataFrame([(i, i * 10) for i in range(20)], "id int, v int")
        df.write.format("pycassandra").mode("append").options(**node).option("table", "users").save()
        return "20 rows written"

    @scenario("read_pushdown")
    def read_pushdown():
        def read():  # a reader of its own each time: option() changes the reader it is called on
            return spark.read.format("pycassandra").options(**node).option("table", "users")

        # The plan's `filter` option reaches the node as CQL: Spark never sees the other rows.
        filtered = sorted(r.id for r in read().option("filter", "v >= 150").load().collect())
        assert filtered == [15, 16, 17, 18, 19], filtered
        detail = {"filter option": filtered}
        import pyspark

        major, minor = (int(p) for p in pyspark.__version__.split(".")[:2])
        if (major, minor) >= (4, 1):
            # Spark's own filter pushdown (pushFilters) exists from 4.1.
            spark.conf.set("spark.sql.python.filterPushdown.enabled", "true")
            pushed = sorted(r.id for r in read().load().where("id IN (3, 4)").collect())
            assert pushed == [3, 4], pushed
            detail["pushed filter"] = pushed
        return json.dumps(detail)

    @scenario("stream_write")
    def stream_write():
        source = os.path.join(workdir, "in")
        os.makedirs(source, exist_ok=True)
        for f in range(2):
            with open(os.path.join(source, f"part-{f}.json"), "w") as out:
                out.write("\n".join(json.dumps({"id": str(uuid.uuid4()), "n": f * 100 + i}) for i in range(100)))
        query = (
            spark.readStream.schema("id string, n int")
            .option("maxFilesPerTrigger", 1)
            .json(source)
            .writeStream.format("pycassandra")
            .options(**node)
            .option("table", "events")
            .option("checkpointLocation", os.path.join(workdir, "checkpoint"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        assert query.exception() is None, query.exception()
        return "200 rows streamed"

    @scenario("errors")
    def errors():
        messages = {}
        bad = spark.createDataFrame([("not-a-uuid", 1)], "id string, n int")
        try:
            bad.write.format("pycassandra").mode("append").options(**node).option("table", "events").save()
        except Exception as error:
            messages["bad value"] = str(error)
        else:
            raise AssertionError("a bad uuid was written")
        try:
            read = spark.read.format("pycassandra").options(**node).option("table", "users")
            read.option("wher", "id = 1").load().collect()
        except Exception as error:
            messages["unknown option"] = str(error)
        else:
            raise AssertionError("an unknown option was accepted")
        return json.dumps(messages)

    results["auto_registration"] = {
        "ok": "pycassandra" not in sys.modules and results.get("batch_write", {}).get("ok") is True,
        "detail": f"pycassandra imported by the client: {'pycassandra' in sys.modules}",
    }

    # Last: it imports pycassandra in the client, which lookup() needs (it builds the mapInArrow).
    @scenario("lookup")
    def lookup():
        import pycassandra

        keys = spark.createDataFrame([(3, "a"), (99, "miss"), (4, "b")], "id int, tag string")
        joined = pycassandra.lookup(keys, table="users", on="id", how="left", **node)
        rows = sorted((r.tag, r.v) for r in joined.collect())
        assert rows == [("a", 30), ("b", 40), ("miss", None)], rows
        return json.dumps(rows)

    spark.stop()
    with open(results_path, "w") as out:
        json.dump(results, out)


if __name__ == "__main__":
    main()
