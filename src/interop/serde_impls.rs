//! `Serialize` / `Deserialize` for [`Vector`], [`Matrix`] and [`Batch`] (the `serde` feature),
//! without allocation, so they work on `no_std` targets (e.g. with `postcard`).
//!
//! # Format
//! - `Vector<T, N>`: a tuple of exactly `N` elements — JSON `[1.0, 2.0, 3.0]`; in postcard
//!   the `N` elements back to back, with no length prefix (the length is in the type).
//! - `Matrix<T, R, C>`: a tuple of `R` rows, each a tuple of `C` elements (row-major, one
//!   inner array per row) — JSON `[[1.0, 2.0], [3.0, 4.0]]`; in postcard the `R·C` elements
//!   back to back.
//! - `Batch<T, B, N>`: as its `B × N` matrix, one row per sample.
//!
//! Serde's own array impls stop at 32 elements; these have no limit.
//!
//! Deserializing refuses NaN and ±∞ (`1e39` read into an `f32` is `+∞`), naming the row and
//! element, as [`persist`](crate::persist) and safetensors do: a network, a gradient or an
//! optimizer state restored with serde is finite. Deserializing checks the shape: a sequence with fewer or more elements than the type
//! holds (a vector of 4 for a `Vector<_, 3>`, a ragged row, an extra row) is an
//! `invalid_length` error, never a panic and never a silent truncation. Elements are read in
//! place into a zeroed array (hence `T: Scalar` for deserializing), with no temporary copy.
//!
//! The networks, activations, losses, [`Class`](crate::loss::Class), optimizers (with their
//! state and step counts), [`Settings`](crate::optim::Settings), schedules, clipping,
//! [`Init`](crate::init::Init) and [`Rng`](crate::init::Rng) derive their impls (next to
//! their definitions) and serialize their tensors as above. `Class` serializes as its label
//! and refuses an out-of-range label when deserialized.

use core::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Batch, Matrix, Scalar, Vector};

/// What a tuple being read should be, for error messages: "`{what}` of `{len}` `{unit}`".
#[derive(Clone, Copy)]
struct Shape {
    what: &'static str,
    len: usize,
    unit: &'static str,
}

impl de::Expected for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} {}", self.what, self.len, self.unit)
    }
}

/// After the expected elements, counts any extra ones and reports them as an error.
fn no_more<'de, A: SeqAccess<'de>>(mut seq: A, shape: Shape) -> Result<(), A::Error> {
    let mut len = shape.len;
    while seq.next_element::<IgnoredAny>()?.is_some() {
        len += 1;
    }
    if len == shape.len {
        Ok(())
    } else {
        Err(de::Error::invalid_length(len, &shape))
    }
}

/// Serializes an array as a tuple of exactly `N` elements.
struct Tuple<'a, T, const N: usize>(&'a [T; N]);

impl<T: Serialize, const N: usize> Serialize for Tuple<'_, T, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(N)?;
        for x in self.0 {
            tuple.serialize_element(x)?;
        }
        tuple.end()
    }
}

/// Serializes nested arrays as a tuple of `R` rows, each a tuple of `C` elements.
fn serialize_rows<S: Serializer, T: Serialize, const R: usize, const C: usize>(
    rows: &[[T; C]; R],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut tuple = serializer.serialize_tuple(R)?;
    for row in rows {
        tuple.serialize_element(&Tuple(row))?;
    }
    tuple.end()
}

/// Reads a tuple of exactly `N` elements into an array, in place.
struct Elements<'a, T, const N: usize> {
    out: &'a mut [T; N],
    what: &'static str,
    unit: &'static str,
    /// Where this tuple sits, for errors: "of row 3" of a matrix, or "of a vector".
    row_label: Where,
}

/// The position of a row within its matrix, for error messages ("element 2 of row 3 …").
#[derive(Clone, Copy)]
struct Where(Option<usize>);

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(r) => write!(f, "of row {r}"),
            None => f.write_str("of a vector"),
        }
    }
}

impl<T, const N: usize> Elements<'_, T, N> {
    fn shape(&self) -> Shape {
        Shape {
            what: self.what,
            len: N,
            unit: self.unit,
        }
    }
}

impl<'de, T: Deserialize<'de> + Scalar, const N: usize> DeserializeSeed<'de>
    for Elements<'_, T, N>
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_tuple(N, self)
    }
}

impl<'de, T: Deserialize<'de> + Scalar, const N: usize> Visitor<'de> for Elements<'_, T, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        de::Expected::fmt(&self.shape(), f)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let shape = self.shape();
        for (i, slot) in self.out.iter_mut().enumerate() {
            match seq.next_element::<T>()? {
                Some(x) if x.is_finite_val() => *slot = x,
                Some(x) => {
                    return Err(de::Error::custom(format_args!(
                        "element {i} {} is {x:?}; tensor values must be finite",
                        self.row_label
                    )));
                }
                None => return Err(de::Error::invalid_length(i, &shape)),
            }
        }
        no_more(seq, shape)
    }
}

/// Reads a tuple of exactly `R` rows, each a tuple of exactly `C` elements, in place.
struct Rows<'a, T, const R: usize, const C: usize> {
    out: &'a mut [[T; C]; R],
    what: &'static str,
    unit: &'static str,
    row: &'static str,
    row_unit: &'static str,
}

impl<T, const R: usize, const C: usize> Rows<'_, T, R, C> {
    fn shape(&self) -> Shape {
        Shape {
            what: self.what,
            len: R,
            unit: self.unit,
        }
    }
}

impl<'de, T: Deserialize<'de> + Scalar, const R: usize, const C: usize> Visitor<'de>
    for Rows<'_, T, R, C>
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        de::Expected::fmt(&self.shape(), f)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let shape = self.shape();
        for (i, out) in self.out.iter_mut().enumerate() {
            let row = Elements {
                out,
                what: self.row,
                unit: self.row_unit,
                row_label: Where(Some(i)),
            };
            if seq.next_element_seed(row)?.is_none() {
                return Err(de::Error::invalid_length(i, &shape));
            }
        }
        no_more(seq, shape)
    }
}

/// Deserializes `R × C` nested arrays (zero-initialized, then filled in place).
fn deserialize_rows<'de, D, T, const R: usize, const C: usize>(
    deserializer: D,
    what: &'static str,
    unit: &'static str,
    (row, row_unit): (&'static str, &'static str),
) -> Result<[[T; C]; R], D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Scalar,
{
    let mut rows = [[T::zero(); C]; R];
    let visitor = Rows {
        out: &mut rows,
        what,
        unit,
        row,
        row_unit,
    };
    deserializer.deserialize_tuple(R, visitor)?;
    Ok(rows)
}

impl<T: Serialize, const N: usize> Serialize for Vector<T, N> {
    /// A tuple of the `N` elements.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Tuple(self.as_array()).serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de> + Scalar, const N: usize> Deserialize<'de> for Vector<T, N> {
    /// A tuple of exactly `N` elements; any other length is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut data = [T::zero(); N];
        let seed = Elements {
            out: &mut data,
            what: "a vector",
            unit: "elements",
            row_label: Where(None),
        };
        seed.deserialize(deserializer)?;
        Ok(Self::new(data))
    }
}

impl<T: Serialize, const R: usize, const C: usize> Serialize for Matrix<T, R, C> {
    /// A tuple of `R` rows, each a tuple of `C` elements.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_rows(self.as_rows(), serializer)
    }
}

impl<'de, T: Deserialize<'de> + Scalar, const R: usize, const C: usize> Deserialize<'de>
    for Matrix<T, R, C>
{
    /// A tuple of exactly `R` rows of exactly `C` elements; any other shape is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_rows(deserializer, "a matrix", "rows", ("a row", "elements")).map(Self::new)
    }
}

impl<T: Serialize, const B: usize, const N: usize> Serialize for Batch<T, B, N> {
    /// As its `B × N` matrix: a tuple of `B` samples, each a tuple of `N` features.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_rows(self.as_matrix().as_rows(), serializer)
    }
}

impl<'de, T: Deserialize<'de> + Scalar, const B: usize, const N: usize> Deserialize<'de>
    for Batch<T, B, N>
{
    /// A tuple of exactly `B` samples of exactly `N` features; any other shape is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_rows(deserializer, "a batch", "samples", ("a sample", "features"))
            .map(|rows| Self::from_matrix(Matrix::new(rows)))
    }
}

/// Deserializes a hyper-parameter (an activation's slope, say) that must be finite.
pub(crate) fn finite<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(deserializer)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(de::Error::custom(format_args!(
            "a hyper-parameter is {x}; it must be finite"
        )))
    }
}

/// Deserializes a hyper-parameter (Huber's `δ`) that must be finite and `> 0`.
pub(crate) fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let x = finite(deserializer)?;
    if x > 0.0 {
        Ok(x)
    } else {
        Err(de::Error::custom(format_args!(
            "a hyper-parameter is {x}; it must be > 0"
        )))
    }
}

impl<'de, T: Deserialize<'de> + Scalar, const R: usize, const C: usize> DeserializeSeed<'de>
    for Rows<'_, T, R, C>
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_tuple(R, self)
    }
}

/// A row-major tensor of the given dimensions as nested tuples (`[[..], ..]`, outermost
/// first), e.g. a 2-D convolution's `weight [out, in, kh, kw]`.
struct Nested<'a, T>(&'a [T], &'a [usize]);

impl<T: Serialize> Serialize for Nested<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (&n, inner) = match self.1.split_first() {
            Some(split) => split,
            None => return self.0[0].serialize(serializer),
        };
        let mut tuple = serializer.serialize_tuple(n)?;
        let step = self.0.len() / n.max(1);
        for chunk in self.0.chunks(step.max(1)).take(n) {
            if inner.is_empty() {
                tuple.serialize_element(&chunk[0])?;
            } else {
                tuple.serialize_element(&Nested(chunk, inner))?;
            }
        }
        tuple.end()
    }
}

/// Reads nested tuples of the given dimensions into a row-major slice, refusing NaN and ±∞ and
/// any other shape.
struct NestedSeed<'a, T>(&'a mut [T], &'a [usize]);

impl<'de, T: Deserialize<'de> + Scalar> Visitor<'de> for NestedSeed<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a tensor of shape {:?}", self.1)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (&n, inner) = self.1.split_first().unwrap_or((&1, &[]));
        let shape = Shape {
            what: "a tensor dimension",
            len: n,
            unit: "entries",
        };
        let step = (self.0.len() / n.max(1)).max(1);
        for (i, chunk) in self.0.chunks_mut(step).take(n).enumerate() {
            let read = if inner.is_empty() {
                match seq.next_element::<T>()? {
                    Some(x) if x.is_finite_val() => {
                        chunk[0] = x;
                        Some(())
                    }
                    Some(_) => return Err(de::Error::custom("a weight is not finite (NaN or ±∞)")),
                    None => None,
                }
            } else {
                seq.next_element_seed(NestedSeed(chunk, inner))?
            };
            if read.is_none() {
                return Err(de::Error::invalid_length(i, &shape));
            }
        }
        no_more(seq, shape)
    }
}

impl<'de, T: Deserialize<'de> + Scalar> DeserializeSeed<'de> for NestedSeed<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let n = self.1.first().copied().unwrap_or(1);
        deserializer.deserialize_tuple(n, self)
    }
}

mod conv2d {
    use super::*;
    use crate::nn::{Connect, Conv2d, Parameters};
    use crate::shape::window::KernelSize;
    use serde::ser::SerializeStruct;

    /// `{"weight": [out][in][kh][kw], "bias": [out]}` (`[channels][1][kh][kw]` depthwise, as
    /// PyTorch stores a grouped convolution).
    impl<T, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> Serialize
        for Conv2d<T, I, O, K, S, P, At, G>
    where
        T: Scalar + Serialize,
    {
        fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
            let dims = Self::param_spec(0)
                .map(|t| t.dims)
                .unwrap_or(crate::nn::Dims::new(&[]));
            let mut st = serializer.serialize_struct(G::NAME, 2)?;
            st.serialize_field("weight", &Nested(self.weight_slice(), dims.as_slice()))?;
            st.serialize_field("bias", &self.bias)?;
            st.end()
        }
    }

    /// A convolution's field name.
    enum Field {
        Weight,
        Bias,
    }

    impl<'de> Deserialize<'de> for Field {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Name;
            impl Visitor<'_> for Name {
                type Value = Field;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("`weight` or `bias`")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                    match v {
                        "weight" => Ok(Field::Weight),
                        "bias" => Ok(Field::Bias),
                        other => Err(E::unknown_field(other, &["weight", "bias"])),
                    }
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Field, E> {
                    match v {
                        0 => Ok(Field::Weight),
                        1 => Ok(Field::Bias),
                        _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                    }
                }
            }
            deserializer.deserialize_identifier(Name)
        }
    }

    struct Fields<'a, T, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect>(
        &'a mut Conv2d<T, I, O, K, S, P, At, G>,
    )
    where
        T: Scalar;

    impl<'de, T, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> Visitor<'de>
        for Fields<'_, T, I, O, K, S, P, At, G>
    where
        T: Scalar + Deserialize<'de>,
    {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a {} with a weight and a bias", G::NAME)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let dims = Conv2d::<T, I, O, K, S, P, At, G>::param_spec(0).map(|t| t.dims);
            let dims = dims.unwrap_or(crate::nn::Dims::new(&[]));
            let shape = Shape {
                what: "a convolution",
                len: 2,
                unit: "fields",
            };
            if seq
                .next_element_seed(NestedSeed(self.0.weight_slice_mut(), dims.as_slice()))?
                .is_none()
            {
                return Err(de::Error::invalid_length(0, &shape));
            }
            match seq.next_element()? {
                Some(b) => self.0.bias = b,
                None => return Err(de::Error::invalid_length(1, &shape)),
            }
            no_more(seq, shape)
        }

        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let dims = Conv2d::<T, I, O, K, S, P, At, G>::param_spec(0).map(|t| t.dims);
            let dims = dims.unwrap_or(crate::nn::Dims::new(&[]));
            let (mut weight, mut bias) = (false, false);
            while let Some(key) = map.next_key::<Field>()? {
                match key {
                    Field::Weight => {
                        map.next_value_seed(NestedSeed(
                            self.0.weight_slice_mut(),
                            dims.as_slice(),
                        ))?;
                        weight = true;
                    }
                    Field::Bias => {
                        self.0.bias = map.next_value()?;
                        bias = true;
                    }
                }
            }
            match (weight, bias) {
                (false, _) => Err(de::Error::missing_field("weight")),
                (_, false) => Err(de::Error::missing_field("bias")),
                _ => Ok(()),
            }
        }
    }

    impl<'de, T, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect>
        Deserialize<'de> for Conv2d<T, I, O, K, S, P, At, G>
    where
        T: Scalar + Deserialize<'de>,
    {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let mut conv = Self::default();
            deserializer.deserialize_struct(G::NAME, &["weight", "bias"], Fields(&mut conv))?;
            Ok(conv)
        }
    }
}
