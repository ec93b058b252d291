"""pycassandra: Apache Cassandra and ScyllaDB for PySpark 4 and Rust.

>>> from pycassandra import CassandraDataSource
>>> CassandraDataSource.name()
'pycassandra'
"""

from pycassandra._logging import configure_from_environment

# Before the native module reads the logger's level.
configure_from_environment()

from pycassandra._lookup import lookup
from pycassandra._native import __version__, convert_value
from pycassandra._registration import tolerate_reregistration
from pycassandra.datasource import CassandraDataSource
from pycassandra.exceptions import (
    CassandraConnectError,
    CassandraReadError,
    CassandraWriteError,
    ChangeAgentError,
    ChangeAgentUnreachableError,
    ConfigError,
    ConversionError,
    PycassandraError,
    SchemaMismatchError,
)
from pycassandra.reader import CassandraPartition, CassandraReader
from pycassandra.writers import (
    CassandraBatchWriter,
    CassandraCommitMessage,
    CassandraStreamWriter,
)

tolerate_reregistration(CassandraDataSource)

__all__ = [
    "CassandraBatchWriter",
    "CassandraCommitMessage",
    "CassandraConnectError",
    "CassandraPartition",
    "CassandraReadError",
    "CassandraReader",
    "CassandraDataSource",
    "CassandraStreamWriter",
    "CassandraWriteError",
    "ChangeAgentError",
    "ChangeAgentUnreachableError",
    "ConfigError",
    "ConversionError",
    "PycassandraError",
    "SchemaMismatchError",
    "__version__",
    "convert_value",
    "lookup",
]
