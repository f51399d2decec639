//! How layers connect: the [`Shape`] of a layer (its input and output sizes, independent of
//! the scalar type), the [`Feeds`] relation a [`Chain`](super::Chain) requires between
//! neighbours, and the [`network!`](crate::network) macro that checks a whole network where it
//! is written.
//!
//! A mis-wired network is a compile error that names the sizes:
//! - written with [`network!`](crate::network), at the line that defines it:
//!   `layer 2 gives 8 outputs but layer 3 takes 6 inputs`;
//! - written with [`seq!`](crate::seq), at the first line that names or builds it
//!   (`Net::default()`, say): ``these layers do not connect: one gives `Size<8>` outputs, the
//!   next takes `Size<6>` inputs``.
//!
//! A type that is not a layer in the list says so: `` `Relu` is not a layer ``.

use crate::shape::{Known, Size};

/// The input and output sizes of a layer or network, independent of its scalar type.
///
/// Every [`Layer`](super::Layer) has one; implement it next to the `Layer` impl of a new
/// layer (two lines: `type In = Size<I>; type Out = Size<O>;`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a layer",
    label = "not a layer",
    note = "a network lists layers such as `Dense<f32, 4, 8, Relu>`; an activation such as \
            `Relu` goes inside a `Dense` layer as its last parameter"
)]
pub trait Shape {
    /// The input features, as `Size<I>`.
    type In: Known;
    /// The output features, as `Size<O>`.
    type Out: Known;
    /// The number of input features.
    const INPUTS: usize = <Self::In as Known>::N;
    /// The number of output features.
    const OUTPUTS: usize = <Self::Out as Known>::N;
}

/// `Self` (a layer's outputs) can feed `Next` (the next layer's inputs): they are the same
/// size. Required between neighbours by [`Chain`](super::Chain).
#[diagnostic::on_unimplemented(
    message = "these layers do not connect: one gives `{Self}` outputs, the next takes \
               `{Next}` inputs",
    label = "the layers of this network do not connect",
    note = "the outputs of each layer are the inputs of the next: make the sizes agree \
            (write the network with `typegrad::network!` to be told which layers)"
)]
pub trait Feeds<Next> {}

impl<const N: usize> Feeds<Size<N>> for Size<N> {}

/// The checks [`network!`](crate::network) emits (not for direct use).
#[doc(hidden)]
pub mod check {
    use super::Shape;

    /// The one value the junction checks are stated on.
    pub struct Wiring;

    /// Layer `AT` has `OUT` outputs and layer `NEXT` has `IN` inputs, and they agree.
    #[diagnostic::on_unimplemented(
        message = "layer {AT} gives {OUT} outputs but layer {NEXT} takes {IN} inputs",
        label = "these layers do not connect",
        note = "the outputs of each layer are the inputs of the next: make the two sizes agree"
    )]
    pub trait Connects<const AT: usize, const NEXT: usize, const OUT: usize, const IN: usize> {}

    impl<const AT: usize, const NEXT: usize, const N: usize> Connects<AT, NEXT, N, N> for Wiring {}

    /// `L` is a layer.
    pub const fn layer<L: Shape>() {}
}

/// Defines a network type and checks its wiring where it is written:
/// `network! { pub type Net = [Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>]; }` is
/// `pub type Net = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];` plus a check of every
/// junction, which reports a mismatch at this line as
/// `layer 2 gives 8 outputs but layer 3 takes 6 inputs`, and a non-layer in the list as
/// `` `Relu` is not a layer ``.
///
/// ```
/// use typegrad::activation::Relu;
/// use typegrad::nn::{Dense, Layer};
/// typegrad::network! {
///     /// A 64-32-10 classifier.
///     pub type Mlp = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
/// }
/// let net = Mlp::default();
/// assert_eq!(net.predict(&typegrad::Vector::zeros()).as_slice().len(), 10);
/// ```
#[macro_export]
macro_rules! network {
    ($(#[$meta:meta])* $vis:vis type $name:ident = [$($layer:ty),+ $(,)?];) => {
        $(#[$meta])*
        $vis type $name = $crate::seq![$($layer),+];
        const _: () = {
            $crate::network!(@junction (1) $($layer),+);
        };
    };
    (@junction ($at:expr) $first:ty, $second:ty $(, $rest:ty)*) => {
        const _: () = {
            #[allow(dead_code)]
            fn wired()
            where
                $crate::nn::wiring::check::Wiring: $crate::nn::wiring::check::Connects<
                    { $at },
                    { $at + 1 },
                    { <$first as $crate::nn::Shape>::OUTPUTS },
                    { <$second as $crate::nn::Shape>::INPUTS },
                >,
            {
            }
        };
        $crate::network!(@junction ($at + 1) $second $(, $rest)*);
    };
    (@junction (1) $only:ty) => {
        // A network of one layer has no junction; still check that it is a layer.
        const _: () = $crate::nn::wiring::check::layer::<$only>();
    };
    (@junction ($at:expr) $last:ty) => {};
}
