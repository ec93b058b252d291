//! Reading a mutation body front to back, every length checked against the
//! bytes left, every error naming the segment and the file offset.

use scylla::cluster::metadata::ColumnType;

use crate::cdc::table::fixed_length;
use crate::vint;
use crate::CdcError;

#[derive(Clone)]
pub(crate) struct Cursor<'f, 'a> {
    file: &'f str,
    bytes: &'a [u8],
    /// File offset of `bytes[0]`.
    base: u64,
    at: usize,
}

impl<'f, 'a> Cursor<'f, 'a> {
    pub(crate) fn new(file: &'f str, bytes: &'a [u8], base: u64) -> Self {
        Cursor { file, bytes, base, at: 0 }
    }

    /// File offset of the next byte.
    #[inline]
    pub(crate) fn position(&self) -> u64 {
        self.base + self.at as u64
    }

    /// The bytes read since `position` (a [`position`](Self::position) of
    /// this cursor).
    #[inline]
    pub(crate) fn since(&self, position: u64) -> &'a [u8] {
        &self.bytes[(position - self.base) as usize..self.at]
    }

    /// The bytes not read yet.
    #[inline]
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.at == self.bytes.len()
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn invalid(&self, position: u64, what: String) -> CdcError {
        CdcError::Invalid { file: self.file.to_owned(), position, what }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn unsupported(&self, position: u64, what: String) -> CdcError {
        CdcError::Unsupported { file: self.file.to_owned(), position, what }
    }

    #[cold]
    #[inline(never)]
    fn truncated(&self, what: &'static str, needed: usize) -> CdcError {
        CdcError::Truncated {
            file: self.file.to_owned(),
            position: self.position(),
            what,
            needed: needed as u64,
            available: (self.bytes.len() - self.at) as u64,
        }
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CdcError> {
        let end =
            self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or_else(|| self.truncated(what, n))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    #[inline]
    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, CdcError> {
        Ok(self.take(1, what)?[0])
    }

    #[inline]
    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, CdcError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// An unsigned vint as Cassandra's `readUnsignedVInt` (a 64-bit value,
    /// reinterpreted as signed where a delta may be "negative").
    #[inline]
    pub(crate) fn vint(&mut self, what: &'static str) -> Result<u64, CdcError> {
        let rest = &self.bytes[self.at..];
        match vint::read_unsigned(rest) {
            Some((value, n)) => {
                self.at += n;
                Ok(value)
            }
            None => Err(self.truncated(what, vint::announced_length(rest))),
        }
    }

    /// `readUnsignedVInt32`: the value must be an `int`.
    #[inline]
    pub(crate) fn vint32(&mut self, what: &'static str) -> Result<i32, CdcError> {
        let at = self.position();
        let value = self.vint(what)?;
        i32::try_from(value as i64).map_err(|_| self.invalid(at, format!("{what} {value} is not a 32-bit int")))
    }

    /// A length (`readUnsignedVInt32`, not negative).
    #[inline]
    pub(crate) fn length(&mut self, what: &'static str) -> Result<usize, CdcError> {
        let at = self.position();
        let value = self.vint32(what)?;
        usize::try_from(value).map_err(|_| self.invalid(at, format!("{what} {value} is negative")))
    }

    /// A value of `cql_type`: raw bytes when the type fixes the length, else
    /// a vint length and the bytes (`AbstractType.readBuffer`).
    #[inline]
    pub(crate) fn value(&mut self, cql_type: &ColumnType<'_>, what: &'static str) -> Result<&'a [u8], CdcError> {
        match fixed_length(cql_type) {
            Some(n) => self.take(n, what),
            None => {
                let n = self.length(what)?;
                self.take(n, what)
            }
        }
    }
}
