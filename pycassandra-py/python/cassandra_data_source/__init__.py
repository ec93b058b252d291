"""The original plan's import path, kept working: ``from cassandra_data_source import CassandraDataSource``."""

from pycassandra import CassandraDataSource, convert_value

__all__ = ["CassandraDataSource", "convert_value"]
