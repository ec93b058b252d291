"""The original plan's convert_value contract, served by the Rust converters."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest

from pycassandra import ConversionError, convert_value


def test_string_to_uuid_valid():
    text = "550e8400-e29b-41d4-a716-446655440000"
    result = convert_value(text, "uuid")
    assert isinstance(result, uuid.UUID)
    assert str(result) == text


def test_string_to_uuid_invalid():
    with pytest.raises(ValueError, match="Invalid UUID"):
        convert_value("not-a-uuid", "uuid")


def test_int_to_bigint_and_int_in_range():
    assert convert_value(42, "bigint") == 42
    assert convert_value(42, "int") == 42


def test_long_to_int_overflow():
    with pytest.raises(ValueError, match="overflow"):
        convert_value(2**32, "int")
    with pytest.raises(ConversionError, match="overflow"):
        convert_value(2**63, "bigint")


def test_text_passes_through_and_none_stays_none():
    assert convert_value("hello", "text") == "hello"
    assert convert_value(None, "text") is None


def test_richer_types_than_the_plan():
    assert convert_value("e7c3a6a0-2c1b-11ef-9454-0242ac120002", "timeuuid").version == 1
    with pytest.raises(ValueError, match="timeuuid"):
        convert_value(str(uuid.uuid4()), "timeuuid")
    assert convert_value("12.345", "decimal") == decimal.Decimal("12.345")
    assert convert_value("-123456789012345678901234567890", "varint") == -123456789012345678901234567890
    assert convert_value("2024-02-29", "date") == datetime.date(2024, 2, 29)
    assert convert_value("2024-02-29T10:00:00Z", "timestamp") == datetime.datetime(
        2024, 2, 29, 10, tzinfo=datetime.timezone.utc
    )
    assert str(convert_value("::1", "inet")) == "::1"
    with pytest.raises(ValueError, match="non-ASCII"):
        convert_value("café", "ascii")


def test_an_unknown_type_name_is_a_config_error():
    with pytest.raises(ValueError, match="cql_type"):
        convert_value("x", "texty")
