"""A PySpark 4 Arrow sink that only counts the rows it receives: the CPU and
time Spark itself spends making the data set and handing it to Python, which
every PySpark data source pays before it writes anything."""

from __future__ import annotations

from pyspark.sql.datasource import DataSource, DataSourceArrowWriter, WriterCommitMessage


class CountSink(DataSource):
    @classmethod
    def name(cls):
        return "count_sink"

    def writer(self, schema, overwrite):
        return CountWriter()


class CountWriter(DataSourceArrowWriter):
    def write(self, iterator):
        rows = 0
        for batch in iterator:
            rows += batch.num_rows
        return WriterCommitMessage()
