//! Property: any value of every scalar CQL type, written from Arrow and read
//! back with the driver, equals what was meant.

use std::net::IpAddr;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array, Int8Array,
    RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use proptest::prelude::*;
use pycassandra::{CassandraWriter, WriteOptions};
use scylla::value::{CqlDate, CqlTimestamp, CqlValue, Row};

use crate::{ddl, node_options, node_session, unique_keyspace};

#[derive(Debug, Clone)]
struct Sample {
    tiny: i8,
    small: i16,
    int: i32,
    big: i64,
    float: f32,
    double: f64,
    flag: bool,
    text: String,
    ascii: String,
    blob: Vec<u8>,
    uuid: u128,
    inet: IpAddr,
    days: i32,
    millis: i64,
    varint: i128,
    decimal: (i64, u8),
    timeuuid: u128,
    nanos_of_day: i64,
    duration: (i32, i32, i64),
    numbers: Vec<i32>,
    scores: std::collections::BTreeMap<String, i32>,
}

fn sample() -> impl Strategy<Value = Sample> {
    (
        (
            any::<i8>(),
            any::<i16>(),
            any::<i32>(),
            any::<i64>(),
            any::<f32>().prop_filter("NaN never equals", |f| !f.is_nan()),
        ),
        (
            any::<f64>().prop_filter("NaN never equals", |f| !f.is_nan()),
            any::<bool>(),
            ".{0,40}",
            "[ -~]{0,40}",
            proptest::collection::vec(any::<u8>(), 0..64),
        ),
        (
            any::<u128>(),
            any::<IpAddr>(),
            -1_000_000i32..1_000_000,
            -10_000_000_000_000i64..10_000_000_000_000,
            any::<i128>(),
        ),
        (
            (any::<i64>(), 0u8..20),
            any::<u128>(),
            0i64..86_400_000_000_000,
            duration(),
            proptest::collection::vec(any::<i32>(), 0..8),
        ),
        proptest::collection::btree_map("[a-z]{1,6}", any::<i32>(), 0..5),
    )
        .prop_map(
            |(
                (tiny, small, int, big, float),
                (double, flag, text, ascii, blob),
                (uuid, inet, days, millis, varint),
                (decimal, timeuuid, nanos_of_day, duration, numbers),
                scores,
            )| Sample {
                tiny,
                small,
                int,
                big,
                float,
                double,
                flag,
                text,
                ascii,
                blob,
                uuid,
                inet,
                days,
                millis,
                varint,
                decimal,
                timeuuid,
                nanos_of_day,
                duration,
                numbers,
                scores,
            },
        )
}

/// CQL durations need months, days and nanoseconds of one sign.
fn duration() -> impl Strategy<Value = (i32, i32, i64)> {
    (0i32..1_000, 0i32..10_000, 0i64..1_000_000_000_000_000, any::<bool>()).prop_map(|(m, d, n, negative)| {
        if negative {
            (-m, -d, -n)
        } else {
            (m, d, n)
        }
    })
}

/// A version-1 uuid from random bits.
fn version_one(bits: u128) -> uuid::Uuid {
    let mut bytes = bits.to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x10;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes)
}

const COLUMNS: [(&str, &str); 21] = [
    ("tiny", "tinyint"),
    ("small", "smallint"),
    ("int", "int"),
    ("big", "bigint"),
    ("f", "float"),
    ("d", "double"),
    ("flag", "boolean"),
    ("txt", "text"),
    ("ascii_text", "ascii"),
    ("bl", "blob"),
    ("u", "uuid"),
    ("ip", "inet"),
    ("day", "date"),
    ("ts", "timestamp"),
    ("vi", "varint"),
    ("dec", "decimal"),
    ("tu", "timeuuid"),
    ("tm", "time"),
    ("du", "duration"),
    ("numbers", "list<int>"),
    ("scores", "map<text, int>"),
];

fn batch(samples: &[Sample]) -> RecordBatch {
    let id = Int32Array::from_iter_values(0..samples.len() as i32);
    let string =
        |f: &dyn Fn(&Sample) -> String| Arc::new(StringArray::from_iter_values(samples.iter().map(f))) as ArrayRef;
    let mut fields = vec![Field::new("id", DataType::Int32, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(id)];
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(Int8Array::from_iter_values(samples.iter().map(|s| s.tiny))),
        Arc::new(Int16Array::from_iter_values(samples.iter().map(|s| s.small))),
        Arc::new(Int32Array::from_iter_values(samples.iter().map(|s| s.int))),
        Arc::new(Int64Array::from_iter_values(samples.iter().map(|s| s.big))),
        Arc::new(Float32Array::from_iter_values(samples.iter().map(|s| s.float))),
        Arc::new(Float64Array::from_iter_values(samples.iter().map(|s| s.double))),
        Arc::new(BooleanArray::from(samples.iter().map(|s| s.flag).collect::<Vec<_>>())),
        string(&|s| s.text.clone()),
        string(&|s| s.ascii.clone()),
        Arc::new(BinaryArray::from_iter_values(samples.iter().map(|s| s.blob.as_slice()))),
        string(&|s| uuid::Uuid::from_u128(s.uuid).to_string()),
        string(&|s| s.inet.to_string()),
        Arc::new(arrow_array::Date32Array::from_iter_values(samples.iter().map(|s| s.days))),
        Arc::new(arrow_array::TimestampMillisecondArray::from_iter_values(samples.iter().map(|s| s.millis))),
        string(&|s| s.varint.to_string()),
        string(&|s| format!("{}e-{}", s.decimal.0, s.decimal.1)),
        string(&|s| version_one(s.timeuuid).to_string()),
        Arc::new(arrow_array::Time64NanosecondArray::from_iter_values(samples.iter().map(|s| s.nanos_of_day))),
        Arc::new(arrow_array::IntervalMonthDayNanoArray::from_iter_values(
            samples
                .iter()
                .map(|s| arrow_array::types::IntervalMonthDayNano::new(s.duration.0, s.duration.1, s.duration.2)),
        )),
        Arc::new(arrow_array::ListArray::from_iter_primitive::<arrow_array::types::Int32Type, _, _>(
            samples.iter().map(|s| Some(s.numbers.iter().map(|n| Some(*n)).collect::<Vec<_>>())),
        )),
        {
            let mut builder = arrow_array::builder::MapBuilder::new(
                None,
                arrow_array::builder::StringBuilder::new(),
                arrow_array::builder::Int32Builder::new(),
            );
            for s in samples {
                for (k, v) in &s.scores {
                    builder.keys().append_value(k);
                    builder.values().append_value(*v);
                }
                builder.append(true).unwrap();
            }
            Arc::new(builder.finish())
        },
    ];
    for ((name, _), array) in COLUMNS.iter().zip(arrays) {
        fields.push(Field::new(*name, array.data_type().clone(), true));
        columns.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn expected(s: &Sample) -> Vec<Option<CqlValue>> {
    let varint = pycassandra::convert::text::varint(&s.varint.to_string()).unwrap();
    [
        CqlValue::TinyInt(s.tiny),
        CqlValue::SmallInt(s.small),
        CqlValue::Int(s.int),
        CqlValue::BigInt(s.big),
        CqlValue::Float(s.float),
        CqlValue::Double(s.double),
        CqlValue::Boolean(s.flag),
        CqlValue::Text(s.text.clone()),
        CqlValue::Ascii(s.ascii.clone()),
        CqlValue::Blob(s.blob.clone()),
        CqlValue::Uuid(uuid::Uuid::from_u128(s.uuid)),
        CqlValue::Inet(s.inet),
        CqlValue::Date(CqlDate((1u32 << 31).wrapping_add_signed(s.days))),
        CqlValue::Timestamp(CqlTimestamp(s.millis)),
        CqlValue::Varint(varint),
        CqlValue::Decimal(pycassandra::convert::text::decimal(&format!("{}e-{}", s.decimal.0, s.decimal.1)).unwrap()),
        CqlValue::Timeuuid(version_one(s.timeuuid).into()),
        CqlValue::Time(scylla::value::CqlTime(s.nanos_of_day)),
        CqlValue::Duration(scylla::value::CqlDuration {
            months: s.duration.0,
            days: s.duration.1,
            nanoseconds: s.duration.2,
        }),
    ]
    .into_iter()
    .map(Some)
    // Cassandra stores an empty collection as no collection at all.
    .chain([
        (!s.numbers.is_empty()).then(|| CqlValue::List(s.numbers.iter().map(|n| CqlValue::Int(*n)).collect())),
        (!s.scores.is_empty()).then(|| {
            CqlValue::Map(s.scores.iter().map(|(k, v)| (CqlValue::Text(k.clone()), CqlValue::Int(*v))).collect())
        }),
    ])
    .collect()
}

#[test]
fn every_scalar_type_round_trips() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (session, keyspace) = runtime.block_on(async {
        let session = node_session().await;
        let keyspace = unique_keyspace(&session).await;
        let columns: Vec<String> = COLUMNS.iter().map(|(n, t)| format!("{n} {t}")).collect();
        ddl(&session, &format!("CREATE TABLE {keyspace}.scalars (id int PRIMARY KEY, {})", columns.join(", "))).await;
        (session, keyspace)
    });
    let select = format!(
        "SELECT {} FROM {keyspace}.scalars WHERE id = ?",
        COLUMNS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    );
    let config = ProptestConfig { cases: 24, ..ProptestConfig::default() };
    proptest!(config, |(samples in proptest::collection::vec(sample(), 1..20))| {
        let input = batch(&samples);
        let rows: Vec<Vec<Option<CqlValue>>> = runtime.block_on(async {
            let mut writer = CassandraWriter::with_session(session.clone(), WriteOptions::new(node_options(), &keyspace, "scalars"), input.schema().as_ref()).await.unwrap();
            writer.write_batch(&input).await.unwrap();
            writer.finish().await.unwrap();
            let mut rows = Vec::new();
            for id in 0..samples.len() as i32 {
                let result = session.query_unpaged(select.as_str(), (id,)).await.unwrap().into_rows_result().unwrap();
                rows.push(result.single_row::<Row>().unwrap().columns);
            }
            rows
        });
        for (sample, row) in samples.iter().zip(rows) {
            let row: Vec<Option<CqlValue>> = row.into_iter().map(|v| match v { Some(CqlValue::Empty) => None, other => other }).collect();
            let want: Vec<Option<CqlValue>> = expected(sample);
            prop_assert_eq!(row, want, "sample {:?}", sample);
        }
    });
}
