"""PySpark 4 registers any importable ``pyspark_*`` module that defines
``DefaultSource``, so ``format("pycassandra")`` works right after install."""

from pycassandra import CassandraDataSource as DefaultSource

__all__ = ["DefaultSource"]
