"""Spark schema to Arrow schema, the way this PySpark version sends and expects batches."""

from __future__ import annotations

from pyspark.sql.types import StructType


def spark_arrow_schema(schema: StructType):
    """Arrow schema Spark uses for ``schema``: timestamps in UTC, nullability kept.

    PySpark 4.2+ compares a reader's batches with exactly this schema;
    4.0/4.1 spell the UTC choice ``timestamp_utc=True`` (their default),
    4.2+ spell it ``timezone="UTC"``.
    """
    from pyspark.sql.pandas.types import to_arrow_schema

    try:
        return to_arrow_schema(schema, timezone="UTC")  # type: ignore[call-arg]  # 4.2+; mypy sees the pinned 4.0
    except TypeError:
        return to_arrow_schema(schema)


def spark_schema(arrow_schema) -> StructType:
    """Spark schema of an Arrow schema made by the native reader."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema, prefer_timestamp_ntz=False)
