//! A minimal FlatBuffers writer: tables, vectors, strings and aligned byte blobs, built back to
//! front as the format requires (a child is written before the table that points to it).
//!
//! The buffer is kept reversed while building (`bytes[i]` is the byte `i + 1` places from the
//! end of the final buffer), so prepending is a push; [`Builder::finish`] reverses it once.
//! An object's *end offset* is the length of the buffer right after it was written: its
//! distance from the end of the final buffer, which does not change as more is prepended.
//! Alignment is relative to the end, and `finish` pads the front so the total length is a
//! multiple of [`MAX_ALIGN`], which makes every end-relative alignment absolute.

use std::vec;
use std::vec::Vec;

/// The largest alignment used (TFLite wants buffer data on 16 bytes).
pub const MAX_ALIGN: usize = 16;

/// Where an object was written: its end offset (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written(usize);

/// A field of a table: a scalar, or an offset to an object written before.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// An unsigned byte (an enum such as a tensor type).
    U8(u8),
    /// A signed byte.
    I8(i8),
    /// A 32-bit integer.
    I32(i32),
    /// An unsigned 32-bit integer.
    U32(u32),
    /// A 32-bit float.
    F32(f32),
    /// An offset to a table, vector or string.
    Offset(Written),
}

impl Field {
    fn size(self) -> usize {
        match self {
            Field::U8(_) | Field::I8(_) => 1,
            Field::I32(_) | Field::U32(_) | Field::F32(_) | Field::Offset(_) => 4,
        }
    }
}

/// Builds one FlatBuffers buffer.
#[derive(Debug, Default)]
pub struct Builder {
    /// The buffer so far, reversed.
    rev: Vec<u8>,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    fn len(&self) -> usize {
        self.rev.len()
    }

    /// Prepends `bytes` (in their final order).
    fn prepend(&mut self, bytes: &[u8]) {
        self.rev.extend(bytes.iter().rev());
    }

    /// Pads so that after `additional` more bytes the end offset is a multiple of `align`.
    fn align_after(&mut self, align: usize, additional: usize) {
        while (self.len() + additional) % align != 0 {
            self.rev.push(0);
        }
    }

    /// An offset field that will sit at end offset `at`, pointing to `to`.
    fn uoffset(at: usize, to: Written) -> u32 {
        (at - to.0) as u32
    }

    fn push_u32(&mut self, v: u32) {
        self.align_after(4, 0);
        self.prepend(&v.to_le_bytes());
    }

    /// Prepends an offset to `to` (aligned).
    fn push_offset(&mut self, to: Written) {
        self.align_after(4, 0);
        let v = Self::uoffset(self.len() + 4, to);
        self.prepend(&v.to_le_bytes());
    }

    /// A vector of scalars, each given as its little-endian bytes of `size` bytes.
    fn scalars(&mut self, size: usize, count: usize, bytes: impl Fn(usize) -> Vec<u8>) -> Written {
        self.align_after(size.max(4), size * count);
        for k in (0..count).rev() {
            self.prepend(&bytes(k));
        }
        self.push_u32(count as u32);
        Written(self.len())
    }

    /// A vector of `i32`.
    pub fn vec_i32(&mut self, v: &[i32]) -> Written {
        self.scalars(4, v.len(), |k| v[k].to_le_bytes().to_vec())
    }

    /// A vector of `i64`.
    pub fn vec_i64(&mut self, v: &[i64]) -> Written {
        self.scalars(8, v.len(), |k| v[k].to_le_bytes().to_vec())
    }

    /// A vector of `f32`.
    pub fn vec_f32(&mut self, v: &[f32]) -> Written {
        self.scalars(4, v.len(), |k| v[k].to_le_bytes().to_vec())
    }

    /// A vector of bytes whose first byte is aligned to [`MAX_ALIGN`] (TFLite's buffer data).
    pub fn blob(&mut self, data: &[u8]) -> Written {
        self.align_after(MAX_ALIGN, data.len());
        self.prepend(data);
        self.push_u32(data.len() as u32);
        Written(self.len())
    }

    /// A string (UTF-8, zero-terminated as the format requires).
    pub fn string(&mut self, s: &str) -> Written {
        self.align_after(4, s.len() + 1);
        self.prepend(&[0]);
        self.prepend(s.as_bytes());
        self.push_u32(s.len() as u32);
        Written(self.len())
    }

    /// A vector of offsets to objects written before.
    pub fn vec_offsets(&mut self, items: &[Written]) -> Written {
        self.align_after(4, 4 * items.len());
        for &item in items.iter().rev() {
            self.push_offset(item);
        }
        self.push_u32(items.len() as u32);
        Written(self.len())
    }

    /// A table of `(slot, value)` fields (slots from 0, as the schema numbers them; absent
    /// slots take the schema's default).
    pub fn table(&mut self, fields: &[(usize, Field)]) -> Written {
        let start = self.len();
        // Largest fields first keeps the padding small.
        let mut order: Vec<usize> = (0..fields.len()).collect();
        order.sort_by_key(|&k| core::cmp::Reverse(fields[k].1.size()));
        let mut ends = vec![0usize; fields.len()];
        for &k in order.iter().rev() {
            let field = fields[k].1;
            let size = field.size();
            self.align_after(size, 0);
            match field {
                Field::U8(v) => self.prepend(&[v]),
                Field::I8(v) => self.prepend(&v.to_le_bytes()),
                Field::I32(v) => self.prepend(&v.to_le_bytes()),
                Field::U32(v) => self.prepend(&v.to_le_bytes()),
                Field::F32(v) => self.prepend(&v.to_le_bytes()),
                Field::Offset(to) => {
                    let v = Self::uoffset(self.len() + 4, to);
                    self.prepend(&v.to_le_bytes());
                }
            }
            ends[k] = self.len();
        }
        // The table starts with the (signed) offset to its vtable, patched below.
        self.align_after(4, 0);
        self.prepend(&[0; 4]);
        let table = self.len();
        let slots = fields.iter().map(|f| f.0 + 1).max().unwrap_or(0);
        let mut entries = vec![0u16; slots];
        for (k, &(slot, _)) in fields.iter().enumerate() {
            entries[slot] = (table - ends[k]) as u16;
        }
        for &e in entries.iter().rev() {
            self.prepend(&e.to_le_bytes());
        }
        self.prepend(&((table - start) as u16).to_le_bytes());
        self.prepend(&((4 + 2 * slots) as u16).to_le_bytes());
        let vtable = self.len();
        // vtable = table − soffset: the vtable sits just before the table.
        let soffset = (vtable - table) as i32;
        for (i, b) in soffset.to_le_bytes().iter().enumerate() {
            self.rev[table - 1 - i] = *b;
        }
        Written(table)
    }

    /// The finished buffer: the root table `root`, with a 4-byte file identifier.
    pub fn finish(mut self, root: Written, identifier: &[u8; 4]) -> Vec<u8> {
        self.align_after(MAX_ALIGN, 8);
        self.prepend(identifier);
        self.push_offset(root);
        self.rev.reverse();
        self.rev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }
    fn i32_at(b: &[u8], at: usize) -> i32 {
        u32_at(b, at) as i32
    }
    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    /// Reads field `slot` of the table at `table`: its position, if present.
    fn field(b: &[u8], table: usize, slot: usize) -> Option<usize> {
        let vtable = (table as i64 - i64::from(i32_at(b, table))) as usize;
        let vt_len = u16_at(b, vtable) as usize;
        if 4 + 2 * slot >= vt_len {
            return None;
        }
        match u16_at(b, vtable + 4 + 2 * slot) {
            0 => None,
            off => Some(table + off as usize),
        }
    }

    #[test]
    fn a_table_with_a_string_a_vector_and_scalars_reads_back() {
        let mut f = Builder::new();
        let name = f.string("conv");
        let shape = f.vec_i32(&[1, 8, 8, 3]);
        let zps = f.vec_i64(&[-128, 5]);
        let data = f.blob(&[1, 2, 3]);
        let t = f.table(&[
            (0, Field::Offset(shape)),
            (1, Field::U8(9)),
            (3, Field::Offset(name)),
            (4, Field::Offset(zps)),
            (6, Field::I32(-7)),
            (7, Field::Offset(data)),
            (8, Field::F32(0.5)),
        ]);
        let list = f.vec_offsets(&[t, t]);
        let root = f.table(&[(0, Field::Offset(list))]);
        let b = f.finish(root, b"TEST");
        assert_eq!(b.len() % MAX_ALIGN, 0);
        assert_eq!(&b[4..8], b"TEST");
        let root = u32_at(&b, 0) as usize;
        let list = field(&b, root, 0).unwrap();
        let list = list + u32_at(&b, list) as usize;
        assert_eq!(u32_at(&b, list), 2);
        let t = list + 4 + u32_at(&b, list + 4) as usize;
        let deref = |at: usize| at + u32_at(&b, at) as usize;
        let shape = deref(field(&b, t, 0).unwrap());
        assert_eq!(u32_at(&b, shape), 4);
        assert_eq!(
            (0..4)
                .map(|k| i32_at(&b, shape + 4 + 4 * k))
                .collect::<Vec<_>>(),
            [1, 8, 8, 3]
        );
        assert_eq!(b[field(&b, t, 1).unwrap()], 9);
        assert_eq!(field(&b, t, 2), None);
        let name = deref(field(&b, t, 3).unwrap());
        assert_eq!(&b[name + 4..name + 8], &b"conv"[..]);
        assert_eq!(b[name + 8], 0);
        let zps = deref(field(&b, t, 4).unwrap());
        assert_eq!((zps + 4) % 8, 0, "i64 elements aligned");
        assert_eq!(
            i64::from_le_bytes(b[zps + 4..zps + 12].try_into().unwrap()),
            -128
        );
        assert_eq!(i32_at(&b, field(&b, t, 6).unwrap()), -7);
        let data = deref(field(&b, t, 7).unwrap());
        assert_eq!((data + 4) % MAX_ALIGN, 0, "buffer data on 16 bytes");
        assert_eq!(&b[data + 4..data + 7], &[1, 2, 3]);
        let half = field(&b, t, 8).unwrap();
        assert_eq!(
            f32::from_le_bytes(b[half..half + 4].try_into().unwrap()),
            0.5
        );
        assert_eq!(field(&b, t, 9), None, "beyond the vtable");
    }
}
