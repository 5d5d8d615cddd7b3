//! The byte-level reading of a pickle: lengths checked against what remains, and the opcodes
//! that push a scalar, a string or bytes.

use super::value::Value;
use crate::{Error, Result};

/// What a scalar opcode did.
pub(crate) enum Scalar {
    /// It pushes this value.
    Value(Value),
    /// It pushes nothing (PROTO, FRAME).
    Nothing,
    /// It is not a scalar opcode.
    Other,
}

/// A cursor over the pickle bytes; `what` names the source in errors.
pub(crate) struct Reader<'a> {
    pub data: &'a [u8],
    pub pos: usize,
    pub what: &'a str,
}

impl Reader<'_> {
    pub(crate) fn err(&self, message: impl Into<String>) -> Error {
        Error::Format {
            path: self.what.to_string(),
            message: format!("data.pkl at byte {}: {}", self.pos, message.into()),
        }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let Some(end) = end else {
            return Err(self.err(format!(
                "expected {n} more bytes, the pickle ends after {}",
                self.data.len() - self.pos
            )));
        };
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn le(&mut self, n: usize) -> Result<u64> {
        let b = self.take(n)?;
        Ok(b.iter().rev().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
    }

    pub(crate) fn len(&mut self, n: usize) -> Result<usize> {
        let v = self.le(n)?;
        usize::try_from(v).map_err(|_| self.err(format!("length {v} does not fit in memory")))
    }

    pub(crate) fn line(&mut self) -> Result<String> {
        let rest = &self.data[self.pos..];
        let n = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| self.err("expected a newline-terminated argument"))?;
        let s = String::from_utf8_lossy(&rest[..n]).into_owned();
        self.pos += n + 1;
        Ok(s)
    }

    pub(crate) fn string(&mut self, n: usize) -> Result<String> {
        let b = self.take(n)?.to_vec();
        String::from_utf8(b).map_err(|_| self.err("a str that is not valid UTF-8"))
    }

    pub(crate) fn long(&mut self, n: usize) -> Result<i64> {
        if n > 8 {
            return Err(self.err(format!("an int of at most 8 bytes, got {n} bytes")));
        }
        let b = self.take(n)?;
        if n == 0 {
            return Ok(0);
        }
        let mut v: i64 = if b[n - 1] & 0x80 != 0 { -1 } else { 0 };
        for &x in b.iter().rev() {
            v = (v << 8) | i64::from(x);
        }
        Ok(v)
    }

    pub(crate) fn text_int(&mut self) -> Result<Value> {
        let l = self.line()?;
        let t = l.trim().trim_end_matches('L');
        match t {
            "00" => Ok(Value::Bool(false)),
            "01" => Ok(Value::Bool(true)),
            _ => t
                .parse()
                .map(Value::Int)
                .map_err(|_| self.err(format!("a 64-bit int, got {t:?}"))),
        }
    }

    /// Reads the argument of scalar opcode `op` and returns the value it pushes.
    pub(crate) fn scalar(&mut self, op: u8) -> Result<Scalar> {
        let val = |v: Value| Scalar::Value(v);
        Ok(match op {
            0x80 => {
                let proto = self.u8()?;
                if proto > 5 {
                    return Err(self.err(format!("pickle protocol 2 to 5, got {proto}")));
                }
                Scalar::Nothing
            }
            0x95 => {
                self.take(8)?;
                Scalar::Nothing
            }
            b'N' => val(Value::None),
            0x88 => val(Value::Bool(true)),
            0x89 => val(Value::Bool(false)),
            b'J' => val(Value::Int(i64::from(self.le(4)? as u32 as i32))),
            b'K' => val(Value::Int(self.le(1)? as i64)),
            b'M' => val(Value::Int(self.le(2)? as i64)),
            0x8a | 0x8b => {
                let n = if op == 0x8a {
                    self.len(1)?
                } else {
                    self.len(4)?
                };
                val(Value::Int(self.long(n)?))
            }
            b'I' | b'L' => val(self.text_int()?),
            b'F' => {
                let l = self.line()?;
                let f = l.trim().parse::<f64>().map_err(|_| self.err("a float"))?;
                val(Value::Float(f))
            }
            b'G' => val(Value::Float(f64::from_bits(u64::from_be_bytes(
                self.take(8)?.try_into().expect("8 bytes"),
            )))),
            b'X' | 0x8c | 0x8d => {
                let n = self.len(match op {
                    b'X' => 4,
                    0x8c => 1,
                    _ => 8,
                })?;
                val(Value::Str(self.string(n)?))
            }
            b'T' | b'U' => {
                // Python 2 byte strings: decoded as latin-1, as torch.load's encoding does
                let n = self.len(if op == b'T' { 4 } else { 1 })?;
                val(Value::Str(
                    self.take(n)?.iter().map(|&b| b as char).collect(),
                ))
            }
            b'B' | b'C' | 0x8e | 0x96 => {
                let n = self.len(match op {
                    b'B' => 4,
                    b'C' => 1,
                    _ => 8,
                })?;
                val(Value::Bytes(self.take(n)?.to_vec()))
            }
            _ => Scalar::Other,
        })
    }
}
