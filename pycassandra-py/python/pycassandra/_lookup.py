"""Join a DataFrame (batch or streaming) with a Cassandra table by key.

Built on ``mapInArrow``: the keys of each Arrow batch go to Rust, which reads
each key on one of its replicas with bounded concurrency and returns the
batch joined with the rows found. No JVM extension or JAR is involved, so it
works wherever PySpark's Python runs, Spark Connect included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Union

from pycassandra import _native
from pycassandra._arrow import spark_arrow_schema, spark_schema

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

DEFAULT_CONCURRENCY = 64


def lookup(
    df: "DataFrame",
    *,
    keyspace: str,
    table: str,
    on: Union[str, Iterable[str]],
    how: str = "inner",
    columns: Optional[Iterable[str]] = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    **options: str,
) -> "DataFrame":
    """``df`` joined with ``keyspace.table`` on the key columns ``on``.

    Parameters
    ----------
    df : DataFrame
        The rows to enrich; batch or streaming.
    keyspace, table : str
        The table to read.
    on : str or list of str
        Columns of ``df`` that hold the key, named as in the table: its whole
        partition key, then optionally the first clustering columns.
    how : ``"inner"`` or ``"left"``
        ``inner`` keeps rows whose key is found, once per table row found
        (a partition key alone finds every row of the partition); ``left``
        keeps every row, with nulls where nothing is found. A null key finds nothing.
    columns : list of str, optional
        Table columns to fetch; default every column that is not in ``on``.
        A fetched column may not share a name with a column of ``df``.
    concurrency : int
        Point reads in flight at once, per Spark task.
    **options : str
        The read options of ``spark.read.format("pycassandra")``: ``host``
        (required), ``port``, ``username``, ``password``, the ``ssl_*``
        options, ``consistency`` (LOCAL_ONE), ``fetch_size_rows``,
        ``writetime_columns``, ``ttl_columns``, ``where``, ``limit`` (most rows per key).

    Returns
    -------
    DataFrame
        ``df``'s columns, then the fetched ones.

    Notes
    -----
    The options, keys and columns are checked against the table here, on the
    driver (one connection), before any task; a key value that does not fit
    its CQL type fails the task with the same error a write gives.

    Examples
    --------
    >>> from pycassandra import lookup
    >>> enriched = lookup(orders, keyspace="shop", table="customers", on="customer_id",
    ...                   how="left", host="127.0.0.1")  # doctest: +SKIP
    """
    settings = {str(name): str(value) for name, value in options.items()}
    settings.update(keyspace=keyspace, table=table)
    keys = [on] if isinstance(on, str) else list(on)
    fetched = None if columns is None else list(columns)
    input_schema = spark_arrow_schema(df.schema)
    planned = _native.Lookup(settings, keys, how, fetched, int(concurrency), input_schema)
    output = spark_schema(planned.schema())

    def join(batches: Iterable["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        joiner: Optional[_native.Lookup] = None
        for batch in batches:
            if joiner is None:
                # The batch's own schema: exactly what Spark sends this task.
                joiner = _native.Lookup(settings, keys, how, fetched, int(concurrency), batch.schema)
            yield joiner.join(batch)

    return df.mapInArrow(join, output)


__all__: List[str] = ["lookup"]
