"""Spark's pushed filters as plain data for the native module.

Only the shape is mapped here: `(column, operator, [(kind, value)])`. Which
filters Cassandra evaluates exactly as Spark would, and their CQL, are
decided in Rust (`pycassandra::read::pushdown`), which knows the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, List, Optional, Tuple

NativeFilter = Tuple[str, str, List[Tuple[str, str]]]

OPERATORS = {
    "EqualTo": "=",
    "In": "in",
    "GreaterThan": ">",
    "GreaterThanOrEqual": ">=",
    "LessThan": "<",
    "LessThanOrEqual": "<=",
}


def _value(value: object) -> Tuple[str, str]:
    # bool before int: a Python bool is an int.
    if isinstance(value, bool):
        return ("boolean", "true" if value else "false")
    if isinstance(value, int):
        return ("integer", str(value))
    if isinstance(value, str):
        return ("text", value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return ("date", value.isoformat())
    return ("other", "")


def native_filter(spark_filter: Any) -> Optional[NativeFilter]:
    """The filter as plain data, or None for one of another shape (nested column, NOT, OR, IS NULL, …)."""
    operator = OPERATORS.get(type(spark_filter).__name__)
    if operator is None:
        return None
    attribute: Tuple[str, ...] = spark_filter.attribute
    if len(attribute) != 1:
        return None
    values = list(spark_filter.value) if operator == "in" else [spark_filter.value]
    return (attribute[0], operator, [_value(v) for v in values])
