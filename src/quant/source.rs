//! int8 networks as Rust source (with `std`, for build scripts): [`Literal`] writes the
//! expression that builds a value, [`static_item`] a `static` of it, so firmware keeps the
//! weights in flash and only the activations in RAM.
//!
//! ```
//! use typegrad::quant::source::static_item;
//! use typegrad::quant::{QDense, QuantParams, Multiplier, Rounding};
//! let q = QDense::<2, 1> {
//!     weights: [[3, -4]],
//!     bias: [7],
//!     weight_scales: [0.5],
//!     rescale: [Multiplier::of_scales(0.25, 0.5, 0.125)],
//!     input: QuantParams { scale: 0.25, zero_point: -128 },
//!     output: QuantParams { scale: 0.125, zero_point: 0 },
//!     act_min: -128,
//!     act_max: 127,
//!     rounding: Rounding::Micro,
//! };
//! let src = static_item("NET", "typegrad::quant::QDense<2, 1>", &q);
//! assert!(src.starts_with("pub static NET: typegrad::quant::QDense<2, 1> = ::typegrad::quant::QDense {"));
//! assert!(src.contains("weights: [[3, -4]]"));
//! ```

use core::marker::PhantomData;
use std::fmt::Write as _;
use std::string::String;

use super::arith::{Multiplier, QuantParams, Rounding};

/// A value that can be written as a Rust expression building it (paths from the crate root:
/// `::typegrad::quant::QDense { … }`).
pub trait Literal {
    /// Appends the expression to `out`.
    fn literal(&self, out: &mut String);
}

/// `pub static NAME: TYPE = <value>;` with a doc line.
pub fn static_item<Q: Literal>(name: &str, ty: &str, value: &Q) -> String {
    let mut out = String::new();
    let _ = write!(out, "pub static {name}: {ty} = ");
    value.literal(&mut out);
    out.push_str(";\n");
    out
}

/// Writes `::typegrad::quant::NAME { field: value, … }` (a struct of `typegrad::quant`).
pub fn struct_literal(out: &mut String, name: &str, fields: &[(&str, &dyn Literal)]) {
    let _ = write!(out, "::typegrad::quant::{name} {{");
    for (field, value) in fields {
        let _ = write!(out, "\n{field}: ");
        value.literal(out);
        out.push(',');
    }
    out.push_str("\n}");
}

/// `impl Literal` body of a `typegrad::quant` struct: `fields_literal!(out, "QDense", self {
/// weights, bias })`.
macro_rules! fields_literal {
    ($out:expr, $name:literal, $value:ident { $($field:ident),* $(,)? }) => {
        $crate::quant::source::struct_literal(
            $out,
            $name,
            &[$((stringify!($field), &$value.$field as &dyn $crate::quant::source::Literal)),*],
        )
    };
}
pub(crate) use fields_literal;

macro_rules! display_literal {
    ($($t:ty),*) => {$(
        impl Literal for $t {
            fn literal(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
display_literal!(i8, i32, u8, usize, bool);

/// The shortest decimal that reads back as the same `f32` (`{:?}`), suffixed `_f32`.
/// (Non-finite values, which no quantization parameter may be, are written as the
/// constants `f32::NAN`, `f32::INFINITY`, `f32::NEG_INFINITY`.)
impl Literal for f32 {
    fn literal(&self, out: &mut String) {
        if self.is_nan() {
            out.push_str("f32::NAN");
        } else if self.is_infinite() {
            out.push_str(if *self > 0.0 {
                "f32::INFINITY"
            } else {
                "f32::NEG_INFINITY"
            });
        } else {
            let _ = write!(out, "{self:?}_f32");
        }
    }
}

impl<T: Literal, const N: usize> Literal for [T; N] {
    fn literal(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            v.literal(out);
        }
        out.push(']');
    }
}

impl<T: ?Sized> Literal for PhantomData<T> {
    fn literal(&self, out: &mut String) {
        out.push_str("::core::marker::PhantomData");
    }
}

impl Literal for QuantParams {
    fn literal(&self, out: &mut String) {
        let fields: [(&str, &dyn Literal); 2] =
            [("scale", &self.scale), ("zero_point", &self.zero_point)];
        struct_literal(out, "QuantParams", &fields);
    }
}

impl Literal for Multiplier {
    fn literal(&self, out: &mut String) {
        let fields: [(&str, &dyn Literal); 2] =
            [("multiplier", &self.multiplier), ("shift", &self.shift)];
        struct_literal(out, "Multiplier", &fields);
    }
}

impl Literal for Rounding {
    fn literal(&self, out: &mut String) {
        out.push_str(match self {
            Rounding::Micro => "::typegrad::quant::Rounding::Micro",
            Rounding::Reference => "::typegrad::quant::Rounding::Reference",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_back_exactly() {
        for x in [0.1f32, 1.0 / 3.0, 1e-38, 3.4e38, -0.0, 123_456.79] {
            let mut s = String::new();
            x.literal(&mut s);
            let text = s.trim_end_matches("_f32");
            assert_eq!(text.parse::<f32>().unwrap().to_bits(), x.to_bits(), "{s}");
        }
    }

    #[test]
    fn nested_arrays_and_structs() {
        let mut s = String::new();
        [[1i8, -2], [3, 4]].literal(&mut s);
        assert_eq!(s, "[[1, -2], [3, 4]]");
        let mut s = String::new();
        Multiplier {
            multiplier: 5,
            shift: -3,
        }
        .literal(&mut s);
        assert_eq!(
            s,
            "::typegrad::quant::Multiplier {\nmultiplier: 5,\nshift: -3,\n}"
        );
    }
}
