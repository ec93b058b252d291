"""The local SparkSession the PySpark tests, probes and jobs run on: two cores,
no UI, two shuffle partitions, the driver on the loopback address (so a
machine whose hostname does not resolve still works). One builder, so a
setting changed here holds for every one of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MASTER = "local[2]"
SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


def local_spark(app_name: str, *, connect: bool = False) -> SparkSession:
    """The session named `app_name`; `connect`: through Spark Connect
    (`remote("local[2]")` starts a local Connect server), else a classic one
    logging at WARN."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.remote(MASTER) if connect else SparkSession.builder.master(MASTER)
    builder = builder.appName(app_name)
    for key, value in SETTINGS.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if not connect:
        session.sparkContext.setLogLevel("WARN")
    return session
