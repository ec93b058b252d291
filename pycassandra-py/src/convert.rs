//! `pycassandra.convert_value`: Python value in, Python value of the CQL type out.

use pycassandra::convert::{convert_value as convert, InputValue};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString};
use scylla::value::CqlValue;

use crate::errors::to_py;

/// Converts `value` to the Python form of CQL type `cql_type`; raises
/// `ConversionError` (a `ValueError`) naming the type and value.
#[pyfunction]
pub(crate) fn convert_value<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
    cql_type: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let text_form;
    let input = if value.is_none() {
        InputValue::Null
    } else if value.is_instance_of::<PyBool>() {
        InputValue::Bool(value.extract()?)
    } else if value.is_instance_of::<PyInt>() {
        InputValue::Int(value.extract().map_err(|_| {
            crate::errors::ConversionError::new_err(format!(
                "{cql_type}: integer overflow: {value} does not fit 128 bits"
            ))
        })?)
    } else if value.is_instance_of::<PyFloat>() {
        InputValue::Float(value.extract()?)
    } else if value.is_instance_of::<PyString>() {
        text_form = value.extract::<String>()?;
        InputValue::Text(&text_form)
    } else if let Ok(bytes) = value.cast::<PyBytes>() {
        return from_cql(py, convert(InputValue::Bytes(bytes.as_bytes()), cql_type).map_err(to_py)?);
    } else {
        // uuid.UUID, ipaddress, decimal.Decimal and friends convert through their text form.
        let kind = value.get_type().name()?.to_string();
        if !matches!(kind.as_str(), "UUID" | "IPv4Address" | "IPv6Address" | "Decimal") {
            return Err(PyTypeError::new_err(format!("Cannot convert {kind} to {cql_type}")));
        }
        text_form = value.str()?.to_string();
        InputValue::Text(&text_form)
    };
    from_cql(py, convert(input, cql_type).map_err(to_py)?)
}

fn from_cql<'py>(py: Python<'py>, value: Option<CqlValue>) -> PyResult<Bound<'py, PyAny>> {
    let Some(value) = value else { return Ok(py.None().into_bound(py)) };
    let module = |name: &str| py.import(name);
    Ok(match value {
        CqlValue::Ascii(s) | CqlValue::Text(s) => s.into_pyobject(py)?.into_any(),
        CqlValue::Boolean(b) => PyBool::new(py, b).to_owned().into_any(),
        CqlValue::TinyInt(i) => i.into_pyobject(py)?.into_any(),
        CqlValue::SmallInt(i) => i.into_pyobject(py)?.into_any(),
        CqlValue::Int(i) => i.into_pyobject(py)?.into_any(),
        CqlValue::BigInt(i) => i.into_pyobject(py)?.into_any(),
        CqlValue::Counter(c) => c.0.into_pyobject(py)?.into_any(),
        CqlValue::Float(f) => f.into_pyobject(py)?.into_any(),
        CqlValue::Double(f) => f.into_pyobject(py)?.into_any(),
        CqlValue::Blob(b) => PyBytes::new(py, &b).into_any(),
        CqlValue::Uuid(u) => module("uuid")?.getattr("UUID")?.call1((u.to_string(),))?,
        CqlValue::Timeuuid(u) => module("uuid")?.getattr("UUID")?.call1((uuid::Uuid::from(u).to_string(),))?,
        CqlValue::Inet(ip) => module("ipaddress")?.getattr("ip_address")?.call1((ip.to_string(),))?,
        CqlValue::Varint(v) => int_from_signed(py, v.as_signed_bytes_be_slice())?,
        CqlValue::Decimal(d) => {
            let (bytes, scale) = d.as_signed_be_bytes_slice_and_exponent();
            let unscaled = int_from_signed(py, bytes)?;
            module("decimal")?.getattr("Decimal")?.call1((unscaled,))?.call_method1("scaleb", (-scale,))?
        }
        CqlValue::Date(d) => {
            let days = i64::from(d.0) - (1i64 << 31);
            module("datetime")?.getattr("date")?.call_method1("fromordinal", (719_163 + days,))?
        }
        CqlValue::Time(t) => {
            let micros = t.0 / 1_000;
            let (h, m, s, us) =
                (micros / 3_600_000_000, micros / 60_000_000 % 60, micros / 1_000_000 % 60, micros % 1_000_000);
            module("datetime")?.getattr("time")?.call1((h, m, s, us))?
        }
        CqlValue::Timestamp(ts) => {
            let datetime = module("datetime")?;
            let epoch = datetime.getattr("datetime")?.call1((
                1970,
                1,
                1,
                0,
                0,
                0,
                0,
                datetime.getattr("timezone")?.getattr("utc")?,
            ))?;
            let delta = datetime.getattr("timedelta")?.call((), Some(&[("milliseconds", ts.0)].into_py_dict(py)?))?;
            epoch.call_method1("__add__", (delta,))?
        }
        CqlValue::Duration(d) => {
            let dict = pyo3::types::PyDict::new(py);
            dict.set_item("months", d.months)?;
            dict.set_item("days", d.days)?;
            dict.set_item("nanoseconds", d.nanoseconds)?;
            dict.into_any()
        }
        other => return Err(PyTypeError::new_err(format!("no Python form for {other:?}"))),
    })
}

fn int_from_signed<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = [("signed", true)].into_py_dict(py)?;
    py.import("builtins")?.getattr("int")?.call_method("from_bytes", (PyBytes::new(py, bytes), "big"), Some(&kwargs))
}

use pyo3::types::IntoPyDict;
