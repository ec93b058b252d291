"""A sink that only records what Spark hands its stream writer, to pin the
Arrow path of streaming writes (imported by Spark's workers)."""

from __future__ import annotations

import os
import uuid

from pyspark.sql.datasource import DataSource, DataSourceArrowWriter, DataSourceStreamWriter, WriterCommitMessage


class ProbeStreamWriter(DataSourceStreamWriter, DataSourceArrowWriter):
    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir

    def write(self, iterator):
        kinds = {f"{type(item).__module__}.{type(item).__name__}" for item in iterator}
        with open(os.path.join(self.out_dir, uuid.uuid4().hex), "w") as out:
            out.write("\n".join(sorted(kinds)))
        return WriterCommitMessage()

    def commit(self, messages, batchId):  # noqa: N803
        pass

    def abort(self, messages, batchId):  # noqa: N803
        pass


class ProbeSource(DataSource):
    @classmethod
    def name(cls):
        return "pycassandra_stream_probe"

    def streamWriter(self, schema, overwrite):  # noqa: N802
        return ProbeStreamWriter(self.options["out_dir"])
