//! Pooling over steps and over rows × columns: [`MaxPool1d`], [`AvgPool1d`], [`MaxPool2d`],
//! [`AvgPool2d`] (windows of `K` (× `K`), output size computed by the type system) and
//! [`GlobalAvgPool`] (the mean of each channel of a signal or an image;
//! `GlobalAvgPool1d`, `GlobalAvgPool2d`).

use core::marker::PhantomData;

use crate::Real;
use crate::kernels::{self, Window2d};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, NoParameters, Place, Shape, Unplaced};
use crate::shape::window::{
    FitCols, FitRows, Kernel1d, KernelSize, Padding, Pooled, SlideCols, SlideRows, Strides,
};
use crate::shape::{BatchOf, Image, Pad, Plane, Port, Signal, Size, Stride, VectorOf};

/// The maximum of each window of `K` steps, moved by `S` steps (default `K`), per channel, no
/// padding: `y[c][t] = max_k x[c][t·S + k]`, `(L − K) / S + 1` output steps (PyTorch's
/// `nn.MaxPool1d(K, S)`): the `1 × K` [`MaxPool2d`] over a signal's one row. Listed as
/// `MaxPool1d<2>`; placed after `Signal<C, L>`. Gradient: `∂L/∂y[c][t]` goes to the first
/// largest input of its window (PyTorch's choice), the others get 0.
pub type MaxPool1d<const K: usize, const S: usize = K, At = Unplaced> =
    MaxPool2d<Kernel1d<K>, Stride<1, S>, Pad<0>, At>;

/// The mean of each window of `K` steps, moved by `S` steps (default `K`), per channel, no
/// padding: `y[c][t] = (1/K)·Σ_k x[c][t·S + k]` (PyTorch's `nn.AvgPool1d(K, S)`): the `1 × K`
/// [`AvgPool2d`]. Gradient: `∂L/∂x[c][t·S + k] += ∂L/∂y[c][t] / K`.
pub type AvgPool1d<const K: usize, const S: usize = K, At = Unplaced> =
    AvgPool2d<Kernel1d<K>, Stride<1, S>, Pad<0>, At>;

/// The mean of each channel over all its values: a `Signal<C, L>` (its `L` steps) or an
/// `Image<C, H, W>` (its `H·W` pixels) in, `Size<C>` flat features out, `y[c] = (1/n)·Σ x[c]`
/// (PyTorch's `nn.AdaptiveAvgPool1d(1)` / `nn.AdaptiveAvgPool2d(1)` then `Flatten`), so a
/// `Dense<f32, C, N>` can follow directly. Gradient: `∂L/∂x[c][·] = ∂L/∂y[c] / n`.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(bound = ""))]
pub struct GlobalAvgPool<At = Unplaced>(
    #[cfg_attr(feature = "serde", serde(skip))] PhantomData<fn() -> At>,
);

/// [`GlobalAvgPool`], as written after a signal.
pub type GlobalAvgPool1d<At = Unplaced> = GlobalAvgPool<At>;

/// [`GlobalAvgPool`], as written after an image.
pub type GlobalAvgPool2d<At = Unplaced> = GlobalAvgPool<At>;

/// `Clone`, `Copy`, `Debug`, `PartialEq`, `Eq`, `Default` and `NoParameters` for a marker
/// layer, whatever its place `At` is (derives would ask the same of `At`).
macro_rules! marker_layer {
    ($name:ident $(, $c:ident)*) => {
        impl<$(const $c: usize,)* At> Clone for $name<$($c,)* At> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<$(const $c: usize,)* At> Copy for $name<$($c,)* At> {}
        impl<$(const $c: usize,)* At> core::fmt::Debug for $name<$($c,)* At> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(stringify!($name))
            }
        }
        impl<$(const $c: usize,)* At> PartialEq for $name<$($c,)* At> {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }
        impl<$(const $c: usize,)* At> Eq for $name<$($c,)* At> {}
        impl<$(const $c: usize,)* At> Default for $name<$($c,)* At> {
            fn default() -> Self {
                Self(PhantomData)
            }
        }
        impl<$(const $c: usize,)* At> NoParameters for $name<$($c,)* At> {}
    };
}

marker_layer!(GlobalAvgPool);

/// Runs `f` on each sample of a batch: its input and output slices.
fn per_sample<'a, T, const B: usize>(
    x: &'a [T],
    y: &'a mut [T],
    (n_in, n_out): (usize, usize),
    mut f: impl FnMut(&'a [T], &mut [T]),
) {
    for s in 0..B {
        f(
            &x[s * n_in..(s + 1) * n_in],
            &mut y[s * n_out..(s + 1) * n_out],
        );
    }
}

#[diagnostic::do_not_recommend]
impl<In: Port> Place<In> for GlobalAvgPool
where
    GlobalAvgPool<In::OwnPlane>: Shape,
{
    type Layer = GlobalAvgPool<In::OwnPlane>;
}

impl<const C: usize, const L: usize> Shape for GlobalAvgPool<Signal<C, L>> {
    type In = Signal<C, L>;
    type Out = Size<C>;
}

impl<const C: usize, const H: usize, const W: usize> Shape for GlobalAvgPool<Image<C, H, W>> {
    type In = Image<C, H, W>;
    type Out = Size<C>;
}

impl<T: Real, X: Plane> Layer<T> for GlobalAvgPool<X>
where
    Self: Shape<In = X>,
{
    type Cache<const B: usize> = BatchOf<T, B, <Self as Shape>::Out>;

    fn predict(&self, x: &VectorOf<T, X>) -> VectorOf<T, Self::Out> {
        let mut y = <Self::Out as Port>::sample(|_| T::zero());
        mean_planes::<T>(
            X::sample_slice(x),
            Self::VALUES,
            Self::Out::sample_slice_mut(&mut y),
        );
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        <Self::Out as Port>::batch(|_, _| T::zero())
    }

    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, X>, y: &mut Self::Cache<B>) {
        // The batch's planes one after another: all of them at once.
        let ys = <Self::Out as Port>::batch_slice_mut(y);
        mean_planes::<T>(X::batch_slice(x), Self::VALUES, ys);
    }

    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }

    fn backward<const B: usize>(
        &self,
        _: &BatchOf<T, B, X>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        _: &mut Self,
        _: Grads,
        dx: &mut BatchOf<T, B, X>,
    ) {
        let n = Self::VALUES.max(1);
        let inv = T::one() / T::from_count(n);
        let dys = <Self::Out as Port>::batch_slice(dy);
        for (k, d) in X::batch_slice_mut(dx).iter_mut().enumerate() {
            // Element k of the batch is sample k / (C·n), channel (k / n) % C.
            *d = dys[k / n] * inv;
        }
    }

    fn backward_params<const B: usize>(
        &self,
        _: &BatchOf<T, B, X>,
        _: &mut Self::Cache<B>,
        _: &Self::Cache<B>,
        _: &mut Self,
        _: Grads,
    ) {
    }
}

impl<X: Plane> GlobalAvgPool<X> {
    /// The values each channel's mean is over: `L`, or `H·W`.
    const VALUES: usize = X::HW[0] * X::HW[1];
}

/// The maximum of each window `K` ([`Kernel<H, W>`](crate::shape::Kernel)), moved by `S`
/// (a [`Stride`](crate::shape::Stride); by default the kernel's own size), per channel,
/// without padding (`P = Pad<0>`: PyTorch's `nn.MaxPool2d(K, S)`, TFLite's `MAX_POOL_2D`
/// `VALID`) or with TensorFlow's `SAME` (`P = Same`: `⌈L / S⌉` outputs; the padding is left
/// out of each window). Listed as `MaxPool2d<Kernel<2>>`; placed after `Image<C, H, W>`.
/// Gradient to the first largest input of each window (row-major).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(bound = ""))]
pub struct MaxPool2d<K, S = K, P = Pad<0>, At = Unplaced>(
    #[cfg_attr(feature = "serde", serde(skip))] crate::shape::window::Types<(K, S, P, At)>,
);

/// The mean of each window `K`, moved by `S` (default: the kernel's size), per channel,
/// without padding (`P = Pad<0>`: PyTorch's `nn.AvgPool2d(K, S)`, TFLite's `AVERAGE_POOL_2D`
/// `VALID`) or with TensorFlow's `SAME` (`P = Same`; the mean of the window's positions
/// inside the image, as TensorFlow and TFLite count them — PyTorch's `count_include_pad =
/// False`): `y[c][i][j] = (1/n)·Σ x[c][i·Sh + ky − pt][j·Sw + kx − pl]` over the `n` inside.
/// DS-CNN ends with `AvgPool2d<Kernel<25, 5>>`. Gradient: `∂L/∂y / n` to each of them.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(bound = ""))]
pub struct AvgPool2d<K, S = K, P = Pad<0>, At = Unplaced>(
    #[cfg_attr(feature = "serde", serde(skip))] crate::shape::window::Types<(K, S, P, At)>,
);

/// `Clone`, `Copy`, `Debug`, `PartialEq`, `Eq`, `Default`, `NoParameters` for a 2-D pool.
macro_rules! window_marker {
    ($name:ident) => {
        impl<K, S, P, At> Clone for $name<K, S, P, At> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<K, S, P, At> Copy for $name<K, S, P, At> {}
        impl<K, S, P, At> core::fmt::Debug for $name<K, S, P, At> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(stringify!($name))
            }
        }
        impl<K, S, P, At> PartialEq for $name<K, S, P, At> {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }
        impl<K, S, P, At> Eq for $name<K, S, P, At> {}
        impl<K, S, P, At> Default for $name<K, S, P, At> {
            fn default() -> Self {
                Self(PhantomData)
            }
        }
        impl<K, S, P, At> NoParameters for $name<K, S, P, At> {}
    };
}

window_marker!(MaxPool2d);
window_marker!(AvgPool2d);

macro_rules! window_pool2 {
    (@shape $pool:ident, $($c:ident),* => $x:ty) => {
        impl<K, S, P, $(const $c: usize),*> Shape for $pool<K, S, P, $x>
        where
            K: KernelSize,
            S: Strides,
            P: Padding,
            <$x as Plane>::Rows: SlideRows<K, S, P>,
            <$x as Plane>::Cols: SlideCols<K, S, P>,
        {
            type In = $x;
            type Out = Pooled<$x, K, S, P>;
            const MISTAKE: Mistake = super::conv2d::misfit2::<K, S, P, $x>()
                .or(Mistake::pool_padding::<$x>(P::SAME || (P::H == 0 && P::W == 0)));
        }
    };
    ($pool:ident, $forward:expr, $backward:expr) => {
        #[diagnostic::do_not_recommend]
        impl<K: KernelSize, S: Strides, P: Padding, In: Port> Place<In> for $pool<K, S, P, Unplaced>
        where
            $pool<K, S, P, In::OwnPlane>: Shape,
        {
            type Layer = $pool<K, S, P, In::OwnPlane>;
        }

        window_pool2!(@shape $pool, C, L => Signal<C, L>);
        window_pool2!(@shape $pool, C, H, W => Image<C, H, W>);

        impl<K, S, P, X> $pool<K, S, P, X>
        where
            K: KernelSize,
            S: Strides,
            P: Padding,
            X: Plane,
            X::Rows: FitRows<K, S, P>,
            X::Cols: FitCols<K, S, P>,
        {
            const WINDOW: Window2d = Window2d::of(
                crate::shape::window::spec::<K, S, P>(),
                X::C,
                X::C,
                X::HW,
                <Pooled<X, K, S, P> as Plane>::HW,
            );
            const SIZES: (usize, usize) = (X::N, <Pooled<X, K, S, P> as Port>::N);
        }

        impl<T: Real, K, S, P, X> Layer<T> for $pool<K, S, P, X>
        where
            K: KernelSize,
            S: Strides,
            P: Padding,
            X: Plane,
            X::Rows: FitRows<K, S, P>,
            X::Cols: FitCols<K, S, P>,            Self: Shape<In = X, Out = Pooled<X, K, S, P>>,
        {
            type Cache<const B: usize> = BatchOf<T, B, Pooled<X, K, S, P>>;

            fn predict(&self, x: &VectorOf<T, X>) -> <Self::Out as Port>::Sample<T> {
                let mut y = <Self::Out as Port>::sample(|_| T::zero());
                let forward: fn(&Window2d, &[T], &mut [T]) = $forward;
                forward(
                    &Self::WINDOW,
                    X::sample_slice(x),
                    <Self::Out as Port>::sample_slice_mut(&mut y),
                );
                y
            }

            fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
                <Self::Out as Port>::batch(|_, _| T::zero())
            }

            fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, X>, y: &mut Self::Cache<B>) {
                let forward: fn(&Window2d, &[T], &mut [T]) = $forward;
                per_sample::<T, B>(
                    X::batch_slice(x),
                    <Self::Out as Port>::batch_slice_mut(y),
                    Self::SIZES,
                    |x, y| forward(&Self::WINDOW, x, y),
                );
            }

            fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
                y
            }

            fn backward<const B: usize>(
                &self,
                x: &BatchOf<T, B, X>,
                _: &mut Self::Cache<B>,
                dy: &Self::Cache<B>,
                _: &mut Self,
                _: Grads,
                dx: &mut BatchOf<T, B, X>,
            ) {
                let backward: fn(&Window2d, &[T], &[T], &mut [T]) = $backward;
                let (n_in, n_out) = Self::SIZES;
                let (xs, dys) = (X::batch_slice(x), <Self::Out as Port>::batch_slice(dy));
                let dxs = X::batch_slice_mut(dx);
                for s in 0..B {
                    backward(
                        &Self::WINDOW,
                        &xs[s * n_in..(s + 1) * n_in],
                        &dys[s * n_out..(s + 1) * n_out],
                        &mut dxs[s * n_in..(s + 1) * n_in],
                    );
                }
            }

            fn backward_params<const B: usize>(
                &self,
                _: &BatchOf<T, B, X>,
                _: &mut Self::Cache<B>,
                _: &Self::Cache<B>,
                _: &mut Self,
                _: Grads,
            ) {
            }
        }
    };
}

window_pool2!(
    MaxPool2d,
    |d, x, y| kernels::max_pool2d(d, x, y),
    |d, x, dy, dx| kernels::max_pool2d_backward(d, x, dy, dx)
);
window_pool2!(
    AvgPool2d,
    |d, x, y| kernels::avg_pool2d(d, x, |n| T::one() / T::from_count(n), y),
    |_, _, dy, dx| kernels::avg_pool2d_backward(
        &Self::WINDOW,
        dy,
        |n| T::one() / T::from_count(n),
        dx
    )
);

/// The mean of each plane of `n` values into `y` (as many as `y` holds): the plane's values
/// added one after another from `+0`, times `1/n`.
fn mean_planes<T: Real>(x: &[T], n: usize, y: &mut [T]) {
    let inv = T::one() / T::from_count(n.max(1));
    kernels::plane_sums(x, n.max(1), y);
    for v in y {
        *v = *v * inv;
    }
}
