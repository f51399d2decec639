//! The hot loops of the crate, at the bottom of it: every kernel the tensors, layers, losses
//! and optimizers run on slices, and the one place that decides whether they run as AVX2 code.
//!
//! * [`portable`]: the loops in plain Rust (sums, dot products, matrix products, the SGD
//!   update, the optimizers' element-wise updates, finite checks, the largest magnitude),
//!   written so the compiler vectorizes them and in a fixed order of operations, so every
//!   build gives the same bits;
//! * [`conv`]: the sliding windows of one sample over channels × rows × columns ([`Window2d`],
//!   an axis a [`conv::Window1d`]; a signal is one row): their numbers, the convolution's direct
//!   loops (the tests' references), max and average pooling; portable code only;
//! * [`panel`]: the convolution (2-D, and 1-D as its one-row case) and its gradients as
//!   products (a stride-1 window over a
//!   zero-padded copy of the sample, a strided one over gathered panels; explicit
//!   AVX2/AVX-512 code for `f32`);
//! * [`row`]: the convolution of a row (a signal's) in direct loops, for the targets without
//!   `panel`'s padded copies (the microcontrollers), with `panel`'s bits;
//! * [`plane`]: register blocks over the lines of a plane: the depthwise convolution's
//!   channels and the weight gradients of windows with a row stride alone (the layers run
//!   both compiled for AVX2 through [`vectorized`]);
//! * [`exp`]: an `exp` for `f32` with the same bits on every platform, and the softmax;
//! * [`int8`]: the int8 convolution and fully connected kernels of the quantized layers (each
//!   output whole, requantized at once: no int32 copies; four rows at once in the fully
//!   connected one);
//! * `arm` (Arm targets only): the DSP instructions the int8 kernels use on Cortex-M4/M7
//!   (`cfg(typegrad_arm_dsp)`), and the fully connected inner loop of the other Arm cores, as
//!   inline assembly;
//! * `x86` (feature `simd-dispatch`, x86-64 only): the AVX2 builds of those kernels and the
//!   explicit AVX2 ones (for `f32`: the matrix products, the matrix–vector product, the
//!   transpose, the plane sums, the largest magnitude, the convolutions' products and weight
//!   taps), and with Rust ≥ 1.89 the AVX-512 ones (`x86::avx512`: matrix, matrix–vector and
//!   convolution products); the only `unsafe` code of the crate;
//! * this module: the entry points the rest of the crate calls, each running the AVX2 kernel
//!   when [`avx2`] says so and the portable one otherwise — with the same results, bit for
//!   bit (the tests below compare the two).
//!
//! Nothing here imports from the crate above it except [`crate::scalar`] (the [`Scalar`]
//! and [`Real`] traits): the tensors call the kernels, never the reverse.

// The Arm assembly of the int8 kernels: the DSP instructions on Cortex-M4/M7, the fully
// connected inner loop on the other Arm cores.
#[cfg(target_arch = "arm")]
mod arm;
mod conv;
mod exp;
mod int8;
mod panel;
mod plane;
mod portable;
mod row;
#[cfg(any(typegrad_arm_dsp, all(test, feature = "simd-dispatch")))]
mod unchecked;
// The dispatch condition, compile-time half (with the same `cfg` in [`avx2`] and
// [`on_avx2`], just below): the AVX2 kernels exist with the `simd-dispatch` feature on x86-64.
#[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
mod x86;

// No AVX2 builds of the direct loops: measured on W5 and W6, compiling them for AVX2 made the
// training steps slower (W5 89 k → 67 k samples/s; W6 ResNet-8 184 → 223 ms), so the pools
// run as portable code on every CPU; the convolutions run `panel` and `plane` (compiled for
// AVX2 through [`vectorized`]), and on the microcontrollers a row's convolution runs `row`.
pub(crate) use conv::{
    Window1d, Window2d, WindowSpec, avg_pool2d, avg_pool2d_backward, depthwise2d,
    depthwise2d_backward, max_pool2d, max_pool2d_backward, pad_before,
};
#[cfg(test)]
use conv::{conv2d_backward_direct, conv2d_direct};
pub(crate) use exp::larger;
pub(crate) use int8::{Requantize, conv2d_i8, dense_i8, doubling_high_mul, pool_i8_nhwc};
pub(crate) use panel::{conv2d, conv2d_backward};
pub(crate) use portable::{argmax, argmin, dot, sum, sum_of_squares};
pub(crate) use row::{as_row, conv1d, conv1d_backward};

use core::any::TypeId;

use crate::scalar::{Real, Scalar};

/// Proof that the CPU running the program has AVX2, which the safe functions of `x86` take:
/// only [`avx2`] makes one (the field is private to this module and `x86`).
#[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
#[derive(Clone, Copy)]
struct Avx2(());

/// THE dispatch condition: `Some` when the AVX2 kernels run — the `simd-dispatch` feature is
/// on, the target is x86-64 and the CPU has AVX2. The CPU is asked once (std caches the
/// answer; later calls are a load and a test), and a build that targets AVX2 already
/// (`-C target-feature=+avx2`, `-C target-cpu=native`) knows the answer at compile time.
#[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
#[inline(always)]
fn avx2() -> Option<Avx2> {
    std::is_x86_feature_detected!("avx2").then_some(Avx2(()))
}

/// `on_avx2!(cpu => expr)`: returns `expr` from the enclosing function when [`avx2`] gives a
/// token (named `cpu` in `expr`); otherwise does nothing and the code after it runs. Without
/// the `simd-dispatch` feature or off x86-64 it expands to nothing, so `expr` may name the
/// kernels of `x86`, which exist only there.
///
/// `on_avx2!(cpu => if ran)`: returns from the enclosing function (which returns `()`) when
/// there is a token and `ran` (an AVX2 kernel that may decline, e.g. for a type other than
/// `f32`) is `true`.
macro_rules! on_avx2 {
    ($cpu:ident => if $ran:expr) => {
        #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
        if let Some($cpu) = avx2() {
            if $ran {
                return;
            }
        }
    };
    ($cpu:ident => $avx2:expr) => {
        #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
        if let Some($cpu) = avx2() {
            return $avx2;
        }
    };
}

/// `true` when `T` is `f32` (a check the compiler resolves at compile time): the type whose
/// `exp` is [`exp::exp_f32`], and the one with explicit AVX2 kernels (`x86` also recognizes
/// `f32` arrays with `Any`, to get them typed).
#[inline(always)]
fn is_f32<T: 'static>() -> bool {
    TypeId::of::<T>() == TypeId::of::<f32>()
}

/// `wᵢ ← wᵢ − η·gᵢ` over the common length.
#[inline]
pub(crate) fn sub_scaled<T: Scalar>(w: &mut [T], g: &[T], eta: T) {
    on_avx2!(cpu => x86::sub_scaled(cpu, w, g, eta));
    portable::sub_scaled(w, g, eta);
}

/// `true` when every `wᵢ − η·gᵢ` (as [`sub_scaled`] computes it) is finite: the check before
/// an update that must not store NaN or ±∞. Writes nothing.
#[inline]
pub(crate) fn sub_scaled_is_finite<T: Scalar>(w: &[T], g: &[T], eta: T) -> bool {
    on_avx2!(cpu => x86::sub_scaled_is_finite(cpu, w, g, eta));
    portable::sub_scaled_is_finite(w, g, eta)
}

/// `true` when no element is NaN or ±∞.
#[inline]
pub(crate) fn all_finite<T: Scalar>(xs: &[T]) -> bool {
    on_avx2!(cpu => x86::all_finite(cpu, xs));
    portable::all_finite(xs)
}

/// `max |xᵢ|` (`0` for an empty slice), or `+∞` if an element is NaN or ±∞: finite exactly
/// when every element is.
#[inline]
pub(crate) fn max_abs<T: Real>(xs: &[T]) -> T {
    on_avx2!(cpu => x86::max_abs(cpu, xs));
    portable::max_abs(xs)
}

/// `wᵢ ← rule(wᵢ, gᵢ)` if `write`, else only whether every `rule(wᵢ, gᵢ)` is finite
/// ([`portable::apply0`]): an optimizer's element-wise update, compiled for AVX2 with the
/// rule inlined when the CPU has it (the same IEEE operations, so the same results — only
/// what IEEE leaves open, a NaN's payload, is not pinned down by any build).
#[inline]
pub(crate) fn apply0<T: Scalar>(
    w: &mut [T],
    g: &[T],
    rule: impl Fn(T, T) -> T,
    write: bool,
) -> bool {
    on_avx2!(cpu => x86::apply0(cpu, w, g, rule, write));
    portable::apply0(w, g, rule, write)
}

/// [`apply0`] with one state value ([`portable::apply1`]).
#[inline]
pub(crate) fn apply1<T: Scalar>(
    w: &mut [T],
    g: &[T],
    a: &mut [T],
    rule: impl Fn(T, T, T) -> (T, T),
    write: bool,
) -> bool {
    on_avx2!(cpu => x86::apply1(cpu, w, g, a, rule, write));
    portable::apply1(w, g, a, rule, write)
}

/// [`apply0`] with two state values ([`portable::apply2`]).
#[inline]
pub(crate) fn apply2<T: Scalar>(
    w: &mut [T],
    g: &[T],
    a: &mut [T],
    b: &mut [T],
    rule: impl Fn(T, T, T, T) -> (T, T, T),
    write: bool,
) -> bool {
    on_avx2!(cpu => x86::apply2(cpu, w, g, a, b, rule, write));
    portable::apply2(w, g, a, b, rule, write)
}

/// `out[r] = rows[r] · x` for every row, plus `bias[r]` if given (added to the finished dot
/// product, as `(rows[r]·x) + bias[r]`).
///
/// Each row keeps sixteen partial sums (`sₗ = Σᵢ rowᵢ·xᵢ` over the `i ≡ l mod 16`, in
/// increasing `i`), combined as `tₗ = sₗ + sₗ₊₈`, then `((t₀+t₄)+(t₁+t₅))+((t₂+t₆)+(t₃+t₇))` —
/// a fixed order, so every build gives the same result. For `f32` explicit kernels: AVX-512
/// (sixteen rows per block, one 16-lane register of sums per row, the sixteen rows' lanes
/// combined at once) or AVX2 (two 8-lane registers per row, eight rows' lanes combined by
/// horizontal adds), with the same results.
#[inline]
pub(crate) fn matvec_rows<T: Scalar, const R: usize, const C: usize>(
    rows: &[[T; C]; R],
    x: &[T; C],
    bias: Option<&[T; R]>,
    out: &mut [T; R],
) {
    on_avx2!(cpu => if x86::matvec_rows(cpu, rows, x, bias, out));
    portable::matvec_rows(rows, x, bias, out);
}

/// `out += a · b` for row-major `a: R × K`, `b: K × N`, `out: R × N` (R = `a.len()`).
///
/// Every element gets `out + Σₖ aᵢₖ·bₖⱼ`, the sum formed in increasing `k` order (register
/// blocks of [`portable::matmul`]; with AVX2, for `f32` a packed kernel, otherwise the same
/// kernel compiled for AVX2 — the same results bit for bit, unless the opt-in feature `fma`
/// is on and the CPU has FMA: then the `f32` products fuse each multiply-add, one rounding
/// per step).
#[inline]
pub(crate) fn matmul_add<T: Scalar, const K: usize, const N: usize>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) {
    matmul::<T, K, N, true>(out, a, b);
}

/// `out = a · b`, [`matmul_add`] without reading `out` first (its old values are ignored).
#[inline]
pub(crate) fn matmul_set<T: Scalar, const K: usize, const N: usize>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) {
    matmul::<T, K, N, false>(out, a, b);
}

/// [`matmul_add`] (`ACC`) or [`matmul_set`].
#[inline]
fn matmul<T: Scalar, const K: usize, const N: usize, const ACC: bool>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) {
    on_avx2!(cpu => x86::matmul::<T, K, N, ACC>(cpu, out, a, b));
    portable::matmul::<T, K, N, ACC>(out, a, b);
}

/// `sums[c] = Σₜ x[c·n + t]` over the planes of `n` values in `x` (as many as `sums` holds),
/// each plane's values added one after another from `+0` (a global average pool's sums); for
/// `f32` with AVX2 eight planes at a time, their values transposed into the lanes (the same
/// additions in the same order).
#[inline]
pub(crate) fn plane_sums<T: Scalar>(x: &[T], n: usize, sums: &mut [T]) {
    on_avx2!(cpu => if x86::plane_sums(cpu, x, n, sums));
    portable::plane_sums(x, n, sums);
}

/// `dstⱼᵢ = srcᵢⱼ` (for `f32` with AVX2: 8 × 8 tiles transposed in registers).
#[inline]
pub(crate) fn transpose<T: Scalar, const R: usize, const C: usize>(
    src: &[[T; C]; R],
    dst: &mut [[T; R]; C],
) {
    on_avx2!(cpu => if x86::transpose(cpu, src, dst));
    portable::transpose(src, dst);
}

/// `xᵢ ← e^{xᵢ}` for every element, with [`exp::exp`]. For `f32` eight at a time, as code the
/// compiler turns into vector instructions (with AVX2, AVX2 instructions: the same
/// operations, so the same results); other types call their own `exp` per element.
#[inline]
pub(crate) fn exp_in_place<T: Real>(xs: &mut [T]) {
    if !is_f32::<T>() {
        for x in xs {
            *x = x.exp();
        }
        return;
    }
    on_avx2!(cpu => x86::exp_chunks(cpu, xs));
    exp::exp_chunks(xs);
}

/// `y = softmax(x)`: `yᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m}` with `m = maxⱼ xⱼ`, in the order of
/// operations documented on [`exp::softmax`]. For `f32` the whole function runs as AVX-512
/// or AVX2 code where the CPU has it (same results).
#[inline]
pub(crate) fn softmax<T: Real, const N: usize>(x: &[T; N], y: &mut [T; N]) {
    if is_f32::<T>() {
        on_avx2!(cpu => x86::softmax(cpu, x, y));
    }
    exp::softmax(x, y);
}

/// The operands of [`panel_product`] — `w` with the column of each step `k`, `src` with the
/// start of each step's 16 values — and, where the explicit x86 kernels exist, the largest
/// column and row they hold, found once (those kernels check each call against these instead
/// of scanning the arrays again). Only [`Operand::new`] makes one.
pub(crate) struct Operand<'a, T, U> {
    w: &'a [U],
    columns: &'a [u32],
    src: &'a [T],
    rows: &'a [u32],
    // Only the explicit kernels read them: found only where those exist.
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    last_column: usize,
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    far_row: usize,
}

impl<'a, T, U> Operand<'a, T, U> {
    /// The operands, as many steps as both `columns` and `rows` have.
    pub(crate) fn new(w: &'a [U], columns: &'a [u32], src: &'a [T], rows: &'a [u32]) -> Self {
        let steps = columns.len().min(rows.len());
        let (columns, rows) = (&columns[..steps], &rows[..steps]);
        Operand {
            w,
            columns,
            src,
            rows,
            #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
            last_column: columns.iter().max().map_or(0, |&c| c as usize),
            #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
            far_row: rows.iter().max().map_or(0, |&r| r as usize),
        }
    }

    /// `(w, columns, src, rows)`.
    pub(crate) fn parts(&self) -> (&'a [U], &'a [u32], &'a [T], &'a [u32]) {
        (self.w, self.columns, self.src, self.rows)
    }
}

/// `acc[m][l] += w[bases[m] + columns[k]] · src[rows[k] + at + l]` over every step `k` in
/// increasing order ([`panel`]'s product) with explicit vector code (AVX2, or AVX-512 where
/// the CPU has it) when `T` and `U` are `f32` and [`avx2`] says so; returns whether it ran
/// (otherwise the caller's plain loops do the same operations).
#[inline(always)]
pub(crate) fn panel_product<T: 'static, U: 'static, const M: usize>(
    op: &Operand<'_, T, U>,
    bases: &[usize; M],
    at: usize,
    acc: &mut [[T; panel::LANES]; M],
) -> bool {
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    if let Some(cpu) = avx2() {
        return x86::panel_product(cpu, op, bases, at, acc);
    }
    let _ = (op, bases, at, acc);
    false
}

/// [`panel_product`] for two blocks of 16 positions at once (`acc[0]` at `at0`, `acc[1]` at
/// `at1`), where the explicit AVX-512 kernel runs (each weight read once for both); returns
/// whether it ran (otherwise the caller runs the blocks one at a time: the same sums).
#[inline(always)]
pub(crate) fn panel_product2<T: 'static, U: 'static, const M: usize>(
    op: &Operand<'_, T, U>,
    bases: &[usize; M],
    ats: (usize, usize),
    acc: &mut [[[T; panel::LANES]; M]; 2],
) -> bool {
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    if let Some(cpu) = avx2() {
        return x86::panel_product2(cpu, op, bases, ats, acc);
    }
    let _ = (op, bases, ats, acc);
    false
}

/// `sums[m][c]` = the sixteen lane sums `s[l] = Σ ys[ystarts[m] + q] · xs[xstarts[c] + q]`
/// over the grid positions `q < grid` with `q mod 16 = l` (from `+0`, in increasing `q`)
/// combined by `portable::sum_sixteen_lanes` ([`panel`]'s weight gradients of stride-1
/// windows), with explicit AVX-512 code when `T` is `f32` and the CPU has it; returns whether
/// it ran (otherwise the caller's plain loops do the same operations).
#[inline(always)]
pub(crate) fn grid_sums<T: 'static, const M: usize, const C: usize>(
    ys: &[T],
    ystarts: &[usize; M],
    xs: &[T],
    xstarts: &[usize; C],
    grid: usize,
    sums: &mut [[T; C]; M],
) -> bool {
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    if let Some(cpu) = avx2() {
        return x86::grid_sums(cpu, ys, ystarts, xs, xstarts, grid, sums);
    }
    let _ = (ys, ystarts, xs, xstarts, grid, sums);
    false
}

/// The eight-lane sums of one tap `(ky, kx)` of the weight gradient for output channels
/// `o0..o0 + M` × input channels `c0..c0 + C` ([`plane`]'s `weight_block`), added into
/// `acc`, with explicit AVX2 code when `T` is `f32` and [`avx2`] says so; returns whether it
/// ran (otherwise the caller's plain loops do the same operations).
#[inline(always)]
pub(crate) fn weight_tap<T: 'static, const M: usize, const C: usize>(
    d: &Window2d,
    x: &[T],
    dy: &[T],
    (o0, c0): (usize, usize),
    (ky, kx): (usize, usize),
    acc: &mut [[[T; 8]; C]; M],
) -> bool {
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    if let Some(cpu) = avx2() {
        return x86::weight_tap(cpu, d, x, dy, (o0, c0), (ky, kx), acc);
    }
    let _ = (d, x, dy, o0, c0, ky, kx, acc);
    false
}

/// Runs `body` (loops of plain Rust on slices, e.g. a layer's convolution with its window's
/// numbers as constants) compiled for AVX2 when [`avx2`] says so, else as it is: the same
/// operations, so the same results.
#[inline(always)]
pub(crate) fn vectorized<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    if let Some(cpu) = avx2() {
        return x86::run_avx2(cpu, body);
    }
    body()
}

#[cfg(test)]
mod tests;
