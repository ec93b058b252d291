"""Keeps ``spark.dataSource.register(CassandraDataSource)`` working next to auto-registration.

The wheel ships ``pyspark_pycassandra.DefaultSource``, which PySpark 4 registers
statically under ``pycassandra``; PySpark 4.0 then refuses a runtime
registration of the same name with DATA_SOURCE_ALREADY_EXISTS. Registering
exactly the class that is already registered changes nothing, so that one
case is made a no-op; any other clash still raises Spark's error.
"""

from __future__ import annotations

import functools
import logging

logger = logging.getLogger("pycassandra")


def tolerate_reregistration(source_class: type) -> None:
    try:
        from pyspark.sql.datasource import DataSourceRegistration
    except ImportError:  # no PySpark: nothing to patch
        return
    original = DataSourceRegistration.register
    if getattr(original, "_pycassandra_tolerant", False):
        return

    @functools.wraps(original)
    def register(self, dataSource):  # noqa: N803 (PySpark's name)
        try:
            return original(self, dataSource)
        except Exception as error:
            if dataSource is source_class and "DATA_SOURCE_ALREADY_EXISTS" in str(error):
                logger.debug("pycassandra is already registered by pyspark_pycassandra; register() kept it")
                return None
            raise

    register._pycassandra_tolerant = True  # type: ignore[attr-defined]
    DataSourceRegistration.register = register  # type: ignore[method-assign]
