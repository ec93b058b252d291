"""The driver of test_standalone_cluster.py, in a process of its own (a process
holds one SparkContext, and the test session's is local[2]).

The executors run ./environment/bin/python out of the archive given to
spark.archives (a venv-pack archive of a venv with pyarrow and the pycassandra
wheel), as PySpark documents for clusters; nothing of the driver's venv is
on their path.

usage: python cluster_job.py RESULTS.json MASTER ARCHIVE HOST PORT KEYSPACE
"""

from __future__ import annotations

import json
import os
import sys


def where_python_runs(_):
    import pycassandra

    yield {"executable": sys.executable, "prefix": sys.prefix, "pycassandra": pycassandra.__file__}


def main() -> None:
    results_path, master, archive, host, port, keyspace = sys.argv[1:7]
    # Executors start this relative path inside their working directory, where
    # Spark unpacked the archive under its '#environment' name.
    os.environ["PYSPARK_PYTHON"] = "./environment/bin/python"
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable

    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("pycassandra-standalone-test")
        .config("spark.archives", f"{archive}#environment")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", "1g")
        .config("spark.cores.max", "2")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    results = {}
    try:
        node = {"host": host, "port": port, "keyspace": keyspace, "table": "numbers"}
        executors = spark.sparkContext.parallelize(range(2), 2).mapPartitions(where_python_runs).collect()
        results["executors"] = executors
        df = spark.range(1000).selectExpr("cast(id as int) as id", "cast(id * 2 as bigint) as doubled").repartition(4)
        df.write.format("pycassandra").mode("append").options(**node).save()
        read = spark.read.format("pycassandra").options(**node).load()
        results["read_count"] = read.count()
        results["read_partitions"] = read.rdd.getNumPartitions()
        results["read_sum"] = read.selectExpr("sum(doubled) as s").collect()[0].s
        results["filtered"] = sorted(r.id for r in read.where("id < 5").collect())
    finally:
        spark.stop()
    with open(results_path, "w") as out:
        json.dump(results, out)


if __name__ == "__main__":
    main()
