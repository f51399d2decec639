//! How layers connect: the [`Shape`] of a layer (its input and output sizes, independent of
//! the scalar type, and the first wiring [`Mistake`] inside it), how a layer listed in a
//! network is [`Place`]d after the layer before it, and the [`network!`](crate::network)
//! macro that checks a whole network where it is written.
//!
//! A mis-wired network is one compile error, at the line that defines it, that names the
//! layers by their position in the list (from 1, `Input` and activations counted) and as they
//! were written, with their sizes:
//!
//! ```text
//! error[E0080]: evaluation panicked: layer 2 (`Relu`) gives 12 outputs but layer 3
//!               (`Dense<f32, 10, 3>`) takes 10 inputs
//! ```
//!
//! The network's type is still defined (as an error type), so the program's uses of it —
//! `Net::default()`, `predict`, a `Trainer` — add no further errors.
//!
//! # How it works
//! Every layer's [`Shape`] carries its own [`Shape::MISTAKE`] (a window that does not fit, a
//! residual block that changes the shape, …); a [`Chain`](super::Chain) adds the junction
//! between its halves. Placement ([`Place`]) never fails for a layer of this crate: a layer
//! placed after the wrong kind of port (a `Conv2d` after channels × steps) takes a stand-in
//! of its own kind there, and the junction reports it. The macros evaluate
//! [`report`] in a `const` and panic with its sentence when it is not empty.

mod mistake;

pub use mistake::{DEPTH, Described, Kind, Mistake, Report, describe, report};

use crate::shape::Port;

/// The input and output sizes of a layer or network, independent of its scalar type.
///
/// Every [`Layer`](super::Layer) has one; implement it next to the `Layer` impl of a new
/// layer (two lines: `type In = Size<I>; type Out = Size<O>;`, and a [`MISTAKE`](Shape::MISTAKE)
/// if the layer can be placed where it does not fit).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a layer",
    label = "not a layer",
    note = "a network lists layers such as `Dense<f32, 4, 8, Relu>`, `Relu` or `Flatten`; a \
            tensor, a loss or an optimizer is not one (a loss is given to the `Trainer`). A \
            network whose first layer takes its size from what comes before it (a convolution, \
            an activation) starts with its input: `Input<Signal<6, 100>>`"
)]
pub trait Shape {
    /// The input features, as `Size<I>`.
    type In: Port;
    /// The output features, as `Size<O>`.
    type Out: Port;
    /// The number of input features.
    const INPUTS: usize = <Self::In as Port>::N;
    /// The number of output features.
    const OUTPUTS: usize = <Self::Out as Port>::N;
    /// How many entries of a network's list this stands for: 1 for a layer, the sum for a
    /// [`Chain`](super::Chain).
    const LISTED: usize = 1;
    /// The first wiring mistake in this layer or network, placed where it is ([`Mistake::NONE`]
    /// for a layer that fits): a window that does not fit, a junction whose sides differ, …
    /// Reported by [`network!`](crate::network) and [`seq!`](crate::seq).
    const MISTAKE: Mistake = Mistake::NONE;
}

/// A layer as written in a network, placed after a layer whose outputs are the port `In`:
/// [`Layer`](Place::Layer) is the layer it becomes there.
///
/// A layer with fixed sizes ([`Dense`](super::Dense), anything that implements [`Shape`]) is
/// itself wherever it is placed — the wiring checks compare its sizes with its neighbours'.
/// A layer that takes whatever comes (an activation, a flatten) learns its input from the
/// layer before it: `seq![Dense<f32, 4, 8>, Relu, Dense<f32, 8, 3>]` places `Relu` at
/// `Size<8>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a layer",
    label = "not a layer",
    note = "a network lists layers such as `Dense<f32, 4, 8>`, `Relu` or `Flatten`; a tensor, \
            a loss or an optimizer is not one (a loss is given to the `Trainer`)"
)]
pub trait Place<In: Port> {
    /// The layer this becomes after a layer with outputs `In`.
    type Layer: Shape;
}

/// `A` then the rest of a network, not yet placed: what [`seq!`](crate::seq) writes. Placed
/// at `In`, it is the [`Chain`](super::Chain) of `A` placed at `In` and the rest placed at
/// `A`'s outputs.
#[doc(hidden)]
pub struct Then<A, Rest>(core::marker::PhantomData<fn() -> (A, Rest)>);

/// The last layer of a network, not yet placed (see [`Then`]).
#[doc(hidden)]
pub struct Last<L>(core::marker::PhantomData<fn() -> L>);

/// A network not yet placed ([`Then`] / [`Last`]), built from the input `In`: what
/// [`seq!`](crate::seq) resolves.
#[doc(hidden)]
pub trait Build<In: Port> {
    /// The network: a [`Chain`](super::Chain) of the placed layers.
    type Net: Shape;
}

impl<In: Port, A: Place<In>, Rest: Build<<A::Layer as Shape>::Out>> Build<In> for Then<A, Rest> {
    type Net = super::Chain<A::Layer, Rest::Net>;
}

impl<In: Port, L: Place<In>> Build<In> for Last<L> {
    type Net = L::Layer;
}

/// The input of a network whose first layer takes whatever comes (a convolution, an
/// activation): `seq![Input<Signal<6, 100>>, Conv1d<f32, 6, 16, 5>, …]` feeds the network
/// `Signal<6, 100>` samples. Not a layer itself: it only says where the network starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Input<P>(core::marker::PhantomData<fn() -> P>);

/// What may start a network: a layer with fixed sizes (its own input), or [`Input`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot start a network: its input size is not known",
    label = "the input of this network is not known",
    note = "start the list with the input it takes, e.g. `Input<Signal<6, 100>>`, or with a \
            layer of fixed sizes such as `Dense<f32, 4, 8>`"
)]
pub trait Begin {
    /// The input port of the network.
    type In: Port;
    /// The entries of the list before the first layer: 1 for [`Input`], 0 for a layer.
    #[doc(hidden)]
    const BEFORE: usize;
    /// The rest of the network `Rest` (not yet placed) with this in front: `Then<Self, Rest>`
    /// for a layer, `Rest` itself for [`Input`].
    #[doc(hidden)]
    type Spec<Rest>;
}

#[diagnostic::do_not_recommend]
impl<L: Shape> Begin for L {
    type In = L::In;
    const BEFORE: usize = 0;
    type Spec<Rest> = Then<L, Rest>;
}

impl<P: Port> Begin for Input<P> {
    type In = P;
    const BEFORE: usize = 1;
    type Spec<Rest> = Rest;
}

/// A [`block!`](crate::block) of layers is placed as the network of those layers (inside a
/// [`Residual`](super::Residual), say).
#[diagnostic::do_not_recommend]
impl<In: Port, A, Rest> Place<In> for Then<A, Rest>
where
    Then<A, Rest>: Build<In>,
{
    type Layer = <Self as Build<In>>::Net;
}

#[diagnostic::do_not_recommend]
impl<In: Port, L: Place<In>> Place<In> for Last<L> {
    type Layer = L::Layer;
}

#[diagnostic::do_not_recommend]
impl<L: Shape, In: Port> Place<In> for L {
    type Layer = L;
}

/// The verdict of a network's wiring check as a type: the macros write
/// `Checked<{ check }>`, whose `const` is 0 when the network is wired right and otherwise stops
/// compilation with the report (so the network's type is then an error type, and its uses
/// report nothing more).
#[doc(hidden)]
pub struct Checked<const VERDICT: usize>;

/// A network's list as the macros write it: its first entry and the rest, not yet placed
/// ([`Then`] / [`Last`]).
#[doc(hidden)]
pub struct Whole<First, Rest>(core::marker::PhantomData<fn() -> (First, Rest)>);

/// A network's list of one layer.
#[doc(hidden)]
pub struct Only<L>(core::marker::PhantomData<fn() -> L>);

/// A network's list, built: what it is fed, the network, and the entries before its first
/// layer ([`Begin::BEFORE`]).
#[doc(hidden)]
pub trait List {
    /// What the network is fed.
    type In: Port;
    /// The network: a [`Chain`](super::Chain) of the placed layers.
    type Net: Shape;
    /// The entries before the first layer (1 for [`Input`]).
    const BEFORE: usize;
    /// The first mistake: what reaches the first layer, then the network's
    /// [`Shape::MISTAKE`].
    const MISTAKE: Mistake = Mistake::junction::<Self::In, <Self::Net as Shape>::In>(1)
        .or(<Self::Net as Shape>::MISTAKE);
    /// `(MISTAKE, BEFORE)`: what the macros read (one constant, so that a list that cannot be
    /// built is one error).
    const FOUND: (Mistake, usize) = (Self::MISTAKE, Self::BEFORE);
}

/// The two forms of a list ([`Whole`], [`Only`]), built: what [`List`] is implemented through
/// (one blanket impl, so an error inside a list is reported at its cause).
#[doc(hidden)]
pub trait Listing {
    /// What the network is fed.
    type In: Port;
    /// The network.
    type Net: Shape;
    /// The entries before the first layer.
    const BEFORE: usize;
}

impl<First: Begin, Rest> Listing for Whole<First, Rest>
where
    First::Spec<Rest>: Build<First::In>,
{
    type In = First::In;
    type Net = <First::Spec<Rest> as Build<First::In>>::Net;
    const BEFORE: usize = First::BEFORE;
}

impl<L: Shape> Listing for Only<L> {
    type In = L::In;
    type Net = L;
    const BEFORE: usize = 0;
}

impl<L: Listing> List for L {
    type In = L::In;
    type Net = L::Net;
    const BEFORE: usize = L::BEFORE;
}

/// A network's list, built once checked: what the macros resolve.
#[doc(hidden)]
pub trait Resolve<L> {
    /// The network.
    type Net;
}

impl<L: List> Resolve<L> for Checked<0> {
    type Net = L::Net;
}

/// The report of a network's list from its [`List::FOUND`] and the entries as written. Empty when the network is wired right.
#[doc(hidden)]
pub const fn check(found: (Mistake, usize), names: &[&str]) -> Report {
    report(found.0, names, found.1)
}

/// Defines a network type and checks its wiring where it is written:
/// `network! { pub type Net = [Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>]; }` is the
/// [`seq!`](crate::seq) of those layers, checked once here. A mistake is one error at this
/// line — `layer 2 (`Relu`) gives 8 outputs but layer 3 (`Dense<f32, 6, 3>`) takes 6 inputs`
/// — and the program's uses of `Net` add none.
///
/// A network generic over its scalar names the parameter: `network! { pub type Net<T> =
/// [Dense<T, 4, 8, Relu>, Dense<T, 8, 3>]; }` (the wiring is checked with `f32` in its place;
/// sizes cannot be parameters).
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
    (
        $(#[$meta:meta])*
        $vis:vis type $name:ident $(<$($param:ident),+ $(,)?>)? = [$($layer:ty),+ $(,)?];
    ) => {
        $(#[$meta])*
        $vis type $name $(<$($param),+>)? = <$crate::nn::wiring::Checked<{
            $($(#[allow(dead_code, non_camel_case_types)] type $param = f32;)+)?
            $crate::seq!(@check $($layer),+)
        }> as $crate::nn::wiring::Resolve<$crate::seq!(@whole $($layer),+)>>::Net;
        // Checked where it is written, even if nothing uses it.
        const _: () = {
            $($(#[allow(dead_code, non_camel_case_types)] type $param = f32;)+)?
            let _ = ::core::marker::PhantomData::<$name $(<$($param),+>)?>;
        };
    };
}
