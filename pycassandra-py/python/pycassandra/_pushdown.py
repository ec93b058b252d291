"""Spark filters into CQL, claiming only those CQL evaluates exactly as Spark would.

Spark does not re-check a filter the source claims, so a filter is claimed
only when its column's CQL type compares like Spark's type (integers, text,
ascii, boolean, date; uuid-like types for equality only), its value is a
plain literal, and CQL's restriction rules allow it:

- equality or IN on every partition key column: direct partition lookups;
- on clustering columns, in key order: equalities, then at most one range
  on the next column.

Everything else is left to Spark.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Dict, List, Optional, Sequence, Tuple

ORDERED_TYPES = {"tinyint", "smallint", "int", "bigint", "varint", "text", "ascii", "boolean", "date"}
EQUALITY_ONLY_TYPES = {"uuid", "timeuuid"}
MAX_LOOKUP_VALUES = 100


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value, cql_type: str) -> Optional[str]:
    """The CQL literal of ``value`` for a column of ``cql_type``, or None when it is not exact."""
    if value is None:
        return None
    if cql_type in {"tinyint", "smallint", "int", "bigint", "varint"}:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if cql_type in {"text", "ascii"}:
        if not isinstance(value, str) or (cql_type == "ascii" and not value.isascii()):
            return None
        return "'" + value.replace("'", "''") + "'"
    if cql_type == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else None
    if cql_type == "date":
        return f"'{value.isoformat()}'" if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None
    if cql_type in EQUALITY_ONLY_TYPES:
        try:
            return str(uuid.UUID(value)) if isinstance(value, str) and str(uuid.UUID(value)) == value else None
        except ValueError:
            return None
    return None


RANGE_OPERATORS = {"GreaterThan": ">", "GreaterThanOrEqual": ">=", "LessThan": "<", "LessThanOrEqual": "<="}


class Pushdown:
    """The CQL for the filters claimed: a partition-key predicate and clustering predicates."""

    def __init__(self, partition_key: Sequence[str], clustering_key: Sequence[str], types: Dict[str, str]):
        self._partition_key = list(partition_key)
        self._clustering_key = list(clustering_key)
        self._types = types
        self.partition_predicate: Optional[str] = None
        self.clustering_predicates: List[str] = []

    def _column(self, attribute: Tuple[str, ...]) -> Optional[str]:
        if len(attribute) != 1:
            return None
        name = attribute[0]
        if name in self._types:
            return name
        folded = [c for c in self._types if c.lower() == name.lower()]
        return folded[0] if len(folded) == 1 else None

    def push(self, filters: list) -> list:
        """Claims what it can; returns the filters Spark must still evaluate."""
        by_column: Dict[str, list] = {}
        for f in filters:
            column = self._column(getattr(f, "attribute", ()))
            if column is not None:
                by_column.setdefault(column, []).append(f)
        claimed: List[object] = []
        claimed += self._push_partition_key(by_column)
        claimed += self._push_clustering(by_column, lookups=self.partition_predicate is not None)
        return [f for f in filters if not any(f is c for c in claimed)]

    def _equality(self, f, column: str, allow_in: bool) -> Optional[str]:
        cql_type = self._types[column]
        if cql_type not in ORDERED_TYPES | EQUALITY_ONLY_TYPES:
            return None
        name = type(f).__name__
        if name == "EqualTo":
            value = literal(f.value, cql_type)
            return f"{quote_identifier(column)} = {value}" if value is not None else None
        if name == "In" and allow_in and 0 < len(f.value) <= MAX_LOOKUP_VALUES:
            values = [literal(v, cql_type) for v in f.value]
            known = [v for v in values if v is not None]
            if len(known) != len(values):
                return None
            return f"{quote_identifier(column)} IN ({', '.join(known)})"
        return None

    def _push_partition_key(self, by_column: Dict[str, list]) -> list:
        parts, claimed = [], []
        for column in self._partition_key:
            found = next(((f, p) for f in by_column.get(column, []) if (p := self._equality(f, column, True))), None)
            if found is None:
                return []
            claimed.append(found[0])
            parts.append(found[1])
        self.partition_predicate = " AND ".join(parts)
        return claimed

    def _push_clustering(self, by_column: Dict[str, list], lookups: bool) -> list:
        claimed = []
        for column in self._clustering_key:
            equality = next(
                ((f, p) for f in by_column.get(column, []) if (p := self._equality(f, column, lookups))), None
            )
            if equality is not None:
                claimed.append(equality[0])
                self.clustering_predicates.append(equality[1])
                continue
            if self._types[column] in ORDERED_TYPES:
                for f in by_column.get(column, []):
                    operator = RANGE_OPERATORS.get(type(f).__name__)
                    value = literal(f.value, self._types[column]) if operator else None
                    if value is not None:
                        claimed.append(f)
                        self.clustering_predicates.append(f"{quote_identifier(column)} {operator} {value}")
            break
        return claimed

    def native_argument(self):
        if self.partition_predicate is None and not self.clustering_predicates:
            return None
        return (self.partition_predicate, self.clustering_predicates)
