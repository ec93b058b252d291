"""Exceptions of pycassandra. The native module raises these classes."""


class PycassandraError(Exception):
    """Base class of every pycassandra error."""


class ConfigError(PycassandraError, ValueError):
    """An option is missing, malformed, unknown, or conflicts with another."""


class SchemaMismatchError(PycassandraError, ValueError):
    """The table does not exist, or the input's columns do not fit it."""


class ConversionError(PycassandraError, ValueError):
    """A value cannot become its column's CQL type (row, column, type and value are named)."""


class CassandraConnectError(PycassandraError, ConnectionError):
    """The cluster could not be reached, or refused the login."""


class CassandraWriteError(PycassandraError):
    """The cluster failed a write after its retries."""


class CassandraReadError(PycassandraError):
    """The cluster failed a scan, or a value it sent could not be decoded."""


class ChangeAgentError(PycassandraError):
    """A change agent refused a request or answered with an error (its message is given)."""


class ChangeAgentUnreachableError(ChangeAgentError, ConnectionError):
    """A change agent could not be reached: the stream pauses that node's offset."""


__all__ = [
    "CassandraConnectError",
    "CassandraReadError",
    "CassandraWriteError",
    "ChangeAgentError",
    "ChangeAgentUnreachableError",
    "ConfigError",
    "ConversionError",
    "PycassandraError",
    "SchemaMismatchError",
]
