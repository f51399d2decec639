//! What a layer's tensors are called and what shape they have, for files that describe a
//! network (see [`Parameters::param_spec`](super::Parameters::param_spec)).

use core::fmt;

/// The most dimensions a tensor of a layer has (a 2-D convolution's weight has four:
/// `[out, in, kh, kw]`).
pub const MAX_RANK: usize = 4;

/// The shape of a tensor: up to [`MAX_RANK`] dimensions, outermost first (row-major, as
/// PyTorch stores them). Displays as `[8, 4]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dims {
    rank: usize,
    dims: [usize; MAX_RANK],
}

impl Dims {
    /// The shape with the given dimensions, e.g. `Dims::new(&[out, inputs])`.
    ///
    /// # Panics
    /// If there are more than [`MAX_RANK`] dimensions. In a `const` (where layers describe
    /// their tensors) that is a compile-time error.
    pub const fn new(dims: &[usize]) -> Self {
        assert!(
            dims.len() <= MAX_RANK,
            "a tensor has at most four dimensions"
        );
        let mut out = [0; MAX_RANK];
        let mut i = 0;
        while i < dims.len() {
            out[i] = dims[i];
            i += 1;
        }
        Dims {
            rank: dims.len(),
            dims: out,
        }
    }

    /// The dimensions, outermost first.
    pub fn as_slice(&self) -> &[usize] {
        &self.dims[..self.rank]
    }

    /// The number of dimensions.
    pub const fn rank(&self) -> usize {
        self.rank
    }

    /// The number of elements: the product of the dimensions (1 for a scalar, rank 0), or
    /// `None` if it overflows `usize`.
    pub const fn elements(&self) -> Option<usize> {
        let mut n: usize = 1;
        let mut i = 0;
        while i < self.rank {
            n = match n.checked_mul(self.dims[i]) {
                Some(n) => n,
                None => return None,
            };
            i += 1;
        }
        Some(n)
    }
}

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}

/// Whether optimizers train a tensor or only keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TensorKind {
    /// A trained parameter: visited by [`Parameters::walk`](super::Parameters::walk), so
    /// optimizers and weight decay update it, and it has a gradient.
    Parameter,
    /// A buffer: state that is saved, loaded and serialized with the network but never
    /// trained (a batch norm's running statistics). It has no gradient, optimizers never see
    /// it, and [`zeros_like`](super::Parameters::zeros_like) keeps it.
    Buffer,
}

/// One tensor of a network as files describe it: which layer it belongs to, its name in that
/// layer (PyTorch's: `weight`, `bias`, `running_mean`, …), its shape and its kind.
///
/// A dense layer `Dense<T, I, O, _>` has `weight [O, I]` and `bias [O]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TensorSpec {
    /// The index of the layer in the network, counting every layer from 0 (a chain of
    /// three layers has layers 0, 1 and 2, with or without parameters).
    pub layer: usize,
    /// The tensor's name within its layer.
    pub name: &'static str,
    /// Its shape, outermost dimension first; its values are stored row-major.
    pub dims: Dims,
    /// Trained parameter or kept buffer.
    pub kind: TensorKind,
}

impl TensorSpec {
    /// A trained parameter of layer 0 (a chain renumbers the layers).
    pub const fn parameter(name: &'static str, dims: &[usize]) -> Self {
        TensorSpec {
            layer: 0,
            name,
            dims: Dims::new(dims),
            kind: TensorKind::Parameter,
        }
    }

    /// A buffer (kept, never trained) of layer 0.
    pub const fn buffer(name: &'static str, dims: &[usize]) -> Self {
        TensorSpec {
            kind: TensorKind::Buffer,
            ..Self::parameter(name, dims)
        }
    }

    /// The same tensor, its layer index moved on by `layers` (how a chain numbers the
    /// tensors of its second part).
    pub const fn after(self, layers: usize) -> Self {
        TensorSpec {
            layer: self.layer + layers,
            ..self
        }
    }
}

impl fmt::Display for TensorSpec {
    /// `layer 1 weight [3, 8]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "layer {} {} {}", self.layer, self.name, self.dims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_count_and_display() {
        let d = Dims::new(&[16, 6, 5]);
        assert_eq!(d.as_slice(), &[16, 6, 5]);
        assert_eq!(d.rank(), 3);
        assert_eq!(d.elements(), Some(480));
        assert_eq!(std::format!("{d}"), "[16, 6, 5]");
        assert_eq!(Dims::new(&[]).elements(), Some(1));
        assert_eq!(Dims::new(&[usize::MAX, 2]).elements(), None);
        let s = TensorSpec::buffer("running_mean", &[4]).after(2);
        assert_eq!(std::format!("{s}"), "layer 2 running_mean [4]");
        assert_eq!(s.kind, TensorKind::Buffer);
    }
}

/// What values a buffer may hold: checked when a network is loaded from a file, so that a
/// restored state that is impossible (a negative running variance, a fractional batch count)
/// is an error and never a network that computes NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BufferRule {
    /// Any finite value (a running mean).
    Finite,
    /// A finite value `≥ 0` (a running variance).
    NonNegative,
    /// A whole number `≥ 0` (a count of batches).
    Count,
}

impl BufferRule {
    /// Whether `v` may be stored in a buffer with this rule.
    pub fn admits<T: crate::Real>(self, v: T) -> bool {
        v.is_finite()
            && match self {
                BufferRule::Finite => true,
                BufferRule::NonNegative => v >= T::zero(),
                BufferRule::Count => v >= T::zero() && v % T::one() == T::zero(),
            }
    }

    /// What the rule asks, in words.
    pub const fn describe(self) -> &'static str {
        match self {
            BufferRule::Finite => "finite",
            BufferRule::NonNegative => "finite and at least 0",
            BufferRule::Count => "a whole number at least 0",
        }
    }
}
