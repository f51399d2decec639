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

use crate::shape::Port;

/// The input and output sizes of a layer or network, independent of its scalar type.
///
/// Every [`Layer`](super::Layer) has one; implement it next to the `Layer` impl of a new
/// layer (two lines: `type In = Size<I>; type Out = Size<O>;`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a layer",
    label = "not a layer",
    note = "a network lists layers such as `Dense<f32, 4, 8, Relu>`; a tensor, a loss or an \
            optimizer is not one. A network whose first layer takes its size from what comes \
            before it (a convolution, an activation) starts with its input: `Input<Signal<6, 100>>`"
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
    /// `[K, S, L, P]` for a window layer whose window (`K` steps, stride `S`) does not fit its
    /// input (`L` steps padded by `P`), else zeros: reported by [`network!`](crate::network)
    /// (see [`window_misfit`](crate::shape::window_misfit)).
    #[doc(hidden)]
    const MISFIT: [usize; 4] = [0; 4];
    /// For a residual block whose block changes the shape: `[1, N in, N out, both in two
    /// dimensions (0/1), C in, L in, C out, L out]`, else zeros. Reported by
    /// [`network!`](crate::network).
    #[doc(hidden)]
    const RESHAPES: [usize; 8] = [0; 8];
    /// For a reshape to a port of another element count: `[1, N in, N out]`, else zeros.
    /// Reported by [`network!`](crate::network).
    #[doc(hidden)]
    const RECOUNT: [usize; 3] = [0; 3];
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

impl<P: Port> Feeds<P> for P {}

/// The checks [`network!`](crate::network) emits (not for direct use).
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
            a loss or an optimizer is not one. A convolution or pooling layer cannot be placed \
            where its kernel is longer than the steps before it (plus padding on both sides)"
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

impl<In: Port, A: Place<In>, Rest: Build<<A::Layer as Shape>::Out>> Build<In> for Then<A, Rest>
where
    <A::Layer as Shape>::Out: Feeds<<Rest::Net as Shape>::In>,
{
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
    /// The rest of the network `Rest` (not yet placed) with this in front: `Then<Self, Rest>`
    /// for a layer, `Rest` itself for [`Input`].
    #[doc(hidden)]
    type Spec<Rest>;
}

#[diagnostic::do_not_recommend]
impl<L: Shape> Begin for L {
    type In = L::In;
    type Spec<Rest> = Then<L, Rest>;
}

impl<P: Port> Begin for Input<P> {
    type In = P;
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

#[doc(hidden)]
pub mod check {
    use super::{Place, Shape};
    use crate::shape::Port;

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

    /// A second kind of mismatch: as many numbers, in another number of dimensions.
    #[diagnostic::on_unimplemented(
        message = "layer {AT} gives {N} outputs in {OUT} dimensions but layer {NEXT} takes them \
                   in {IN}",
        label = "these layers do not connect",
        note = "a `Flatten` between them turns channels × steps into the flat features a \
                `Dense` layer takes"
    )]
    pub trait Layout<
        const AT: usize,
        const NEXT: usize,
        const N: usize,
        const OUT: usize,
        const IN: usize,
    >
    {
    }

    impl<const AT: usize, const NEXT: usize, const N: usize, const R: usize>
        Layout<AT, NEXT, N, R, R> for Wiring
    {
    }

    /// A third kind: as many numbers in as many dimensions, arranged differently.
    #[diagnostic::on_unimplemented(
        message = "layer {AT} gives {C} channels × {L} steps but layer {NEXT} takes {C2} \
                   channels × {L2} steps",
        label = "these layers do not connect",
        note = "the outputs of each layer are the inputs of the next: make the shapes agree"
    )]
    pub trait Arranged<
        const AT: usize,
        const NEXT: usize,
        const C: usize,
        const L: usize,
        const C2: usize,
        const L2: usize,
    >
    {
    }

    impl<const AT: usize, const NEXT: usize, const C: usize, const L: usize>
        Arranged<AT, NEXT, C, L, C, L> for Wiring
    {
    }

    /// A port as numbers: `[elements, dimensions, d₀, d₁, d₂]`.
    pub const fn describe<P: Port>() -> [usize; 5] {
        [P::N, P::RANK, P::DIMS[0], P::DIMS[1], P::DIMS[2]]
    }

    /// The first junction of a network whose sides disagree.
    #[derive(Clone, Copy)]
    pub struct Junction {
        /// `0` when every junction agrees, else the position (from 1) of the first layer
        /// whose input disagrees with what reaches it.
        bad: usize,
        /// What reaches that layer, [`describe`]d.
        given: [usize; 5],
        /// What that layer takes, [`describe`]d.
        taken: [usize; 5],
        /// When the inputs agree but that layer's window does not fit them: its
        /// [`Shape::MISFIT`], else zeros.
        misfit: [usize; 4],
        /// When the inputs agree but that layer is a residual block whose block changes the
        /// shape: its [`Shape::RESHAPES`], else zeros.
        reshapes: [usize; 8],
        /// When the inputs agree but that layer is a reshape that changes the element count:
        /// its [`Shape::RECOUNT`], else zeros.
        recount: [usize; 3],
    }

    /// No junction disagrees.
    const AGREE: Junction = Junction {
        bad: 0,
        given: [0; 5],
        taken: [0; 5],
        misfit: [0; 4],
        reshapes: [0; 8],
        recount: [0; 3],
    };

    const fn same(a: [usize; 5], b: [usize; 5]) -> bool {
        let mut i = 0;
        while i < 5 {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    /// The first disagreement from a layer on: at this layer (`given` reaches it, it takes
    /// `taken`, its window misfits by `misfit`), else the first of the layers after it
    /// (`rest`, one position further on).
    const fn first(
        given: [usize; 5],
        taken: [usize; 5],
        misfit: [usize; 4],
        reshapes: [usize; 8],
        recount: [usize; 3],
        rest: Junction,
    ) -> Junction {
        if !same(given, taken) {
            Junction {
                bad: 1,
                given,
                taken,
                misfit: [0; 4],
                reshapes: [0; 8],
                recount: [0; 3],
            }
        } else if any(misfit) || reshapes[0] != 0 || recount[0] != 0 {
            Junction {
                bad: 1,
                given,
                taken,
                misfit,
                reshapes,
                recount,
            }
        } else if rest.bad > 0 {
            Junction {
                bad: rest.bad + 1,
                ..rest
            }
        } else {
            AGREE
        }
    }

    /// Walks a network not yet placed ([`Then`](super::Then) / [`Last`](super::Last)) from
    /// the input `In`, finding the first layer whose input disagrees with what reaches it.
    pub trait Walk<In: Port> {
        /// That layer and the two sides of its input.
        const FIRST: Junction;
    }

    impl<In: Port, A: Place<In>, Rest: Walk<<A::Layer as Shape>::Out>> Walk<In>
        for super::Then<A, Rest>
    {
        const FIRST: Junction = first(
            describe::<In>(),
            describe::<<A::Layer as Shape>::In>(),
            <A::Layer as Shape>::MISFIT,
            <A::Layer as Shape>::RESHAPES,
            <A::Layer as Shape>::RECOUNT,
            Rest::FIRST,
        );
    }

    impl<In: Port, L: Place<In>> Walk<In> for super::Last<L> {
        const FIRST: Junction = first(
            describe::<In>(),
            describe::<<L::Layer as Shape>::In>(),
            <L::Layer as Shape>::MISFIT,
            <L::Layer as Shape>::RESHAPES,
            <L::Layer as Shape>::RECOUNT,
            AGREE,
        );
    }

    /// The numbers the three junction checks between layers are stated with, for a
    /// network's first disagreeing junction ([`Walk::FIRST`]): `[at, next, given, taken, dims
    /// given, dims taken, c, l, c₂, l₂]`, each check's numbers equal (so it holds) unless it
    /// is the one that fails. All zeros when the network's [`Input`](super::Input) is what
    /// disagrees with layer 1 (see [`report_input`]).
    pub const fn report(first: Junction) -> [usize; 10] {
        if first.bad <= 1 || misfits(first) {
            return [0; 10];
        }
        numbers(first)
    }

    /// Whether the first disagreement is a window that does not fit.
    const fn misfits(first: Junction) -> bool {
        any(first.misfit) || first.reshapes[0] != 0 || first.recount[0] != 0
    }

    /// The numbers of the reshape check: `[layer, N in, N out]` when the first disagreement is
    /// a reshape that changes the element count, else zeros.
    pub const fn report_recount(first: Junction) -> [usize; 3] {
        let r = first.recount;
        if r[0] == 0 || any(first.misfit) || first.reshapes[0] != 0 {
            return [0; 3];
        }
        [first.bad, r[1], r[2]]
    }

    /// A reshape keeps the number of values.
    #[diagnostic::on_unimplemented(
        message = "layer {AT} reshapes {N} values into a shape of {M}: a reshape must keep the \
                   number of values",
        label = "a reshape that changes the element count",
        note = "make the target shape hold as many values as the layer before gives"
    )]
    pub trait Recount<const AT: usize, const N: usize, const M: usize> {}

    impl<const AT: usize, const N: usize> Recount<AT, N, N> for Wiring {}

    /// The numbers of the two residual checks: `[layer, N in, N out, C in, L in, C out, L
    /// out]`, with the counts made equal when both sides have two dimensions (the channel ×
    /// step check then says it) and the shapes made equal otherwise; zeros unless the first
    /// disagreement is a residual block that changes the shape.
    pub const fn report_residual(first: Junction) -> [usize; 7] {
        let r = first.reshapes;
        if r[0] == 0 || any(first.misfit) {
            return [0; 7];
        }
        // (a reshape's own check is report_recount's)
        if r[3] == 1 {
            [first.bad, r[1], r[1], r[4], r[5], r[6], r[7]]
        } else {
            [first.bad, r[1], r[2], 0, 0, 0, 0]
        }
    }

    /// A residual block's block gives as many values as it takes.
    #[diagnostic::on_unimplemented(
        message = "layer {AT} is a residual block whose block takes {N} values but gives {M}: \
                   `x + F(x)` needs them shaped alike",
        label = "a residual block that changes the shape",
        note = "the last layer of the block must give what its first layer takes"
    )]
    pub trait ResidualCount<const AT: usize, const N: usize, const M: usize> {}

    impl<const AT: usize, const N: usize> ResidualCount<AT, N, N> for Wiring {}

    /// A residual block's block gives the channels × steps it takes.
    #[diagnostic::on_unimplemented(
        message = "layer {AT} is a residual block whose block takes {C} channels × {L} steps \
                   but gives {C2} channels × {L2} steps: `x + F(x)` needs them shaped alike",
        label = "a residual block that changes the shape",
        note = "pad the block's convolutions to keep the length (`P = (K − 1) / 2` for stride 1) \
                and end it with as many channels as it starts with"
    )]
    pub trait ResidualShape<
        const AT: usize,
        const C: usize,
        const L: usize,
        const C2: usize,
        const L2: usize,
    >
    {
    }

    impl<const AT: usize, const C: usize, const L: usize> ResidualShape<AT, C, L, C, L> for Wiring {}

    /// Whether any of the numbers is not zero.
    const fn any(m: [usize; 4]) -> bool {
        m[0] != 0 || m[1] != 0 || m[2] != 0 || m[3] != 0
    }

    /// The numbers of the window check: `[layer, K, S, L, P, 1]` when the first
    /// disagreement is a layer whose window does not fit its input, else zeros.
    pub const fn report_window(first: Junction) -> [usize; 6] {
        if !any(first.misfit) {
            return [0; 6];
        }
        let m = first.misfit;
        [first.bad, m[0], m[1], m[2], m[3], 1]
    }

    /// A layer's window fits its input (`MISFIT = 0`).
    #[diagnostic::on_unimplemented(
        message = "layer {AT} slides a window of {K} steps (stride {S}) over {L} steps padded by \
                   {P} on each side: it does not fit",
        label = "a kernel longer than its padded input",
        note = "a convolution or pooling layer needs 1 ≤ kernel ≤ steps + 2·padding and a \
                stride of at least 1: shorten the kernel, pad more, or pool less before it"
    )]
    pub trait WindowFits<
        const AT: usize,
        const K: usize,
        const S: usize,
        const L: usize,
        const P: usize,
        const MISFIT: usize,
    >
    {
    }

    impl<const AT: usize, const K: usize, const S: usize, const L: usize, const P: usize>
        WindowFits<AT, K, S, L, P, 0> for Wiring
    {
    }

    /// The same numbers for the junction between a network's [`Input`](super::Input) and
    /// layer 1, all zeros unless that is the one that disagrees.
    pub const fn report_input(first: Junction) -> [usize; 10] {
        if first.bad != 1 || misfits(first) {
            return [0; 10];
        }
        numbers(first)
    }

    const fn numbers(first: Junction) -> [usize; 10] {
        let Junction {
            bad,
            given: g,
            taken: t,
            ..
        } = first;
        let (at, next) = (bad - 1, bad);
        if g[1] == 3 && t[1] == 3 {
            // Images on both sides: the image checks ([`report_image`]) say which differ.
            [at, next, g[0], g[0], 3, 3, 0, 0, 0, 0]
        } else if g[1] == 2 && t[1] == 2 {
            // Channels × steps on both sides: say which differ.
            [at, next, g[0], g[0], g[1], t[1], g[2], g[3], t[2], t[3]]
        } else if g[0] != t[0] {
            [at, next, g[0], t[0], 0, 0, 0, 0, 0, 0]
        } else {
            [at, next, g[0], t[0], g[1], t[1], 0, 0, 0, 0]
        }
    }

    /// The numbers of the image checks: `[from layer, to layer, C, H, W, C₂, H₂, W₂]` when the
    /// first disagreement is between two images (channels × rows × columns), else zeros.
    /// `from layer` is 0 for the network's input.
    pub const fn report_image(first: Junction) -> [usize; 8] {
        let (g, t) = (first.given, first.taken);
        if first.bad == 0 || misfits(first) || g[1] != 3 || t[1] != 3 {
            return [0; 8];
        }
        [first.bad - 1, first.bad, g[2], g[3], g[4], t[2], t[3], t[4]]
    }

    /// Two layers agree on an image's channels, rows and columns.
    #[diagnostic::on_unimplemented(
        message = "layer {AT} gives {C} channels × {H} × {W} but layer {NEXT} takes {C2} channels \
                   × {H2} × {W2} (layer 0 is the network's input)",
        label = "these layers do not connect",
        note = "the outputs of each layer are the inputs of the next: make the shapes agree"
    )]
    pub trait ArrangedImage<
        const AT: usize,
        const NEXT: usize,
        const C: usize,
        const H: usize,
        const W: usize,
        const C2: usize,
        const H2: usize,
        const W2: usize,
    >
    {
    }

    impl<const AT: usize, const NEXT: usize, const C: usize, const H: usize, const W: usize>
        ArrangedImage<AT, NEXT, C, H, W, C, H, W> for Wiring
    {
    }

    /// The input of a network and its first layer agree in their number of values.
    #[diagnostic::on_unimplemented(
        message = "the network's input gives {OUT} values but layer 1 takes {IN} inputs",
        label = "the input does not fit the first layer",
        note = "`Input<…>` names what the network is fed: make it what the first layer takes"
    )]
    pub trait InputConnects<const OUT: usize, const IN: usize> {}

    impl<const N: usize> InputConnects<N, N> for Wiring {}

    /// … and in their number of dimensions.
    #[diagnostic::on_unimplemented(
        message = "the network's input gives {N} values in {OUT} dimensions but layer 1 takes \
                   them in {IN}",
        label = "the input does not fit the first layer",
        note = "a `Flatten` after the input turns channels × steps into flat features"
    )]
    pub trait InputLayout<const N: usize, const OUT: usize, const IN: usize> {}

    impl<const N: usize, const R: usize> InputLayout<N, R, R> for Wiring {}

    /// … and in their channels and steps.
    #[diagnostic::on_unimplemented(
        message = "the network's input gives {C} channels × {L} steps but layer 1 takes {C2} \
                   channels × {L2} steps",
        label = "the input does not fit the first layer",
        note = "`Input<…>` names what the network is fed: make it what the first layer takes"
    )]
    pub trait InputArranged<const C: usize, const L: usize, const C2: usize, const L2: usize> {}

    impl<const C: usize, const L: usize> InputArranged<C, L, C, L> for Wiring {}
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
    ($(#[$meta:meta])* $vis:vis type $name:ident = [$only:ty $(,)?];) => {
        $(#[$meta])*
        $vis type $name = $only;
        const _: () = {
            $crate::network!(@check $crate::seq!(@spec $only), <$only as $crate::nn::Shape>::In);
        };
    };
    ($(#[$meta:meta])* $vis:vis type $name:ident = [$first:ty $(, $rest:ty)+ $(,)?];) => {
        $(#[$meta])*
        $vis type $name = $crate::seq![$first $(, $rest)+];
        const _: () = {
            $crate::network!(
                @check
                <$first as $crate::nn::wiring::Begin>::Spec<$crate::seq!(@spec $($rest),+)>,
                <$first as $crate::nn::wiring::Begin>::In
            );
        };
    };
    (@check $spec:ty, $input:ty) => {
        use $crate::nn::wiring::check::{
            report, report_image, report_input, report_recount, report_residual, report_window,
            Arranged, ArrangedImage, Connects, InputArranged, InputConnects, InputLayout, Layout,
            Recount, ResidualCount, ResidualShape, Walk, WindowFits, Wiring,
        };
        const R: [usize; 10] = report(<$spec as Walk<$input>>::FIRST);
        const E: [usize; 10] = report_input(<$spec as Walk<$input>>::FIRST);
        const W: [usize; 6] = report_window(<$spec as Walk<$input>>::FIRST);
        const Q: [usize; 7] = report_residual(<$spec as Walk<$input>>::FIRST);
        const G: [usize; 8] = report_image(<$spec as Walk<$input>>::FIRST);
        const N: [usize; 3] = report_recount(<$spec as Walk<$input>>::FIRST);
        #[allow(dead_code)]
        fn wired()
        where
            Wiring: Connects<{ R[0] }, { R[1] }, { R[2] }, { R[3] }>,
            Wiring: Layout<{ R[0] }, { R[1] }, { R[2] }, { R[4] }, { R[5] }>,
            Wiring: Arranged<{ R[0] }, { R[1] }, { R[6] }, { R[7] }, { R[8] }, { R[9] }>,
            Wiring: InputConnects<{ E[2] }, { E[3] }>,
            Wiring: InputLayout<{ E[2] }, { E[4] }, { E[5] }>,
            Wiring: InputArranged<{ E[6] }, { E[7] }, { E[8] }, { E[9] }>,
            Wiring: WindowFits<{ W[0] }, { W[1] }, { W[2] }, { W[3] }, { W[4] }, { W[5] }>,
            Wiring: ResidualCount<{ Q[0] }, { Q[1] }, { Q[2] }>,
            Wiring: Recount<{ N[0] }, { N[1] }, { N[2] }>,
            Wiring: ResidualShape<{ Q[0] }, { Q[3] }, { Q[4] }, { Q[5] }, { Q[6] }>,
            Wiring: ArrangedImage<
                { G[0] },
                { G[1] },
                { G[2] },
                { G[3] },
                { G[4] },
                { G[5] },
                { G[6] },
                { G[7] },
            >,
        {
        }
    };
}
