"""The original plan's design (../shared/seed/phase1-write-plan.md), as written
there, as the benchmark's baseline: a pure-Python PySpark data source, the row
writer (every value a Python object), cassandra-driver, every row of a task
collected into a list and sent with execute_concurrent_with_args
(concurrency = batch_size, default 100; consistency LOCAL_QUORUM).

Two changes only, so it runs: the plan's `SimpleCommitMessage` does not exist
in PySpark (a `WriterCommitMessage` is returned), and the format is named
"cassandra_plan" so it does not shadow pycassandra's own "pycassandra"."""

from __future__ import annotations

import ssl
import uuid as uuid_lib

from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, DataSourceWriter, WriterCommitMessage


def convert_value(value, cassandra_type):
    """The plan's convert_value: uuid strings parsed, int range checked, the rest passed through."""
    if value is None:
        return None
    cass_type = cassandra_type.lower()
    if cass_type in ("uuid", "timeuuid"):
        if isinstance(value, str):
            try:
                return uuid_lib.UUID(value)
            except (ValueError, AttributeError) as e:
                raise ValueError(f"Invalid UUID string '{value}': {e}") from e
        elif isinstance(value, uuid_lib.UUID):
            return value
        else:
            raise ValueError(f"Cannot convert {type(value)} to UUID")
    if cass_type == "int":
        if isinstance(value, int):
            if value < -(2**31) or value >= 2**31:
                raise ValueError(f"Integer overflow: {value} exceeds int32 range")
            return value
    if cass_type == "bigint":
        if isinstance(value, int):
            return value
    if cass_type in ("text", "varchar", "ascii"):
        return value
    return value


class PlanDataSource(DataSource):
    @classmethod
    def name(cls):
        return "cassandra_plan"

    def __init__(self, options):
        self.options = options

    def writer(self, schema, save_mode):
        return PlanBatchWriter(self.options, schema)

    def streamWriter(self, schema, overwrite):  # noqa: N802 (Spark's name)
        return PlanStreamWriter(self.options, schema)


class PlanWriter:
    def __init__(self, options, schema):
        self.options = options
        self.schema = schema
        required = ["host", "keyspace", "table"]
        missing = [opt for opt in required if opt not in self.options]
        if missing:
            raise ValueError(f"Missing required options: {', '.join(missing)}")
        self.host = options["host"]
        self.port = int(options.get("port", 9042))
        self.keyspace = options["keyspace"]
        self.table = options["table"]
        self.username = options.get("username")
        self.password = options.get("password")
        self.ssl_enabled = options.get("ssl_enabled", "false").lower() == "true"
        self.ssl_ca_cert = options.get("ssl_ca_cert")
        self.batch_size = int(options.get("batch_size", 100))
        self.consistency = options.get("consistency", "LOCAL_QUORUM")
        self.delete_flag_column = options.get("delete_flag_column")
        self.delete_flag_value = options.get("delete_flag_value")
        if self.delete_flag_column and not self.delete_flag_value:
            raise ValueError("delete_flag_value must be provided when delete_flag_column is specified")
        if self.delete_flag_value and not self.delete_flag_column:
            raise ValueError("delete_flag_column must be provided when delete_flag_value is specified")
        self._validate_primary_keys()

    def _validate_primary_keys(self):
        cluster = self._create_cluster()
        try:
            cluster.connect()
            table_meta = cluster.metadata.keyspaces[self.keyspace].tables[self.table]
            self.pk_columns = [col.name for col in table_meta.primary_key]
            self.column_types = {col.name: col.cql_type for col in table_meta.columns.values()}
            df_columns = set(field.name for field in self.schema.fields)
            missing_pks = [pk for pk in self.pk_columns if pk not in df_columns]
            if missing_pks:
                raise ValueError(
                    f"DataFrame schema missing primary key columns: {', '.join(missing_pks)}. "
                    f"Required PK columns: {', '.join(self.pk_columns)}"
                )
        finally:
            cluster.shutdown()

    def _create_cluster(self):
        from cassandra.auth import PlainTextAuthProvider
        from cassandra.cluster import Cluster

        kwargs = {"contact_points": [self.host], "port": self.port}
        if self.username and self.password:
            kwargs["auth_provider"] = PlainTextAuthProvider(username=self.username, password=self.password)
        if self.ssl_enabled:
            ssl_context = ssl.create_default_context()
            if self.ssl_ca_cert:
                ssl_context.load_verify_locations(self.ssl_ca_cert)
            kwargs["ssl_context"] = ssl_context
        return Cluster(**kwargs)

    def write(self, iterator):
        from cassandra.concurrent import execute_concurrent_with_args
        from cassandra.query import ConsistencyLevel

        cluster = self._create_cluster()
        session = cluster.connect(self.keyspace)
        try:
            consistency_map = {
                "ONE": ConsistencyLevel.ONE,
                "TWO": ConsistencyLevel.TWO,
                "THREE": ConsistencyLevel.THREE,
                "QUORUM": ConsistencyLevel.QUORUM,
                "ALL": ConsistencyLevel.ALL,
                "LOCAL_QUORUM": ConsistencyLevel.LOCAL_QUORUM,
                "EACH_QUORUM": ConsistencyLevel.EACH_QUORUM,
                "LOCAL_ONE": ConsistencyLevel.LOCAL_ONE,
            }
            consistency_level = consistency_map.get(self.consistency.upper(), ConsistencyLevel.LOCAL_QUORUM)
            data_columns = [field.name for field in self.schema.fields if field.name != self.delete_flag_column]
            columns_str = ", ".join(data_columns)
            placeholders = ", ".join(["?"] * len(data_columns))
            prepared_insert = session.prepare(f"INSERT INTO {self.table} ({columns_str}) VALUES ({placeholders})")
            prepared_insert.consistency_level = consistency_level
            prepared_delete = None
            if self.delete_flag_column:
                pk_placeholders = " AND ".join([f"{pk}=?" for pk in self.pk_columns])
                prepared_delete = session.prepare(f"DELETE FROM {self.table} WHERE {pk_placeholders}")
                prepared_delete.consistency_level = consistency_level

            insert_params = []
            delete_params = []
            for row in iterator:
                row_dict = row.asDict() if hasattr(row, "asDict") else dict(row)
                is_delete = False
                if self.delete_flag_column:
                    flag_value = row_dict.get(self.delete_flag_column)
                    if str(flag_value).lower() == self.delete_flag_value.lower():
                        is_delete = True
                if is_delete:
                    pk_values = []
                    for pk in self.pk_columns:
                        pk_values.append(convert_value(row_dict[pk], self.column_types.get(pk, "text")))
                    delete_params.append(tuple(pk_values))
                else:
                    values = []
                    for col in data_columns:
                        values.append(convert_value(row_dict.get(col), self.column_types.get(col, "text")))
                    insert_params.append(tuple(values))

            if insert_params:
                execute_concurrent_with_args(
                    session, prepared_insert, insert_params, concurrency=self.batch_size, raise_on_first_error=True
                )
            if delete_params and prepared_delete:
                execute_concurrent_with_args(
                    session, prepared_delete, delete_params, concurrency=self.batch_size, raise_on_first_error=True
                )
            return WriterCommitMessage()
        finally:
            cluster.shutdown()


class PlanBatchWriter(PlanWriter, DataSourceWriter):
    pass


class PlanStreamWriter(PlanWriter, DataSourceStreamWriter):
    def commit(self, messages, batchId):  # noqa: N803 (Spark's name)
        pass

    def abort(self, messages, batchId):  # noqa: N803 (Spark's name)
        pass
