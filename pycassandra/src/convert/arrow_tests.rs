//! ColumnConverter without a node: which (Arrow, CQL) pairs convert, to what,
//! and which are refused when the job is planned or when a value does not fit.

use std::sync::Arc;

use arrow_array::builder::{Int32Builder, ListBuilder};
use arrow_array::types::IntervalMonthDayNano;
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Date64Array, Decimal128Array, FixedSizeBinaryArray, Float32Array,
    Float64Array, Int16Array, Int32Array, Int64Array, IntervalMonthDayNanoArray, NullArray, StringArray,
    Time64NanosecondArray, TimestampMicrosecondArray, TimestampMillisecondArray,
};
use arrow_schema::DataType;
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};
use scylla::value::{CqlDate, CqlDecimal, CqlDuration, CqlTime, CqlTimestamp, CqlValue};

use super::ColumnConverter;
use crate::error::SchemaError;

const UUID_TEXT: &str = "550e8400-e29b-41d4-a716-446655440000";

fn native(native: NativeType) -> ColumnType<'static> {
    ColumnType::Native(native)
}

fn list_of(element: NativeType) -> ColumnType<'static> {
    ColumnType::Collection { frozen: false, typ: CollectionType::List(Box::new(native(element))) }
}

fn convert(array: ArrayRef, cql_type: &ColumnType<'_>) -> Vec<Option<CqlValue>> {
    let converter = ColumnConverter::new("c", array.data_type(), cql_type)
        .unwrap_or_else(|error| panic!("{} → {cql_type:?}: {error}", array.data_type()));
    converter.convert(array.as_ref()).unwrap_or_else(|error| panic!("{} → {cql_type:?}: {error}", array.data_type()))
}

/// `(CQL date)` of a day count since the epoch: CQL centres its days on 2^31.
fn date(days: u32) -> CqlValue {
    CqlValue::Date(CqlDate((1 << 31) + days))
}

#[test]
fn each_supported_pair_converts_to_the_expected_cql_values_and_keeps_nulls() {
    let uuid = uuid::Uuid::parse_str(UUID_TEXT).unwrap();
    let mut list = ListBuilder::new(Int32Builder::new());
    list.append_value([Some(1), Some(2)]);
    list.append_null();
    let cases: Vec<(ArrayRef, ColumnType<'static>, Vec<Option<CqlValue>>)> = vec![
        (
            Arc::new(Int32Array::from(vec![Some(1), None, Some(-7)])),
            native(NativeType::Int),
            vec![Some(CqlValue::Int(1)), None, Some(CqlValue::Int(-7))],
        ),
        (
            Arc::new(Int64Array::from(vec![127, -128])),
            native(NativeType::TinyInt),
            vec![Some(CqlValue::TinyInt(127)), Some(CqlValue::TinyInt(-128))],
        ),
        (Arc::new(Int16Array::from(vec![-3])), native(NativeType::BigInt), vec![Some(CqlValue::BigInt(-3))]),
        (
            Arc::new(Int64Array::from(vec![45_296_000_000_123])),
            native(NativeType::Time),
            vec![Some(CqlValue::Time(CqlTime(45_296_000_000_123)))],
        ),
        (
            Arc::new(StringArray::from(vec![Some("abc"), None])),
            native(NativeType::Text),
            vec![Some(CqlValue::Text("abc".into())), None],
        ),
        (
            Arc::new(StringArray::from(vec!["plain"])),
            native(NativeType::Ascii),
            vec![Some(CqlValue::Ascii("plain".into()))],
        ),
        (Arc::new(StringArray::from(vec![UUID_TEXT])), native(NativeType::Uuid), vec![Some(CqlValue::Uuid(uuid))]),
        (Arc::new(StringArray::from(vec![" 42 "])), native(NativeType::Int), vec![Some(CqlValue::Int(42))]),
        (
            Arc::new(StringArray::from(vec!["TRUE", "false"])),
            native(NativeType::Boolean),
            vec![Some(CqlValue::Boolean(true)), Some(CqlValue::Boolean(false))],
        ),
        (Arc::new(BooleanArray::from(vec![true])), native(NativeType::Boolean), vec![Some(CqlValue::Boolean(true))]),
        (Arc::new(Float32Array::from(vec![1.5])), native(NativeType::Double), vec![Some(CqlValue::Double(1.5))]),
        (Arc::new(Float64Array::from(vec![0.25])), native(NativeType::Float), vec![Some(CqlValue::Float(0.25))]),
        (Arc::new(Date32Array::from(vec![19_000])), native(NativeType::Date), vec![Some(date(19_000))]),
        (Arc::new(Date64Array::from(vec![86_400_000 * 2])), native(NativeType::Date), vec![Some(date(2))]),
        (
            Arc::new(TimestampMillisecondArray::from(vec![1_700_000_000_123])),
            native(NativeType::Timestamp),
            vec![Some(CqlValue::Timestamp(CqlTimestamp(1_700_000_000_123)))],
        ),
        (
            Arc::new(TimestampMicrosecondArray::from(vec![1_700_000_000_123_000])),
            native(NativeType::Timestamp),
            vec![Some(CqlValue::Timestamp(CqlTimestamp(1_700_000_000_123)))],
        ),
        (
            Arc::new(Time64NanosecondArray::from(vec![3_600_000_000_001])),
            native(NativeType::Time),
            vec![Some(CqlValue::Time(CqlTime(3_600_000_000_001)))],
        ),
        (
            Arc::new(IntervalMonthDayNanoArray::from(vec![IntervalMonthDayNano::new(1, 2, 3)])),
            native(NativeType::Duration),
            vec![Some(CqlValue::Duration(CqlDuration { months: 1, days: 2, nanoseconds: 3 }))],
        ),
        (
            Arc::new(BinaryArray::from(vec![&b"\x00\xff"[..]])),
            native(NativeType::Blob),
            vec![Some(CqlValue::Blob(vec![0, 255]))],
        ),
        (
            Arc::new(FixedSizeBinaryArray::try_from_iter([uuid.as_bytes().to_vec()].into_iter()).unwrap()),
            native(NativeType::Uuid),
            vec![Some(CqlValue::Uuid(uuid))],
        ),
        (
            // 123.45 as Decimal128(10, 2): the unscaled value and the scale, as CQL stores them.
            Arc::new(Decimal128Array::from(vec![12_345]).with_precision_and_scale(10, 2).unwrap()),
            native(NativeType::Decimal),
            vec![Some(CqlValue::Decimal(CqlDecimal::from_signed_be_bytes_and_exponent(
                12_345i128.to_be_bytes().to_vec(),
                2,
            )))],
        ),
        (
            Arc::new(list.finish()),
            list_of(NativeType::Int),
            vec![Some(CqlValue::List(vec![CqlValue::Int(1), CqlValue::Int(2)])), None],
        ),
        (Arc::new(NullArray::new(2)), native(NativeType::Uuid), vec![None, None]),
    ];
    for (array, cql_type, expected) in cases {
        let input = array.data_type().clone();
        assert_eq!(convert(array, &cql_type), expected, "{input} → {cql_type:?}");
    }
}

#[test]
fn pairs_without_a_conversion_are_refused_when_the_job_is_planned() {
    let refused = [
        (DataType::Int32, native(NativeType::Text)),
        (DataType::Int32, native(NativeType::Uuid)),
        (DataType::Boolean, native(NativeType::Int)),
        (DataType::Float64, native(NativeType::Int)),
        (DataType::Utf8, native(NativeType::Blob)),
        (DataType::Decimal128(10, 2), native(NativeType::Int)),
        (DataType::FixedSizeBinary(8), native(NativeType::Uuid)),
        (DataType::Int32, list_of(NativeType::Int)),
    ];
    for (input, cql_type) in refused {
        match ColumnConverter::new("c", &input, &cql_type) {
            Err(SchemaError::UnsupportedConversion { column, input_type, .. }) => {
                assert_eq!((column.as_str(), input_type), ("c", input.to_string()));
            }
            Err(other) => panic!("{input} → {cql_type:?}: unexpected error {other}"),
            Ok(_) => panic!("{input} → {cql_type:?} was accepted"),
        }
    }
}

#[test]
fn a_value_that_does_not_fit_names_its_row_column_type_and_value() {
    let failures: Vec<(ArrayRef, ColumnType<'static>, usize, &str)> = vec![
        (Arc::new(Int64Array::from(vec![1, 300])), native(NativeType::TinyInt), 1, "overflow"),
        (Arc::new(StringArray::from(vec![UUID_TEXT, "not-a-uuid"])), native(NativeType::Uuid), 1, "Invalid UUID"),
        (Arc::new(StringArray::from(vec!["é"])), native(NativeType::Ascii), 0, "non-ASCII"),
        (Arc::new(Float64Array::from(vec![1e300])), native(NativeType::Float), 0, "float"),
        (Arc::new(Date64Array::from(vec![1])), native(NativeType::Date), 0, "not a whole day"),
        (
            Arc::new(TimestampMicrosecondArray::from(vec![1_700_000_000_123_456])),
            native(NativeType::Timestamp),
            0,
            "sub-millisecond",
        ),
    ];
    for (array, cql_type, row, reason) in failures {
        let converter = ColumnConverter::new("amount", array.data_type(), &cql_type).unwrap();
        let error = converter.convert(array.as_ref()).unwrap_err();
        assert_eq!((error.row, error.column.as_str()), (row, "amount"), "{error}");
        assert_eq!(error.cql_type, crate::cql_type::name(&cql_type), "{error}");
        assert!(error.kind.to_string().contains(reason), "{cql_type:?}: {error}");
    }
}

#[test]
fn vectors_encode_fixed_size_elements_bare_and_others_with_a_vint_length() {
    use arrow_array::builder::{Float32Builder, StringBuilder};
    let vector_of =
        |element: NativeType, dimensions: u16| ColumnType::Vector { typ: Box::new(native(element)), dimensions };
    let mut floats = ListBuilder::new(Float32Builder::new());
    floats.append_value([Some(1.5), Some(-2.0), Some(0.25)]);
    floats.append_null();
    let expected = vec![Some(CqlValue::Vector(vec![1.5, -2.0, 0.25].into_iter().map(CqlValue::Float).collect())), None];
    assert_eq!(convert(Arc::new(floats.finish()), &vector_of(NativeType::Float, 3)), expected);
    // The driver decodes what was encoded: element lengths as vints, one of 200 bytes (two vint bytes).
    let long = "x".repeat(200);
    let mut texts = ListBuilder::new(StringBuilder::new());
    texts.append_value([Some("a"), Some(long.as_str())]);
    let expected = vec![Some(CqlValue::Vector(vec![CqlValue::Text("a".into()), CqlValue::Text(long.clone())]))];
    assert_eq!(convert(Arc::new(texts.finish()), &vector_of(NativeType::Text, 2)), expected);
    // A vector of the wrong length is refused, naming both lengths.
    let mut short = ListBuilder::new(Float32Builder::new());
    short.append_value([Some(1.0)]);
    let array: ArrayRef = Arc::new(short.finish());
    let converter = ColumnConverter::new("c", array.data_type(), &vector_of(NativeType::Float, 3)).unwrap();
    let error = converter.convert(array.as_ref()).unwrap_err();
    assert_eq!(error.to_string(), "row 0, column 'c' (vector<float, 3>): vector needs 3 elements, got 1: [1 elements]");
}
