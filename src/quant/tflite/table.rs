//! Reading FlatBuffers without a heap: a [`Table`] or [`Vector`] is a position in the file's
//! bytes, and every read checks its bounds (a malformed file is an error, never a panic or a
//! read outside the slice).
//!
//! The format: the file starts with the `u32` offset of the root table. A table starts with an
//! `i32` that, subtracted from the table's position, gives its *vtable*: `u16` vtable size,
//! `u16` table size, then one `u16` per field, the field's offset in the table (0: absent, the
//! schema's default applies). A field that refers to a table, vector or string holds a `u32`
//! offset from the field's own position. A vector is a `u32` length and its elements.

use super::error::Problem;

type Result<T> = core::result::Result<T, Problem>;

/// `N` bytes at `at`.
fn bytes<const N: usize>(buf: &[u8], at: usize, what: &'static str) -> Result<[u8; N]> {
    at.checked_add(N)
        .and_then(|end| buf.get(at..end))
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .ok_or(Problem::OutOfBounds { what })
}

fn u16_at(buf: &[u8], at: usize, what: &'static str) -> Result<u16> {
    bytes(buf, at, what).map(u16::from_le_bytes)
}

pub(super) fn u32_at(buf: &[u8], at: usize, what: &'static str) -> Result<u32> {
    bytes(buf, at, what).map(u32::from_le_bytes)
}

/// The position an offset field at `at` refers to.
fn follow(buf: &[u8], at: usize, what: &'static str) -> Result<usize> {
    let offset = u32_at(buf, at, what)? as usize;
    at.checked_add(offset)
        .filter(|&p| p < buf.len())
        .ok_or(Problem::OutOfBounds { what })
}

/// A table in the file.
#[derive(Debug, Clone, Copy)]
pub(super) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vtable_len: usize,
    len: usize,
    what: &'static str,
}

impl<'a> Table<'a> {
    /// The table at `pos` (`what` names it in errors).
    pub(super) fn at(buf: &'a [u8], pos: usize, what: &'static str) -> Result<Self> {
        let oob = Problem::OutOfBounds { what };
        let back = i64::from(i32::from_le_bytes(bytes(buf, pos, what)?));
        let vtable = usize::try_from(pos as i64 - back).map_err(|_| oob)?;
        let vtable_len = usize::from(u16_at(buf, vtable, what)?);
        let len = usize::from(u16_at(buf, vtable + 2, what)?);
        let fits = |start: usize, n: usize| start.checked_add(n).is_some_and(|e| e <= buf.len());
        if vtable_len < 4 || vtable_len % 2 != 0 || len < 4 || !fits(vtable, vtable_len) {
            return Err(oob);
        }
        if !fits(pos, len) {
            return Err(oob);
        }
        Ok(Self {
            buf,
            pos,
            vtable,
            vtable_len,
            len,
            what,
        })
    }

    /// The position of field `id` (`width` bytes, inside the table), if present.
    fn field(&self, id: usize, width: usize) -> Result<Option<usize>> {
        let slot = 4 + 2 * id;
        if slot + 2 > self.vtable_len {
            return Ok(None);
        }
        let offset = usize::from(u16_at(self.buf, self.vtable + slot, self.what)?);
        if offset == 0 {
            return Ok(None);
        }
        if offset + width > self.len {
            return Err(Problem::OutOfBounds { what: self.what });
        }
        Ok(Some(self.pos + offset))
    }

    fn scalar<const N: usize>(&self, id: usize) -> Result<Option<[u8; N]>> {
        match self.field(id, N)? {
            None => Ok(None),
            Some(at) => bytes(self.buf, at, self.what).map(Some),
        }
    }

    /// A `ubyte` (or enum) field.
    pub(super) fn u8(&self, id: usize, default: u8) -> Result<u8> {
        Ok(self.scalar::<1>(id)?.map_or(default, |b| b[0]))
    }

    /// A `byte` field.
    pub(super) fn i8(&self, id: usize, default: i8) -> Result<i8> {
        Ok(self.scalar::<1>(id)?.map_or(default, |b| b[0] as i8))
    }

    /// An `int` field.
    pub(super) fn i32(&self, id: usize, default: i32) -> Result<i32> {
        Ok(self.scalar(id)?.map_or(default, i32::from_le_bytes))
    }

    /// A `uint` field.
    pub(super) fn u32(&self, id: usize, default: u32) -> Result<u32> {
        Ok(self.scalar(id)?.map_or(default, u32::from_le_bytes))
    }

    /// A `ulong` field.
    pub(super) fn u64(&self, id: usize, default: u64) -> Result<u64> {
        Ok(self.scalar(id)?.map_or(default, u64::from_le_bytes))
    }

    /// A `float` field.
    pub(super) fn f32(&self, id: usize, default: f32) -> Result<f32> {
        Ok(self.scalar(id)?.map_or(default, f32::from_le_bytes))
    }

    /// A table field, if present.
    pub(super) fn table(&self, id: usize, what: &'static str) -> Result<Option<Table<'a>>> {
        match self.field(id, 4)? {
            None => Ok(None),
            Some(at) => Table::at(self.buf, follow(self.buf, at, what)?, what).map(Some),
        }
    }

    /// A vector field of `elem`-byte elements (empty when absent).
    pub(super) fn vector(&self, id: usize, elem: usize, what: &'static str) -> Result<Vector<'a>> {
        match self.field(id, 4)? {
            None => Ok(Vector::none()),
            Some(at) => Vector::at(self.buf, follow(self.buf, at, what)?, elem, what),
        }
    }

    /// Whether field `id` is present.
    pub(super) fn has(&self, id: usize) -> Result<bool> {
        Ok(self.field(id, 1)?.is_some())
    }
}

/// A vector in the file: `len` elements of `elem` bytes from `start`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Vector<'a> {
    buf: &'a [u8],
    start: usize,
    len: usize,
    elem: usize,
    what: &'static str,
}

impl<'a> Vector<'a> {
    /// An empty vector (an absent field).
    pub(super) fn none() -> Self {
        Self {
            buf: &[],
            start: 0,
            len: 0,
            elem: 1,
            what: "",
        }
    }

    fn at(buf: &'a [u8], pos: usize, elem: usize, what: &'static str) -> Result<Self> {
        let len = u32_at(buf, pos, what)? as usize;
        let start = pos + 4;
        let end = len.checked_mul(elem).and_then(|n| n.checked_add(start));
        if end.is_none_or(|e| e > buf.len()) {
            return Err(Problem::OutOfBounds { what });
        }
        Ok(Self {
            buf,
            start,
            len,
            elem,
            what,
        })
    }

    /// The number of elements.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The elements' bytes.
    pub(super) fn bytes(&self) -> &'a [u8] {
        // In bounds: checked when the vector was read.
        self.buf
            .get(self.start..self.start + self.len * self.elem)
            .unwrap_or(&[])
    }

    fn element<const N: usize>(&self, i: usize) -> Result<[u8; N]> {
        if i >= self.len {
            return Err(Problem::Index {
                what: self.what,
                index: i as i64,
                len: self.len,
            });
        }
        bytes(self.buf, self.start + i * self.elem, self.what)
    }

    /// Element `i` of an `[int]`.
    pub(super) fn i32(&self, i: usize) -> Result<i32> {
        self.element(i).map(i32::from_le_bytes)
    }

    /// Element `i` of a `[float]`.
    pub(super) fn f32(&self, i: usize) -> Result<f32> {
        self.element(i).map(f32::from_le_bytes)
    }

    /// Element `i` of a `[long]`.
    pub(super) fn i64(&self, i: usize) -> Result<i64> {
        self.element(i).map(i64::from_le_bytes)
    }

    /// Table `i` of a vector of tables.
    pub(super) fn table(&self, i: usize) -> Result<Table<'a>> {
        self.element::<4>(i)?;
        let at = self.start + i * 4;
        Table::at(self.buf, follow(self.buf, at, self.what)?, self.what)
    }
}
