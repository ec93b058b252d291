use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::Array;
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};

use super::*;

fn native(n: NativeType) -> ColumnType<'static> {
    ColumnType::Native(n)
}

fn sink(cql: &ColumnType<'static>) -> Sink {
    Sink::new(cql, &arrow_type(cql).unwrap()).unwrap()
}

fn item(bytes: &[u8]) -> Vec<u8> {
    let mut out = (bytes.len() as i32).to_be_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

#[test]
fn scalars_decode_into_the_default_types() {
    let mut ints = sink(&native(NativeType::Int));
    ints.push(Some(&(-7i32).to_be_bytes())).unwrap();
    ints.push(None).unwrap();
    ints.push(Some(&[])).unwrap();
    let array = ints.finish().unwrap();
    let ints = array.as_primitive::<Int32Type>();
    assert_eq!((ints.value(0), ints.is_null(1), ints.is_null(2)), (-7, true, true));

    let mut stamps = sink(&native(NativeType::Timestamp));
    stamps.push(Some(&1_700_000_000_123i64.to_be_bytes())).unwrap();
    let array = stamps.finish().unwrap();
    assert_eq!(array.data_type(), &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
    assert_eq!(array.as_primitive::<TimestampMicrosecondType>().value(0), 1_700_000_000_123_000);

    let mut dates = sink(&native(NativeType::Date));
    dates.push(Some(&((1u32 << 31) - 1).to_be_bytes())).unwrap();
    assert_eq!(dates.finish().unwrap().as_primitive::<Date32Type>().value(0), -1);

    let mut small = sink(&native(NativeType::SmallInt));
    small.push(Some(&(-2i16).to_be_bytes())).unwrap();
    assert_eq!(small.finish().unwrap().as_primitive::<Int16Type>().value(0), -2);
}

#[test]
fn a_list_of_text_and_a_map_decode_with_spark_layout() {
    let list_type =
        ColumnType::Collection { frozen: false, typ: CollectionType::List(Box::new(native(NativeType::Text))) };
    let mut list = sink(&list_type);
    let mut value = 2i32.to_be_bytes().to_vec();
    value.extend(item(b"a"));
    value.extend(item("é".as_bytes()));
    list.push(Some(&value)).unwrap();
    list.push(None).unwrap();
    let array = list.finish().unwrap();
    assert_eq!(array.data_type(), &arrow_type(&list_type).unwrap());
    let lists = array.as_list::<i32>();
    assert_eq!(lists.value(0).as_string::<i32>().iter().flatten().collect::<Vec<_>>(), ["a", "é"]);
    assert!(lists.is_null(1));

    let map_type = ColumnType::Collection {
        frozen: false,
        typ: CollectionType::Map(Box::new(native(NativeType::Int)), Box::new(native(NativeType::Boolean))),
    };
    let mut map = sink(&map_type);
    let mut value = 1i32.to_be_bytes().to_vec();
    value.extend(item(&5i32.to_be_bytes()));
    value.extend(item(&[1]));
    map.push(Some(&value)).unwrap();
    let array = map.finish().unwrap();
    let entries = array.as_map().value(0);
    assert_eq!(entries.column(0).as_primitive::<Int32Type>().value(0), 5);
    assert!(entries.column(1).as_boolean().value(0));
}

#[test]
fn a_tuple_shorter_on_the_wire_fills_with_nulls() {
    let tuple = ColumnType::Tuple(vec![native(NativeType::Int), native(NativeType::Text)]);
    let mut sink = sink(&tuple);
    sink.push(Some(&item(&3i32.to_be_bytes()))).unwrap();
    let array = sink.finish().unwrap();
    let fields = array.as_struct();
    assert_eq!(fields.column(0).as_primitive::<Int32Type>().value(0), 3);
    assert!(fields.column(1).is_null(0));
}

#[test]
fn decimals_become_exact_decimal128_or_an_error() {
    let decimal = native(NativeType::Decimal);
    let mut exact = Sink::new(&decimal, &DataType::Decimal128(10, 3)).unwrap();
    let mut value = 2i32.to_be_bytes().to_vec();
    value.extend_from_slice(&12345i16.to_be_bytes());
    exact.push(Some(&value)).unwrap();
    assert_eq!(exact.finish().unwrap().as_primitive::<Decimal128Type>().value(0), 123_450);

    let mut lossy = Sink::new(&decimal, &DataType::Decimal128(10, 1)).unwrap();
    let error = lossy.push(Some(&value)).unwrap_err();
    let kind = DecodeErrorKind::InexactDecimal { value: "'123.45'".into(), precision: 10, scale: 1 };
    assert_eq!(error, DecodeFailure::from(kind));
    assert_eq!(error.to_string(), "'123.45' does not fit decimal(10, 1) exactly");
}

#[test]
fn pairs_that_would_lose_data_have_no_sink() {
    assert!(Sink::new(&native(NativeType::BigInt), &DataType::Int32).is_none());
    assert!(Sink::new(&native(NativeType::Text), &DataType::Int32).is_none());
    assert!(Sink::new(&native(NativeType::Double), &DataType::Float32).is_none());
}

#[test]
fn malformed_bytes_are_errors() {
    let mut ints = sink(&native(NativeType::Int));
    let error = ints.push(Some(&[1, 2, 3])).unwrap_err();
    assert_eq!(error.kind, DecodeErrorKind::Length { expected: 4, got: 3 });
    assert_eq!(error.to_string(), "expected 4 bytes, got 3");
    let list_type =
        ColumnType::Collection { frozen: false, typ: CollectionType::Set(Box::new(native(NativeType::Int))) };
    let mut set = sink(&list_type);
    assert!(set.push(Some(&[0, 0, 0, 5, 0, 0, 0, 4])).is_err());
}

#[test]
fn a_bad_part_of_a_nested_value_is_named_by_its_path_and_kind() {
    // map<text, frozen<list<int>>>: entry 0 is fine, entry 1's value has a 3-byte int at element 1.
    let list = ColumnType::Collection { frozen: true, typ: CollectionType::List(Box::new(native(NativeType::Int))) };
    let map_type = ColumnType::Collection {
        frozen: false,
        typ: CollectionType::Map(Box::new(native(NativeType::Text)), Box::new(list)),
    };
    let good_list = [&1i32.to_be_bytes()[..], &item(&7i32.to_be_bytes())].concat();
    let bad_list = [&2i32.to_be_bytes()[..], &item(&7i32.to_be_bytes()), &item(&[0, 0, 1])].concat();
    let map = [&2i32.to_be_bytes()[..], &item(b"a"), &item(&good_list), &item(b"b"), &item(&bad_list)].concat();
    let error = sink(&map_type).push(Some(&map)).unwrap_err();
    assert_eq!(error.path, [ValuePart::MapValue(1), ValuePart::Element(1)]);
    assert_eq!(error.kind, DecodeErrorKind::Length { expected: 4, got: 3 });
    assert_eq!(error.to_string(), "map value 1: element 1: expected 4 bytes, got 3");

    let null_key = [&1i32.to_be_bytes()[..], &(-1i32).to_be_bytes(), &item(&good_list)].concat();
    let error = sink(&map_type).push(Some(&null_key)).unwrap_err();
    assert_eq!((error.path.as_slice(), &error.kind), (&[ValuePart::MapKey(0)][..], &DecodeErrorKind::NullMapKey));
    assert_eq!(error.to_string(), "map key 0: null (a map key cannot be null)");
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_decode_or_fail_without_panicking(selector in 0usize..26, values in proptest::collection::vec(proptest::option::of(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)), 0..4)) {
        use NativeType as N;
        let scalars = [
            N::Ascii, N::Boolean, N::Blob, N::Counter, N::Date, N::Decimal, N::Double, N::Duration, N::Float, N::Int,
            N::BigInt, N::Text, N::Timestamp, N::Inet, N::SmallInt, N::TinyInt, N::Time, N::Timeuuid, N::Uuid, N::Varint,
        ];
        let list = |e| ColumnType::Collection { frozen: false, typ: CollectionType::List(Box::new(e)) };
        let cql = match selector {
            20 => list(native(N::Int)),
            21 => ColumnType::Collection { frozen: false, typ: CollectionType::Map(Box::new(native(N::Text)), Box::new(list(native(N::Decimal)))) },
            22 => ColumnType::Tuple(vec![native(N::Int), native(N::Varint), native(N::Duration)]),
            23 => ColumnType::Vector { typ: Box::new(native(N::Float)), dimensions: 3 },
            24 => ColumnType::Vector { typ: Box::new(native(N::Text)), dimensions: 2 },
            25 => ColumnType::Collection { frozen: true, typ: CollectionType::Set(Box::new(native(N::Inet))) },
            n => native(scalars[n].clone()),
        };
        let values: Vec<Option<&[u8]>> = values.iter().map(|v| v.as_deref()).collect();
        let _ = crate::read::decode_values(&cql, &values);
    }
}

#[test]
fn every_scalar_name_of_the_vocabulary_has_an_arrow_type_and_a_decoder() {
    for name in crate::cql_type::NAMES {
        let cql = native(crate::cql_type::parse_native(name).unwrap());
        let arrow = arrow_type(&cql).unwrap_or_else(|| panic!("{name} has no Arrow type"));
        assert!(Sink::new(&cql, &arrow).is_some(), "{name} has no decoder into {arrow}");
    }
}
