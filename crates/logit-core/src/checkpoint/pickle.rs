//! Writes a [`Value`] as `torch.save` does: a protocol-2 pickle whose tensors are
//! `_rebuild_tensor_v2` calls on persistent storage ids, each storage a separate record.

use super::value::{Dict, Value};
use crate::{Storage, Tensor};

/// One storage record to write beside `data.pkl`.
pub(crate) struct Record {
    pub key: String,
    pub bytes: Vec<u8>,
}

/// The pickle bytes of `v` and the storage records it refers to, keyed `"0"`, `"1"`, … in the
/// order the tensors appear.
pub(crate) fn pickle(v: &Value) -> (Vec<u8>, Vec<Record>) {
    let mut p = Pickler {
        out: vec![0x80, 2],
        records: Vec::new(),
    };
    p.value(v);
    p.out.push(b'.');
    (p.out, p.records)
}

struct Pickler {
    out: Vec<u8>,
    records: Vec<Record>,
}

impl Pickler {
    fn global(&mut self, module: &str, name: &str) {
        self.out.push(b'c');
        self.out.extend_from_slice(module.as_bytes());
        self.out.push(b'\n');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'\n');
    }

    fn int(&mut self, i: i64) {
        if (0..256).contains(&i) {
            self.out.extend_from_slice(&[b'K', i as u8]);
        } else if (0..65536).contains(&i) {
            self.out.push(b'M');
            self.out.extend_from_slice(&(i as u16).to_le_bytes());
        } else if let Ok(small) = i32::try_from(i) {
            self.out.push(b'J');
            self.out.extend_from_slice(&small.to_le_bytes());
        } else {
            // LONG1: the shortest little-endian two's complement, as Python writes it
            let b = i.to_le_bytes();
            let mut n = 8;
            while n > 1
                && ((b[n - 1] == 0 && b[n - 2] & 0x80 == 0)
                    || (b[n - 1] == 0xff && b[n - 2] & 0x80 != 0))
            {
                n -= 1;
            }
            self.out.extend_from_slice(&[0x8a, n as u8]);
            self.out.extend_from_slice(&b[..n]);
        }
    }

    fn str(&mut self, s: &str) {
        self.out.push(b'X');
        self.out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
    }

    fn tuple(&mut self, items: &[Value]) {
        match items.len() {
            0 => self.out.push(b')'),
            1..=3 => {
                for v in items {
                    self.value(v);
                }
                self.out.push(0x84 + items.len() as u8);
            }
            _ => {
                self.out.push(b'(');
                for v in items {
                    self.value(v);
                }
                self.out.push(b't');
            }
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::None => self.out.push(b'N'),
            Value::Bool(b) => self.out.push(if *b { 0x88 } else { 0x89 }),
            Value::Int(i) => self.int(*i),
            Value::Float(f) => {
                self.out.push(b'G');
                self.out.extend_from_slice(&f.to_be_bytes());
            }
            Value::Str(s) => self.str(s),
            Value::Bytes(b) => {
                // protocol 2 has no bytes opcode: Python writes _codecs.encode(latin-1 text)
                self.global("_codecs", "encode");
                self.str(&b.iter().map(|&x| x as char).collect::<String>());
                self.str("latin1");
                self.out.extend_from_slice(&[0x86, b'R']);
            }
            Value::Tuple(items) => self.tuple(items),
            Value::List(items) => {
                self.out.push(b']');
                if !items.is_empty() {
                    self.out.push(b'(');
                    for v in items {
                        self.value(v);
                    }
                    self.out.push(b'e');
                }
            }
            Value::Dict(d) => self.dict(d),
            Value::Tensor(t) => self.tensor(t),
        }
    }

    fn dict(&mut self, d: &Dict) {
        if d.ordered {
            self.global("collections", "OrderedDict");
            self.out.extend_from_slice(b")R");
        } else {
            self.out.push(b'}');
        }
        self.items(d.entries.iter().map(|(k, v)| (k.clone(), v)));
        if !d.attrs.is_empty() {
            self.out.push(b'}');
            self.items(d.attrs.iter().map(|(k, v)| (Value::Str(k.clone()), v)));
            self.out.push(b'b');
        }
    }

    fn items<'a>(&mut self, entries: impl Iterator<Item = (Value, &'a Value)>) {
        let mut any = false;
        for (k, v) in entries {
            if !any {
                self.out.push(b'(');
                any = true;
            }
            self.value(&k);
            self.value(v);
        }
        if any {
            self.out.push(b'u');
        }
    }

    fn tensor(&mut self, t: &Tensor) {
        let storage = t.storage();
        let (class, bytes) = (storage_class(&storage), storage.to_le_bytes());
        let key = self.records.len().to_string();
        self.global("torch._utils", "_rebuild_tensor_v2");
        self.out.push(b'(');
        {
            self.out.push(b'(');
            self.str("storage");
            self.global("torch", class);
            self.str(&key);
            self.str("cpu");
            self.int(t.numel() as i64);
            self.out.extend_from_slice(b"tQ");
        }
        self.int(0);
        let shape: Vec<Value> = t.shape().iter().map(|&n| Value::Int(n as i64)).collect();
        self.tuple(&shape);
        let stride: Vec<Value> = crate::shape::strides(t.shape())
            .into_iter()
            .map(|s| Value::Int(s as i64))
            .collect();
        self.tuple(&stride);
        self.value(&Value::Bool(t.requires_grad()));
        // backward hooks: an empty OrderedDict, as torch writes it
        self.global("collections", "OrderedDict");
        self.out.extend_from_slice(b")R");
        self.out.extend_from_slice(b"tR");
        self.records.push(Record { key, bytes });
    }
}

/// The storage class name of a storage, as `torch.save` names it.
fn storage_class(s: &Storage) -> &'static str {
    match s {
        Storage::F32(_) => "FloatStorage",
        Storage::F64(_) => "DoubleStorage",
        Storage::I64(_) => "LongStorage",
        Storage::Bool(_) => "BoolStorage",
    }
}
