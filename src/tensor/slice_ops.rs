//! Shape-agnostic kernels on slices, shared by every tensor type.
//!
//! Type-level sizes pick the types; these loops run on plain slices so they compile once per
//! scalar type instead of once per shape.

use crate::Scalar;

/// `Σ xᵢ`.
#[inline]
pub(crate) fn sum<T: Scalar>(xs: &[T]) -> T {
    xs.iter().fold(T::zero(), |acc, &x| acc + x)
}

/// Index of the largest element (the first one on ties); a NaN wins over any number.
/// `None` for an empty slice.
#[inline]
pub(crate) fn argmax<T: Scalar>(xs: &[T]) -> Option<usize> {
    extreme(xs, |candidate, best| candidate > best)
}

/// Index of the smallest element (the first one on ties); a NaN wins over any number.
/// `None` for an empty slice.
#[inline]
pub(crate) fn argmin<T: Scalar>(xs: &[T]) -> Option<usize> {
    extreme(xs, |candidate, best| candidate < best)
}

fn extreme<T: Scalar>(xs: &[T], better: impl Fn(T, T) -> bool) -> Option<usize> {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate().skip(1) {
        let b = xs[best];
        if b.is_nan_val() {
            break;
        }
        if x.is_nan_val() || better(x, b) {
            best = i;
        }
    }
    if xs.is_empty() { None } else { Some(best) }
}

/// `Σ xᵢ·yᵢ` over the common length.
///
/// Eight independent partial sums (combined pairwise at the end) instead of one running sum:
/// a single accumulator makes every addition wait for the previous one, eight let the
/// compiler vectorize. The order of additions is fixed, so results are reproducible.
#[inline]
pub(crate) fn dot<T: Scalar>(xs: &[T], ys: &[T]) -> T {
    const LANES: usize = 8;
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let mut acc = [T::zero(); LANES];
    let mut xc = xs.chunks_exact(LANES);
    let mut yc = ys.chunks_exact(LANES);
    for (a, b) in (&mut xc).zip(&mut yc) {
        for k in 0..LANES {
            acc[k] = acc[k] + a[k] * b[k];
        }
    }
    for (k, (&a, &b)) in xc.remainder().iter().zip(yc.remainder()).enumerate() {
        acc[k] = acc[k] + a * b;
    }
    combine(&acc)
}

/// `out[r] = rows[r] · x` for every row: four rows at a time, eight partial sums each, so
/// every load of `x` serves four rows and the additions are independent (vectorizable).
/// Each row's sum is formed exactly as [`dot`] forms it, so results equal `dot` bit for bit.
#[inline]
pub(crate) fn matvec_rows<T: Scalar, const C: usize>(rows: &[[T; C]], x: &[T; C], out: &mut [T]) {
    const LANES: usize = 8;
    let full = C - C % LANES;
    let mut row_blocks = rows.chunks_exact(4);
    let mut out_blocks = out.chunks_exact_mut(4);
    for (block, o) in (&mut row_blocks).zip(&mut out_blocks) {
        let mut acc = [[T::zero(); LANES]; 4];
        let mut c = 0;
        while c < full {
            for (r, acc_r) in acc.iter_mut().enumerate() {
                for k in 0..LANES {
                    acc_r[k] = acc_r[k] + block[r][c + k] * x[c + k];
                }
            }
            c += LANES;
        }
        for (r, acc_r) in acc.iter_mut().enumerate() {
            for k in 0..C - full {
                acc_r[k] = acc_r[k] + block[r][full + k] * x[full + k];
            }
            o[r] = combine(acc_r);
        }
    }
    for (row, o) in row_blocks
        .remainder()
        .iter()
        .zip(out_blocks.into_remainder())
    {
        *o = dot(row, x);
    }
}

/// The pairwise sum of eight partial sums, in the order [`dot`] uses.
#[inline]
fn combine<T: Scalar>(acc: &[T; 8]) -> T {
    let quads = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    (quads[0] + quads[2]) + (quads[1] + quads[3])
}
