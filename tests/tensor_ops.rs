//! Value tests for every public tensor operation of `Vector`, `Matrix` and `Batch`.
//!
//! Every float test is a generic function over [`TestDtype`] (like dfdx's `TestDtype`) and is
//! instantiated for both `f32` and `f64` by [`for_scalars!`], so a test named `matmul_values`
//! runs as `f32_tests::matmul_values` and `f64_tests::matmul_values`.
//!
//! Expected numbers are written as `f64` literals, computed by hand (the working is in the
//! comment next to each), and converted to the scalar under test by [`c`], [`v`] and [`m`].
//! Almost all of them are exactly representable (small integers, halves, quarters), so the
//! tolerance — a few machine epsilons of the scalar under test — only absorbs the rounding of
//! the few that are not (like `1/3`).

// `&a + &b` is an operator under test here, not a needless borrow.
#![allow(clippy::op_ref)]

use core::fmt::{Debug, Display};

use approx::{assert_abs_diff_eq, assert_relative_eq};
use num_traits::NumCast;
use typegrad::{Batch, LengthError, Matrix, Real, Vector};

/// The float scalars the tests run for: `f32` and `f64`.
trait TestDtype:
    Real + Display + Debug + approx::RelativeEq + approx::AbsDiffEq<Epsilon = Self>
{
}
impl<T: Real + Display + Debug + approx::RelativeEq + approx::AbsDiffEq<Epsilon = Self>> TestDtype
    for T
{
}

/// Instantiates each generic test function for `f32` and for `f64`.
macro_rules! for_scalars {
    ($($test:ident),* $(,)?) => {
        mod f32_tests {
            $(#[test] fn $test() { super::$test::<f32>(); })*
        }
        mod f64_tests {
            $(#[test] fn $test() { super::$test::<f64>(); })*
        }
    };
}

for_scalars!(
    constructors,
    try_from_slice_ok_and_err,
    indexing_and_get,
    matmul_values,
    matvec_and_transpose_matvec,
    transpose_values,
    mul_operators,
    add_sub_neg_and_assign,
    hadamard_scale_div_map_zip_map,
    whole_tensor_reductions,
    argmax_argmin_ties_and_nan,
    matrix_axis_reductions,
    trace_dot_norms,
    outer_into_column_into_row,
    broadcasts,
    batch_values,
    apply_batch_values,
    batch_elementwise_ops,
    flatten_and_reshape,
    vstack_hstack_split_rows_columns,
    concat_and_split,
    display_and_debug,
    is_finite_values,
);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `x` as the scalar under test.
fn c<T: TestDtype>(x: f64) -> T {
    <T as NumCast>::from(x).expect("test literal fits the scalar type")
}

/// A vector of the scalar under test, from `f64` literals.
fn v<T: TestDtype, const N: usize>(xs: [f64; N]) -> Vector<T, N> {
    Vector::new(xs).map(c)
}

/// A matrix of the scalar under test, from `f64` literals (one inner array per row).
fn m<T: TestDtype, const R: usize, const C: usize>(rows: [[f64; C]; R]) -> Matrix<T, R, C> {
    Matrix::new(rows).map(c)
}

/// A batch of the scalar under test, from `f64` literals (one inner array per sample).
fn b<T: TestDtype, const B: usize, const N: usize>(rows: [[f64; N]; B]) -> Batch<T, B, N> {
    Batch::from_matrix(m(rows))
}

/// A few machine epsilons of `T`.
fn tol<T: TestDtype>() -> T {
    T::epsilon() * c(8.0)
}

/// `got` equals `want` element by element, up to [`tol`] (relative, or absolute near zero).
#[track_caller]
fn assert_close<T: TestDtype>(got: &[T], want: &[f64]) {
    let want: Vec<T> = want.iter().map(|&x| c(x)).collect();
    assert_eq!(got.len(), want.len(), "length differs");
    assert_relative_eq!(
        got,
        &want[..],
        epsilon = tol::<T>(),
        max_relative = tol::<T>()
    );
}

/// A single scalar equals `want` up to [`tol`].
#[track_caller]
fn assert_scalar<T: TestDtype>(got: T, want: f64) {
    assert_relative_eq!(
        got,
        c::<T>(want),
        epsilon = tol::<T>(),
        max_relative = tol::<T>()
    );
}

// ---------------------------------------------------------------------------------------------
// Constructors and access
// ---------------------------------------------------------------------------------------------

fn constructors<T: TestDtype>() {
    let one = T::one();
    let two = one + one;

    // new / from / into_array / From<Vector> for [T; N]
    let x = Vector::new([one, two, one + two]);
    assert_close(x.as_slice(), &[1.0, 2.0, 3.0]);
    assert_eq!(Vector::from([one, two, one + two]), x);
    assert_eq!(x.into_array(), [one, two, one + two]);
    assert_eq!(<[T; 3]>::from(x), [one, two, one + two]);
    assert_eq!(x.as_array(), &[one, two, one + two]);
    assert_eq!((x.len(), x.is_empty(), Vector::<T, 3>::LEN), (3, false, 3));
    assert!(Vector::<T, 0>::new([]).is_empty());

    // zeros / filled / Default
    assert_close(Vector::<T, 3>::zeros().as_slice(), &[0.0; 3]);
    assert_close(Vector::<T, 2>::filled(c(2.5)).as_slice(), &[2.5, 2.5]);
    assert_eq!(Vector::<T, 4>::default(), Vector::zeros());
    assert_close(Matrix::<T, 2, 3>::zeros().as_slice(), &[0.0; 6]);
    assert_close(Matrix::<T, 2, 2>::filled(c(-1.5)).as_slice(), &[-1.5; 4]);
    assert_eq!(Matrix::<T, 2, 3>::default(), Matrix::zeros());

    // from_fn: vᵢ = 2i + 1 → [1, 3, 5, 7]; mᵢⱼ = 10i + j → [[0, 1, 2], [10, 11, 12]]
    let odd = Vector::<T, 4>::from_fn(|i| c(2.0 * i as f64 + 1.0));
    assert_close(odd.as_slice(), &[1.0, 3.0, 5.0, 7.0]);
    let mij = Matrix::<T, 2, 3>::from_fn(|i, j| c((10 * i + j) as f64));
    assert_close(mij.as_slice(), &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    assert_eq!(mij.shape(), (2, 3));
    assert_eq!(
        (
            Matrix::<T, 2, 3>::ROWS,
            Matrix::<T, 2, 3>::COLS,
            Matrix::<T, 2, 3>::LEN
        ),
        (2, 3, 6)
    );

    // new / from for matrices: row-major, one inner array per row
    let a = Matrix::new([[one, two], [two + two, one]]);
    assert_eq!(Matrix::from([[one, two], [two + two, one]]), a);
    assert_close(a.as_slice(), &[1.0, 2.0, 4.0, 1.0]);
    assert_eq!(a.into_rows(), [[one, two], [two + two, one]]);
    assert_eq!(a.as_rows(), &[[one, two], [two + two, one]]);

    // identity
    assert_close(
        Matrix::<T, 3, 3>::identity().as_slice(),
        &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
    );

    // from_rows stacks vectors as rows; from_columns places them side by side
    let r0 = v::<T, 3>([1.0, 2.0, 3.0]);
    let r1 = v::<T, 3>([4.0, 5.0, 6.0]);
    let by_rows = Matrix::from_rows([r0, r1]);
    assert_eq!(by_rows, m([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    let by_cols = Matrix::from_columns([r0, r1]);
    assert_eq!(by_cols, m([[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]));
    assert_eq!(by_cols, by_rows.transpose());

    // Batch constructors
    let bt = Batch::<T, 2, 3>::from_fn(|s, f| c((10 * s + f) as f64));
    assert_eq!(bt.as_matrix(), &mij);
    assert_eq!(Batch::from(mij), bt);
    assert_eq!(bt.into_matrix(), mij);
    assert_close(Batch::<T, 2, 2>::zeros().as_slice(), &[0.0; 4]);
    assert_close(Batch::<T, 2, 2>::filled(c(0.5)).as_slice(), &[0.5; 4]);
    assert_eq!(Batch::<T, 3, 2>::default(), Batch::zeros());
    assert_eq!(
        (
            Batch::<T, 3, 2>::SIZE,
            Batch::<T, 3, 2>::FEATURES,
            Batch::<T, 3, 2>::LEN
        ),
        (3, 2, 6)
    );
}

fn try_from_slice_ok_and_err<T: TestDtype>() {
    let xs: Vec<T> = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .map(|&x| c(x))
        .collect();

    // Vector: exact length Ok, too short and too long Err with the exact counts.
    let ok = Vector::<T, 3>::try_from_slice(&xs[..3]).unwrap();
    assert_close(ok.as_slice(), &[1.0, 2.0, 3.0]);
    assert_eq!(
        Vector::<T, 3>::try_from_slice(&xs[..2]),
        Err(LengthError {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        Vector::<T, 3>::try_from_slice(&xs),
        Err(LengthError {
            expected: 3,
            found: 6
        })
    );
    assert_eq!(
        Vector::<T, 2>::try_from_slice(&[]),
        Err(LengthError {
            expected: 2,
            found: 0
        })
    );
    assert_eq!(Vector::<T, 0>::try_from_slice(&[]), Ok(Vector::new([])));

    // Matrix: row-major.
    let mat = Matrix::<T, 2, 3>::try_from_slice(&xs).unwrap();
    assert_eq!(mat, m([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    assert_eq!(
        Matrix::<T, 2, 2>::try_from_slice(&xs[..5]),
        Err(LengthError {
            expected: 4,
            found: 5
        })
    );
    assert_eq!(
        Matrix::<T, 3, 3>::try_from_slice(&xs),
        Err(LengthError {
            expected: 9,
            found: 6
        })
    );

    // Batch: sample after sample.
    let bt = Batch::<T, 3, 2>::try_from_slice(&xs).unwrap();
    assert_close(bt.sample(2).as_slice(), &[5.0, 6.0]);
    assert_eq!(
        Batch::<T, 4, 2>::try_from_slice(&xs),
        Err(LengthError {
            expected: 8,
            found: 6
        })
    );

    // TryFrom<&[T]> goes through the same check.
    let tv: Result<Vector<T, 6>, _> = Vector::try_from(&xs[..]);
    assert_close(tv.unwrap().as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let tv: Result<Vector<T, 4>, _> = xs[..].try_into();
    assert_eq!(
        tv,
        Err(LengthError {
            expected: 4,
            found: 6
        })
    );
    let tm: Result<Matrix<T, 3, 2>, _> = Matrix::try_from(&xs[..]);
    assert_eq!(tm.unwrap(), m([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    let tm: Result<Matrix<T, 1, 5>, _> = (&xs[..]).try_into();
    assert_eq!(
        tm,
        Err(LengthError {
            expected: 5,
            found: 6
        })
    );

    // The error's message.
    let err = LengthError {
        expected: 4,
        found: 5,
    };
    assert_eq!(
        err.to_string(),
        "wrong number of elements: expected 4, found 5"
    );
}

fn indexing_and_get<T: TestDtype>() {
    let mut x = v::<T, 3>([1.0, 2.0, 3.0]);
    assert_scalar(x[0], 1.0);
    assert_scalar(x[2], 3.0);
    assert_eq!(x.get(1), Some(&c(2.0)));
    assert_eq!(x.get(3), None);
    assert_eq!(x.get(usize::MAX), None);
    x[1] = c(-7.0);
    x.as_mut_array()[2] = c(9.0);
    assert_close(x.as_slice(), &[1.0, -7.0, 9.0]);
    x.as_mut_slice()[0] = c(0.5);
    for e in x.iter_mut() {
        *e = *e + T::one();
    }
    assert_close(x.as_slice(), &[1.5, -6.0, 10.0]);
    assert_close(x.as_ref(), &[1.5, -6.0, 10.0]);
    let collected: Vec<T> = x.iter().copied().collect();
    assert_close(&collected, &[1.5, -6.0, 10.0]);

    // Matrix: (row, column), row-major slices.
    let mut a = m::<T, 2, 3>([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_scalar(a[(0, 2)], 3.0);
    assert_scalar(a[(1, 0)], 4.0);
    assert_eq!(a.get(1, 2), Some(&c(6.0)));
    assert_eq!(a.get(2, 0), None); // row out of range
    assert_eq!(a.get(0, 3), None); // column out of range
    assert_eq!(a.get(2, 3), None);
    assert_close(a.row(1).as_slice(), &[4.0, 5.0, 6.0]);
    assert_close(a.column(2).as_slice(), &[3.0, 6.0]);
    a[(1, 1)] = c(50.0);
    a.as_mut_rows()[0][0] = c(10.0);
    a.as_mut_slice()[5] = c(60.0); // row-major: index 5 is (1, 2)
    assert_close(a.as_slice(), &[10.0, 2.0, 3.0, 4.0, 50.0, 60.0]);

    // Batch: (sample, feature).
    let mut bt = b::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    assert_scalar(bt[(1, 0)], 3.0);
    bt[(0, 1)] = c(-2.0);
    bt.as_mut_slice()[3] = c(8.0);
    assert_close(bt.as_slice(), &[1.0, -2.0, 3.0, 8.0]);
    assert_eq!(bt.sample_array(1), &[c(3.0), c(8.0)]);
    let rows: Vec<[T; 2]> = bt.samples().copied().collect();
    assert_eq!(rows, vec![[c(1.0), c(-2.0)], [c(3.0), c(8.0)]]);
}

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

fn matmul_values<T: TestDtype>() {
    // [1 2 3]   [ 7  8]   [1·7+2·9+3·11  1·8+2·10+3·12]   [ 58  64]
    // [4 5 6] · [ 9 10] = [4·7+5·9+6·11  4·8+5·10+6·12] = [139 154]
    //           [11 12]
    let a = m::<T, 2, 3>([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let bm = m::<T, 3, 2>([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]);
    let ab: Matrix<T, 2, 2> = a.matmul(&bm);
    assert_close(ab.as_slice(), &[58.0, 64.0, 139.0, 154.0]);

    // The other order gives a 3 × 3:
    // row 0: [7·1+8·4, 7·2+8·5, 7·3+8·6] = [39, 54, 69]
    // row 1: [9·1+10·4, 9·2+10·5, 9·3+10·6] = [49, 68, 87]
    // row 2: [11·1+12·4, 11·2+12·5, 11·3+12·6] = [59, 82, 105]
    let ba: Matrix<T, 3, 3> = bm.matmul(&a);
    assert_close(
        ba.as_slice(),
        &[39.0, 54.0, 69.0, 49.0, 68.0, 87.0, 59.0, 82.0, 105.0],
    );

    // Non-square 3×4 · 4×2:
    // row 0: [1+0+3+8, 0+2+3−4]     = [12, 1]
    // row 1: [5+0+7+16, 0+6+7−8]    = [28, 5]
    // row 2: [9+0+11+24, 0+10+11−12] = [44, 9]
    let p = m::<T, 3, 4>([
        [1.0, 2.0, 3.0, 4.0],
        [5.0, 6.0, 7.0, 8.0],
        [9.0, 10.0, 11.0, 12.0],
    ]);
    let q = m::<T, 4, 2>([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]]);
    let pq: Matrix<T, 3, 2> = p.matmul(&q);
    assert_close(pq.as_slice(), &[12.0, 1.0, 28.0, 5.0, 44.0, 9.0]);

    // Fractions: [0.5 0.25] · [2; 4] = 1 + 1 = 2
    let half = m::<T, 1, 2>([[0.5, 0.25]]);
    let col = m::<T, 2, 1>([[2.0], [4.0]]);
    assert_close(half.matmul(&col).as_slice(), &[2.0]);

    // A·I = A and I·A = A.
    assert_eq!(p.matmul(&Matrix::<T, 4, 4>::identity()), p);
    assert_eq!(Matrix::<T, 3, 3>::identity().matmul(&p), p);

    // (AB)ᵀ = BᵀAᵀ
    assert_eq!(pq.transpose(), q.transpose().matmul(&p.transpose()));

    // Inner size 0: the product is all zeros.
    let e1 = Matrix::<T, 2, 0>::zeros();
    let e2 = Matrix::<T, 0, 3>::zeros();
    assert_eq!(e1.matmul(&e2), Matrix::<T, 2, 3>::zeros());
}

fn matvec_and_transpose_matvec<T: TestDtype>() {
    let a = m::<T, 2, 3>([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    // [1 2 3]·[1 2 3]ᵀ = 1+4+9 = 14; [4 5 6]·[1 2 3]ᵀ = 4+10+18 = 32
    let x = v([1.0, 2.0, 3.0]);
    let y: Vector<T, 2> = a.matvec(&x);
    assert_close(y.as_slice(), &[14.0, 32.0]);
    // with x = [1, 0, −1]: [1−3, 4−6] = [−2, −2]
    assert_close(a.matvec(&v([1.0, 0.0, -1.0])).as_slice(), &[-2.0, -2.0]);

    // Aᵀ·[2, 1] = [1·2+4·1, 2·2+5·1, 3·2+6·1] = [6, 9, 12]
    let w = v([2.0, 1.0]);
    let atw: Vector<T, 3> = a.transpose_matvec(&w);
    assert_close(atw.as_slice(), &[6.0, 9.0, 12.0]);
    assert_eq!(atw, a.transpose().matvec(&w));
    // and for a non-integer y: Aᵀ·[0.5, −0.25] = [0.5−1, 1−1.25, 1.5−1.5] = [−0.5, −0.25, 0]
    let w2 = v([0.5, -0.25]);
    assert_close(a.transpose_matvec(&w2).as_slice(), &[-0.5, -0.25, 0.0]);
    assert_eq!(a.transpose_matvec(&w2), a.transpose().matvec(&w2));

    // matvec agrees with matmul on an n × 1 column.
    assert_eq!(a.matvec(&x).into_column(), a.matmul(&x.into_column()),);
    // I·x = x
    assert_eq!(Matrix::<T, 3, 3>::identity().matvec(&x), x);
}

fn transpose_values<T: TestDtype>() {
    let a = m::<T, 2, 3>([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let at: Matrix<T, 3, 2> = a.transpose();
    assert_eq!(at.shape(), (3, 2));
    assert_close(at.as_slice(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    for i in 0..2 {
        for j in 0..3 {
            assert_eq!(a[(i, j)], at[(j, i)]);
        }
    }
    assert_eq!(at.transpose(), a);
    let sq = m::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(sq.transpose(), m([[1.0, 3.0], [2.0, 4.0]]));
    assert_eq!(
        Matrix::<T, 4, 4>::identity().transpose(),
        Matrix::identity()
    );
}

fn mul_operators<T: TestDtype>() {
    let a = m::<T, 2, 3>([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let bm = m::<T, 3, 2>([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]);
    // Matrix * Matrix is matmul (see matmul_values for the numbers).
    let ab: Matrix<T, 2, 2> = a * bm;
    assert_close(ab.as_slice(), &[58.0, 64.0, 139.0, 154.0]);
    // Matrix * Vector is matvec.
    let ax: Vector<T, 2> = a * v([1.0, 2.0, 3.0]);
    assert_close(ax.as_slice(), &[14.0, 32.0]);
    // tensor * scalar
    assert_close(
        (v::<T, 3>([1.0, -2.0, 0.5]) * c(2.0)).as_slice(),
        &[2.0, -4.0, 1.0],
    );
    assert_close(
        (a * c::<T>(0.5)).as_slice(),
        &[0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
    );
    let bt = b::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    assert_close((bt * c(-1.0)).as_slice(), &[-1.0, -2.0, -3.0, -4.0]);
    // tensor *= scalar
    let mut x = v::<T, 2>([3.0, -1.0]);
    x *= c(3.0);
    assert_close(x.as_slice(), &[9.0, -3.0]);
    let mut am = a;
    am *= c(2.0);
    assert_close(am.as_slice(), &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
    let mut bm2 = bt;
    bm2 *= c(0.25);
    assert_close(bm2.as_slice(), &[0.25, 0.5, 0.75, 1.0]);
}

/// `scalar * tensor` exists for the concrete float types.
macro_rules! lhs_scalar_test {
    ($name:ident, $t:ty) => {
        #[test]
        fn $name() {
            let (two, half, minus_one): ($t, $t, $t) = (2.0, 0.5, -1.0);
            // 2·[1, −2, 0.5] = [2, −4, 1]
            let x = Vector::<$t, 3>::new([1.0, -2.0, 0.5]);
            assert_relative_eq!((two * x).as_slice(), &[2.0, -4.0, 1.0][..]);
            assert_eq!(two * x, x * two);
            // 0.5·[[1, 2], [3, 4]] = [[0.5, 1], [1.5, 2]]
            let a = Matrix::<$t, 2, 2>::new([[1.0, 2.0], [3.0, 4.0]]);
            assert_relative_eq!((half * a).as_slice(), &[0.5, 1.0, 1.5, 2.0][..]);
            assert_eq!(half * a, a * half);
            // −1·[[3, −4]] = [[−3, 4]]
            let bt = Batch::<$t, 1, 2>::from_samples([Vector::new([3.0, -4.0])]);
            assert_relative_eq!((minus_one * bt).as_slice(), &[-3.0, 4.0][..]);
            assert_eq!(minus_one * bt, -bt);
        }
    };
}

lhs_scalar_test!(f32_times_tensor, f32);
lhs_scalar_test!(f64_times_tensor, f64);

// ---------------------------------------------------------------------------------------------
// Element-wise
// ---------------------------------------------------------------------------------------------

fn add_sub_neg_and_assign<T: TestDtype>() {
    let x = v::<T, 3>([1.0, 2.0, 3.0]);
    let y = v::<T, 3>([0.5, -1.0, 4.0]);
    // x + y = [1.5, 1, 7]; x − y = [0.5, 3, −1]; −x = [−1, −2, −3]
    assert_close((x + y).as_slice(), &[1.5, 1.0, 7.0]);
    assert_close((x - y).as_slice(), &[0.5, 3.0, -1.0]);
    assert_close((-x).as_slice(), &[-1.0, -2.0, -3.0]);
    assert_eq!(&x + &y, x + y);
    assert_eq!(&x - &y, x - y);
    let mut z = x;
    z += y;
    assert_close(z.as_slice(), &[1.5, 1.0, 7.0]);
    z -= y;
    assert_eq!(z, x);
    z += &y;
    z += &y;
    assert_close(z.as_slice(), &[2.0, 0.0, 11.0]);
    z -= &x;
    assert_close(z.as_slice(), &[1.0, -2.0, 8.0]);

    let a = m::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    let bm = m::<T, 2, 2>([[0.25, -2.0], [1.0, 10.0]]);
    // a + b = [[1.25, 0], [4, 14]]; a − b = [[0.75, 4], [2, −6]]
    assert_close((a + bm).as_slice(), &[1.25, 0.0, 4.0, 14.0]);
    assert_close((a - bm).as_slice(), &[0.75, 4.0, 2.0, -6.0]);
    assert_close((-a).as_slice(), &[-1.0, -2.0, -3.0, -4.0]);
    assert_eq!(&a + &bm, a + bm);
    assert_eq!(&a - &bm, a - bm);
    let mut acc = a;
    acc += bm;
    acc -= &a;
    assert_eq!(acc, bm);
    acc -= bm;
    assert_eq!(acc, Matrix::zeros());
    acc += &a;
    assert_eq!(acc, a);
    // x − x = 0, x + (−x) = 0
    let copy = a;
    assert_eq!(a - copy, Matrix::zeros());
    assert_eq!(a + (-a), Matrix::zeros());
}

fn hadamard_scale_div_map_zip_map<T: TestDtype>() {
    let x = v::<T, 3>([1.0, -2.0, 3.0]);
    let y = v::<T, 3>([4.0, 0.5, -1.0]);
    // x ⊙ y = [4, −1, −3]
    assert_close(x.hadamard(&y).as_slice(), &[4.0, -1.0, -3.0]);
    assert_close(x.scale(c(-0.5)).as_slice(), &[-0.5, 1.0, -1.5]);
    assert_close((x / c(2.0)).as_slice(), &[0.5, -1.0, 1.5]);
    // 1/3 is not exact in binary: compared with tolerance.
    assert_close((x / c(3.0)).as_slice(), &[1.0 / 3.0, -2.0 / 3.0, 1.0]);
    // and their sum 1/3 − 2/3 + 1 = 2/3, within a few epsilons (absolute difference)
    assert_abs_diff_eq!((x / c(3.0)).sum(), c(2.0 / 3.0), epsilon = tol::<T>());
    // map x ↦ x² + 1 = [2, 5, 10]
    assert_close(x.map(|e| e * e + T::one()).as_slice(), &[2.0, 5.0, 10.0]);
    // map may change the element type.
    let positive: Vector<bool, 3> = x.map(|e| e > T::zero());
    assert_eq!(positive.into_array(), [true, false, true]);
    // zip_map (x, y) ↦ max(x, y) = [4, 0.5, 3]
    assert_close(x.zip_map(&y, |a, b| a.max(b)).as_slice(), &[4.0, 0.5, 3.0]);
    // zip_map with a second tensor of another element type
    let counts = Vector::new([1_i32, 2, 3]);
    let repeated = x.zip_map(&counts, |e, n| e * c(<f64 as From<i32>>::from(n)));
    assert_close(repeated.as_slice(), &[1.0, -4.0, 9.0]);

    let a = m::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    let bm = m::<T, 2, 2>([[2.0, 0.5], [-1.0, 0.25]]);
    // a ⊙ b = [[2, 1], [−3, 1]]
    assert_close(a.hadamard(&bm).as_slice(), &[2.0, 1.0, -3.0, 1.0]);
    assert_close(a.scale(c(4.0)).as_slice(), &[4.0, 8.0, 12.0, 16.0]);
    assert_close((a / c(4.0)).as_slice(), &[0.25, 0.5, 0.75, 1.0]);
    // map keeps the position: mᵢⱼ ↦ mᵢⱼ − 1
    assert_close(a.map(|e| e - T::one()).as_slice(), &[0.0, 1.0, 2.0, 3.0]);
    // zip_map (a, b) ↦ a − 2b = [[−3, 1], [5, 3.5]]
    assert_close(
        a.zip_map(&bm, |p, q| p - q - q).as_slice(),
        &[-3.0, 1.0, 5.0, 3.5],
    );
}

// ---------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------

fn whole_tensor_reductions<T: TestDtype>() {
    // [2, −1, 4, 0.5]: sum = 5.5, mean = 5.5/4 = 1.375, max 4 at 2, min −1 at 1
    let x = v::<T, 4>([2.0, -1.0, 4.0, 0.5]);
    assert_scalar(x.sum(), 5.5);
    assert_scalar(x.mean(), 1.375);
    assert_scalar(x.max(), 4.0);
    assert_scalar(x.min(), -1.0);
    assert_eq!((x.argmax(), x.argmin()), (2, 1));

    // Mean that is not exact: [1, 1, 2] → 4/3
    assert_scalar(v::<T, 3>([1.0, 1.0, 2.0]).mean(), 4.0 / 3.0);

    // All negative: max is not clamped at zero. All positive: min is not clamped at zero.
    assert_scalar(v::<T, 3>([-3.0, -1.0, -2.0]).max(), -1.0);
    assert_scalar(v::<T, 3>([3.0, 1.0, 2.0]).min(), 1.0);
    // A single element is both extremes.
    let one = v::<T, 1>([7.0]);
    assert_eq!((one.argmax(), one.argmin()), (0, 0));
    assert_scalar(one.mean(), 7.0);
    // Empty sum is zero.
    assert_scalar(Vector::<T, 0>::zeros().sum(), 0.0);

    // Matrix: [[1, 5, 3], [4, 2, 6]]; sum 21, mean 3.5; max 6 at row-major index 5, min 1 at 0
    let a = m::<T, 2, 3>([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]);
    assert_scalar(a.sum(), 21.0);
    assert_scalar(a.mean(), 3.5);
    assert_scalar(a.max(), 6.0);
    assert_scalar(a.min(), 1.0);
    assert_eq!((a.argmax(), a.argmin()), (5, 0));
    // the other way round: max 9 at (1, 0) → row-major 1·3 + 0 = 3
    let a2 = m::<T, 2, 3>([[1.0, 5.0, 3.0], [9.0, 2.0, -6.0]]);
    assert_eq!((a2.argmax(), a2.argmin()), (3, 5));

    // Batch: [[1, 2], [3, −4]]: sum 2, mean 0.5, max 3 at 2, min −4 at 3
    let bt = b::<T, 2, 2>([[1.0, 2.0], [3.0, -4.0]]);
    assert_scalar(bt.sum(), 2.0);
    assert_scalar(bt.mean(), 0.5);
    assert_scalar(bt.max(), 3.0);
    assert_scalar(bt.min(), -4.0);
    assert_eq!((bt.argmax(), bt.argmin()), (2, 3));
}

fn argmax_argmin_ties_and_nan<T: TestDtype>() {
    // Ties return the first index.
    let ties = v::<T, 5>([1.0, 3.0, 3.0, -2.0, -2.0]);
    assert_eq!(ties.argmax(), 1);
    assert_eq!(ties.argmin(), 3);
    let flat = Vector::<T, 4>::filled(c(2.0));
    assert_eq!((flat.argmax(), flat.argmin()), (0, 0));
    let mties = m::<T, 2, 2>([[0.0, 5.0], [5.0, 0.0]]);
    assert_eq!((mties.argmax(), mties.argmin()), (1, 0));

    // Infinities are ordinary extremes.
    let inf = Vector::new([T::neg_infinity(), T::zero(), T::infinity()]);
    assert_eq!((inf.argmax(), inf.argmin()), (2, 0));
    assert_eq!(inf.max(), T::infinity());
    assert_eq!(inf.min(), T::neg_infinity());

    // A NaN wins wherever it is: it is returned by max/min and its index by argmax/argmin.
    let nan = T::nan();
    for pos in 0..4 {
        let mut x = v::<T, 4>([1.0, 5.0, -3.0, 2.0]);
        x[pos] = nan;
        assert_eq!(x.argmax(), pos, "argmax with NaN at {pos}");
        assert_eq!(x.argmin(), pos, "argmin with NaN at {pos}");
        assert!(x.max().is_nan());
        assert!(x.min().is_nan());
    }
    // Two NaNs: the first one.
    let two = Vector::new([T::one(), nan, T::zero(), nan]);
    assert_eq!((two.argmax(), two.argmin()), (1, 1));
    // Same for matrices and batches (row-major index).
    let mut a = m::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    a[(1, 0)] = nan;
    assert_eq!((a.argmax(), a.argmin()), (2, 2));
    assert!(a.max().is_nan() && a.min().is_nan());
    let bt = Batch::from_matrix(a);
    assert_eq!((bt.argmax(), bt.argmin()), (2, 2));
}

fn matrix_axis_reductions<T: TestDtype>() {
    // a = [[1, 5, 3],
    //      [4, 2, 6]]
    let a = m::<T, 2, 3>([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]);
    // row sums: 1+5+3 = 9, 4+2+6 = 12; column sums: 1+4, 5+2, 3+6 = [5, 7, 9]
    let rs: Vector<T, 2> = a.row_sums();
    let cs: Vector<T, 3> = a.column_sums();
    assert_close(rs.as_slice(), &[9.0, 12.0]);
    assert_close(cs.as_slice(), &[5.0, 7.0, 9.0]);
    // means: rows 9/3, 12/3 = [3, 4]; columns 5/2, 7/2, 9/2 = [2.5, 3.5, 4.5]
    assert_close(a.row_means().as_slice(), &[3.0, 4.0]);
    assert_close(a.column_means().as_slice(), &[2.5, 3.5, 4.5]);
    // maxima: rows [5, 6] at columns [1, 2]; columns [4, 5, 6] at rows [1, 0, 1]
    assert_close(a.row_max().as_slice(), &[5.0, 6.0]);
    assert_close(a.column_max().as_slice(), &[4.0, 5.0, 6.0]);
    assert_eq!(a.row_argmax(), [1, 2]);
    assert_eq!(a.column_argmax(), [1, 0, 1]);
    // the sum of the row sums is the sum of the column sums is the whole sum
    assert_scalar(rs.sum(), 21.0);
    assert_scalar(cs.sum(), 21.0);
    // a non-exact mean: row [1, 1, 2] → 4/3
    let thirds = m::<T, 1, 3>([[1.0, 1.0, 2.0]]);
    assert_close(thirds.row_means().as_slice(), &[4.0 / 3.0]);

    // All-negative rows are not clamped at zero.
    let neg = m::<T, 2, 2>([[-4.0, -2.0], [-1.0, -3.0]]);
    assert_close(neg.row_max().as_slice(), &[-2.0, -1.0]);
    assert_close(neg.column_max().as_slice(), &[-1.0, -2.0]);

    // Ties: the first index.
    let ties = m::<T, 2, 3>([[2.0, 2.0, 1.0], [7.0, 0.0, 7.0]]);
    assert_eq!(ties.row_argmax(), [0, 0]);
    let cties = m::<T, 2, 2>([[3.0, 1.0], [3.0, 1.0]]);
    assert_eq!(cties.column_argmax(), [0, 0]);

    // NaN wins in its row and its column.
    let mut with_nan = a;
    with_nan[(0, 0)] = T::nan();
    assert_eq!(with_nan.row_argmax(), [0, 2]);
    assert_eq!(with_nan.column_argmax(), [0, 0, 1]);
    assert!(with_nan.row_max()[0].is_nan());
    assert_scalar(with_nan.row_max()[1], 6.0);
    assert!(with_nan.column_max()[0].is_nan());
    with_nan[(1, 2)] = T::nan();
    // row 1 is [4, 2, NaN] → 2; column 2 is [3, NaN] → 1
    assert_eq!(with_nan.row_argmax(), [0, 2]);
    assert_eq!(with_nan.column_argmax(), [0, 0, 1]);
    assert!(with_nan.column_max()[2].is_nan());
}

fn trace_dot_norms<T: TestDtype>() {
    // trace [[1, 2], [3, 4]] = 1 + 4 = 5; trace I₃ = 3
    assert_scalar(m::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]).trace(), 5.0);
    assert_scalar(Matrix::<T, 3, 3>::identity().trace(), 3.0);
    assert_scalar(Matrix::<T, 0, 0>::zeros().trace(), 0.0);

    // [1, 2, 3]·[4, −5, 6] = 4 − 10 + 18 = 12
    let x = v::<T, 3>([1.0, 2.0, 3.0]);
    let y = v::<T, 3>([4.0, -5.0, 6.0]);
    assert_scalar(x.dot(&y), 12.0);
    assert_scalar(y.dot(&x), 12.0);

    // [3, −4, 12]: ‖·‖² = 9 + 16 + 144 = 169, ‖·‖₂ = 13, ‖·‖₁ = 19, ‖·‖∞ = 12
    let z = v::<T, 3>([3.0, -4.0, 12.0]);
    assert_scalar(z.norm_squared(), 169.0);
    assert_scalar(z.norm(), 13.0);
    assert_scalar(z.norm_l1(), 19.0);
    assert_scalar(z.norm_inf(), 12.0);
    // The largest magnitude is negative: [1, −7, 3] → ‖·‖∞ = 7
    assert_scalar(v::<T, 3>([1.0, -7.0, 3.0]).norm_inf(), 7.0);
    // ‖[1, 1]‖₂ = √2 (not exact)
    assert_scalar(v::<T, 2>([1.0, 1.0]).norm(), core::f64::consts::SQRT_2);
    // Empty vector: all norms zero.
    let empty = Vector::<T, 0>::zeros();
    assert_scalar(empty.norm(), 0.0);
    assert_scalar(empty.norm_l1(), 0.0);
    assert_scalar(empty.norm_inf(), 0.0);
    // NaN propagates through the norms.
    let with_nan = Vector::new([T::one(), T::nan(), T::zero()]);
    assert!(with_nan.norm_l1().is_nan());
    assert!(with_nan.norm_inf().is_nan());
    assert!(with_nan.norm().is_nan());

    // Frobenius: [[1, 2], [2, 4]] → √(1 + 4 + 4 + 16) = √25 = 5
    assert_scalar(m::<T, 2, 2>([[1.0, 2.0], [2.0, 4.0]]).norm(), 5.0);
    // [[1, 2, 2]] (one row) → √9 = 3, the same as the vector's L2 norm
    let row = m::<T, 1, 3>([[1.0, 2.0, 2.0]]);
    assert_scalar(row.norm(), 3.0);
    assert_eq!(row.norm(), row.row(0).norm());
}

fn outer_into_column_into_row<T: TestDtype>() {
    // [1, 2, 3] ⊗ [4, 5] = [[4, 5], [8, 10], [12, 15]]
    let x = v::<T, 3>([1.0, 2.0, 3.0]);
    let y = v::<T, 2>([4.0, 5.0]);
    let o: Matrix<T, 3, 2> = x.outer(&y);
    assert_close(o.as_slice(), &[4.0, 5.0, 8.0, 10.0, 12.0, 15.0]);
    // x ⊗ y = (column x) · (row y)
    assert_eq!(o, x.into_column().matmul(&y.into_row()));
    // (x ⊗ y)·z = x·(y·z); with z = [1, −1], y·z = 4 − 5 = −1, so the result is −x
    assert_close(o.matvec(&v([1.0, -1.0])).as_slice(), &[-1.0, -2.0, -3.0]);

    let col: Matrix<T, 3, 1> = x.into_column();
    assert_eq!(col.shape(), (3, 1));
    assert_close(col.as_slice(), &[1.0, 2.0, 3.0]);
    assert_eq!(col.column(0), x);
    let row: Matrix<T, 1, 3> = x.into_row();
    assert_eq!(row.shape(), (1, 3));
    assert_eq!(row.row(0), x);
    assert_eq!(row.transpose(), col);
    // row · column = dot product (1 + 4 + 9 = 14)
    assert_close(row.matmul(&col).as_slice(), &[14.0]);
}

fn broadcasts<T: TestDtype>() {
    let a = m::<T, 2, 3>([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    // add_column adds vᵢ to every element of row i: [[1+10, 2+10, 3+10], [4+20, 5+20, 6+20]]
    let with_col = a.add_column(&v([10.0, 20.0]));
    assert_close(with_col.as_slice(), &[11.0, 12.0, 13.0, 24.0, 25.0, 26.0]);
    // add_row adds vⱼ to every element of column j: [[1+10, 2+20, 3+30], [4+10, 5+20, 6+30]]
    let with_row = a.add_row(&v([10.0, 20.0, 30.0]));
    assert_close(with_row.as_slice(), &[11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
    // Same as adding the broadcast matrices explicitly.
    let ones_row = Matrix::<T, 1, 3>::filled(T::one());
    let col_bias = v::<T, 2>([10.0, 20.0]).into_column().matmul(&ones_row);
    assert_eq!(with_col, a + col_bias);
    // Z = W·A + b with samples as columns: W 2×2, A 2×3 (3 samples), b has one entry per row.
    // W·A = [[1, 2], [0, 1]]·[[1, 0, 2], [1, 1, 0]] = [[3, 2, 2], [1, 1, 0]]; + [0.5, −1]
    let w = m::<T, 2, 2>([[1.0, 2.0], [0.0, 1.0]]);
    let acts = m::<T, 2, 3>([[1.0, 0.0, 2.0], [1.0, 1.0, 0.0]]);
    let z = w.matmul(&acts).add_column(&v([0.5, -1.0]));
    assert_close(z.as_slice(), &[3.5, 2.5, 2.5, 0.0, 0.0, -1.0]);
}

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

fn batch_values<T: TestDtype>() {
    let s0 = v::<T, 3>([1.0, 2.0, 3.0]);
    let s1 = v::<T, 3>([-1.0, 0.5, 9.0]);
    let bt: Batch<T, 2, 3> = Batch::from_samples([s0, s1]);
    assert_eq!(bt.sample(0), s0);
    assert_eq!(bt.sample(1), s1);
    assert_close(bt.as_slice(), &[1.0, 2.0, 3.0, -1.0, 0.5, 9.0]);
    assert_eq!(bt.as_matrix(), &Matrix::from_rows([s0, s1]));

    // add_bias adds b to every sample: [1+1, 2−2, 3+0.5], [−1+1, 0.5−2, 9+0.5]
    let biased = bt.add_bias(&v([1.0, -2.0, 0.5]));
    assert_close(biased.sample(0).as_slice(), &[2.0, 0.0, 3.5]);
    assert_close(biased.sample(1).as_slice(), &[0.0, -1.5, 9.5]);

    // per-feature sum over the samples: [1−1, 2+0.5, 3+9] = [0, 2.5, 12]; mean = half of it
    assert_close(bt.sum_over_batch().as_slice(), &[0.0, 2.5, 12.0]);
    assert_close(bt.mean_over_batch().as_slice(), &[0.0, 1.25, 6.0]);
    // three samples: mean [1, 2, 6] / 3 is not exact
    let three = Batch::from_samples([s0, s1, v([3.0, 3.5, 6.0])]);
    assert_close(three.sum_over_batch().as_slice(), &[3.0, 6.0, 18.0]);
    assert_close(three.mean_over_batch().as_slice(), &[1.0, 2.0, 6.0]);
    let thirds = Batch::from_samples([v::<T, 1>([1.0]), v([0.0]), v([0.0])]);
    assert_close(thirds.mean_over_batch().as_slice(), &[1.0 / 3.0]);

    // predicted class per sample: [1, 2, 3] → 2; [−1, 0.5, 9] → 2; ties → first; NaN wins
    assert_eq!(bt.argmax_per_sample(), [2, 2]);
    let classes = b::<T, 4, 3>([
        [0.1, 0.7, 0.2],
        [0.9, 0.05, 0.05],
        [0.3, 0.3, 0.3],
        [0.2, 0.3, 0.5],
    ]);
    assert_eq!(classes.argmax_per_sample(), [1, 0, 0, 2]);
    let mut with_nan = classes;
    with_nan[(3, 0)] = T::nan();
    assert_eq!(with_nan.argmax_per_sample(), [1, 0, 0, 0]);
}

fn apply_batch_values<T: TestDtype>() {
    // W: 3 outputs × 2 inputs, b: one per output.
    let w = m::<T, 3, 2>([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]);
    let bias = v::<T, 3>([0.5, 0.5, 0.5]);
    let x = b::<T, 3, 2>([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]]);
    let y: Batch<T, 3, 3> = w.apply_batch(&x).add_bias(&bias);
    // s0: W·[1, 2]    = [1, 4, 3]      + 0.5 = [1.5, 4.5, 3.5]
    // s1: W·[3, 4]    = [3, 8, 7]      + 0.5 = [3.5, 8.5, 7.5]
    // s2: W·[−1, 0.5] = [−1, 1, −0.5]  + 0.5 = [−0.5, 1.5, 0]
    assert_close(y.sample(0).as_slice(), &[1.5, 4.5, 3.5]);
    assert_close(y.sample(1).as_slice(), &[3.5, 8.5, 7.5]);
    assert_close(y.sample(2).as_slice(), &[-0.5, 1.5, 0.0]);
    // and in general y_s == W·x_s + b for every sample s
    for s in 0..3 {
        assert_eq!(y.sample(s), w.matvec(&x.sample(s)) + bias, "sample {s}");
        assert_eq!(w.apply_batch(&x).sample(s), w * x.sample(s), "sample {s}");
    }
    // Y = X·Wᵀ
    assert_eq!(
        w.apply_batch(&x).into_matrix(),
        x.as_matrix().matmul(&w.transpose())
    );
    // a non-square W with fractions: W = [[0.5, −0.25, 1]] (1 × 3), x_s = [2, 4, 1] → 1 − 1 + 1 = 1
    let w2 = m::<T, 1, 3>([[0.5, -0.25, 1.0]]);
    let x2 = b::<T, 2, 3>([[2.0, 4.0, 1.0], [0.0, 0.0, -3.0]]);
    let y2: Batch<T, 2, 1> = w2.apply_batch(&x2);
    assert_close(y2.as_slice(), &[1.0, -3.0]);
}

fn batch_elementwise_ops<T: TestDtype>() {
    let p = b::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    let q = b::<T, 2, 2>([[0.5, -1.0], [2.0, 0.0]]);
    assert_close((p + q).as_slice(), &[1.5, 1.0, 5.0, 4.0]);
    assert_close((p - q).as_slice(), &[0.5, 3.0, 1.0, 4.0]);
    assert_close((-p).as_slice(), &[-1.0, -2.0, -3.0, -4.0]);
    assert_eq!(&p + &q, p + q);
    assert_eq!(&p - &q, p - q);
    assert_close(p.hadamard(&q).as_slice(), &[0.5, -2.0, 6.0, 0.0]);
    assert_close(p.scale(c(2.0)).as_slice(), &[2.0, 4.0, 6.0, 8.0]);
    assert_close((p / c(2.0)).as_slice(), &[0.5, 1.0, 1.5, 2.0]);
    assert_close(p.map(|e| e * e).as_slice(), &[1.0, 4.0, 9.0, 16.0]);
    assert_close(
        p.zip_map(&q, |a, b| a * b + a).as_slice(),
        &[1.5, 0.0, 9.0, 4.0],
    );
    let mut r = p;
    r += q;
    r -= &q;
    r += &q;
    r -= q;
    assert_eq!(r, p);
}

// ---------------------------------------------------------------------------------------------
// Computed sizes
// ---------------------------------------------------------------------------------------------

fn flatten_and_reshape<T: TestDtype>() {
    let a = m::<T, 2, 3>([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    // flatten is row by row: 2·3 = 6 elements
    let flat: Vector<T, 6> = a.flatten();
    assert_close(flat.as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let col_flat: Vector<T, 6> = a.transpose().flatten(); // column by column of `a`
    assert_close(col_flat.as_slice(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);

    // Matrix::reshape keeps the row-major order.
    let r32: Matrix<T, 3, 2> = a.reshape();
    assert_close(r32.as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(r32, m([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    let r16: Matrix<T, 1, 6> = a.reshape();
    assert_eq!(r16.row(0), flat);
    let r61: Matrix<T, 6, 1> = a.reshape();
    assert_eq!(r61.column(0), flat);
    let same: Matrix<T, 2, 3> = a.reshape();
    assert_eq!(same, a);
    let back: Matrix<T, 2, 3> = r32.reshape();
    assert_eq!(back, a);

    // Vector::reshape: 6 → 2 × 3 and 3 × 2, and back with flatten.
    let v23: Matrix<T, 2, 3> = flat.reshape();
    assert_eq!(v23, a);
    let v32: Matrix<T, 3, 2> = flat.reshape();
    assert_eq!(v32, r32);
    let round: Vector<T, 6> = v32.flatten();
    assert_eq!(round, flat);

    // The end of the computed range: 32 · 32 = 1024 elements.
    let big = Matrix::<T, 32, 32>::from_fn(|i, j| c((32 * i + j) as f64));
    let big_flat: Vector<T, 1024> = big.flatten();
    assert_eq!(big_flat, Vector::from_fn(|k| c(k as f64)));
    let tall: Matrix<T, 1024, 1> = big.reshape();
    assert_scalar(tall[(1023, 0)], 1023.0);
    // 28 × 28 (an MNIST image) → 784
    let img: Vector<T, 784> = Matrix::<T, 28, 28>::filled(T::one()).flatten();
    assert_scalar(img.sum(), 784.0);
}

fn vstack_hstack_split_rows_columns<T: TestDtype>() {
    let top = m::<T, 1, 2>([[1.0, 2.0]]);
    let bottom = m::<T, 2, 2>([[3.0, 4.0], [5.0, 6.0]]);
    // 1 + 2 = 3 rows
    let v3: Matrix<T, 3, 2> = top.vstack(&bottom);
    assert_eq!(v3, m([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    let v3b: Matrix<T, 3, 2> = bottom.vstack(&top);
    assert_eq!(v3b, m([[3.0, 4.0], [5.0, 6.0], [1.0, 2.0]]));
    // stacking with an empty matrix changes nothing
    let v2: Matrix<T, 2, 2> = Matrix::<T, 0, 2>::zeros().vstack(&bottom);
    assert_eq!(v2, bottom);
    let v2b: Matrix<T, 2, 2> = bottom.vstack(&Matrix::<T, 0, 2>::zeros());
    assert_eq!(v2b, bottom);

    // 1 + 2 = 3 columns
    let left = m::<T, 2, 1>([[1.0], [4.0]]);
    let right = m::<T, 2, 2>([[2.0, 3.0], [5.0, 6.0]]);
    let h3: Matrix<T, 2, 3> = left.hstack(&right);
    assert_eq!(h3, m([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    let h3b: Matrix<T, 2, 3> = right.hstack(&left);
    assert_eq!(h3b, m([[2.0, 3.0, 1.0], [5.0, 6.0, 4.0]]));
    let h2: Matrix<T, 2, 2> = right.hstack(&Matrix::<T, 2, 0>::zeros());
    assert_eq!(h2, right);
    // hstack is vstack of the transposes, transposed
    let via_t: Matrix<T, 3, 2> = left.transpose().vstack(&right.transpose());
    assert_eq!(via_t.transpose(), h3);

    // split_rows: K rows and R − K rows; K = 0 and K = R are the edge cases.
    let (t1, rest2): (Matrix<T, 1, 2>, Matrix<T, 2, 2>) = v3.split_rows::<1>();
    assert_eq!((t1, rest2), (top, bottom));
    let (t0, all): (Matrix<T, 0, 2>, Matrix<T, 3, 2>) = v3.split_rows::<0>();
    assert!(t0.as_slice().is_empty());
    assert_eq!(all, v3);
    let (whole, none): (Matrix<T, 3, 2>, Matrix<T, 0, 2>) = v3.split_rows::<3>();
    assert_eq!(whole, v3);
    assert!(none.as_slice().is_empty());
    // split then stack is the identity
    let (p, q) = v3.split_rows::<2>();
    let restacked: Matrix<T, 3, 2> = p.vstack(&q);
    assert_eq!(restacked, v3);

    // split_columns: the same with columns.
    let (l1, r2): (Matrix<T, 2, 1>, Matrix<T, 2, 2>) = h3.split_columns::<1>();
    assert_eq!((l1, r2), (left, right));
    let (l0, all_c): (Matrix<T, 2, 0>, Matrix<T, 2, 3>) = h3.split_columns::<0>();
    assert!(l0.as_slice().is_empty());
    assert_eq!(all_c, h3);
    let (whole_c, none_c): (Matrix<T, 2, 3>, Matrix<T, 2, 0>) = h3.split_columns::<3>();
    assert_eq!(whole_c, h3);
    assert!(none_c.as_slice().is_empty());
    let (pl, pr) = h3.split_columns::<2>();
    assert_eq!(pl, m([[1.0, 2.0], [4.0, 5.0]]));
    assert_eq!(pr, m([[3.0], [6.0]]));
    let rejoined: Matrix<T, 2, 3> = pl.hstack(&pr);
    assert_eq!(rejoined, h3);
}

fn concat_and_split<T: TestDtype>() {
    let x = v::<T, 2>([1.0, 2.0]);
    let y = v::<T, 3>([3.0, 4.0, 5.0]);
    // 2 + 3 = 5
    let xy: Vector<T, 5> = x.concat(&y);
    assert_close(xy.as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0]);
    let yx: Vector<T, 5> = y.concat(&x);
    assert_close(yx.as_slice(), &[3.0, 4.0, 5.0, 1.0, 2.0]);
    // with an empty vector on either side
    let e = Vector::<T, 0>::zeros();
    let x_e: Vector<T, 2> = x.concat(&e);
    let e_x: Vector<T, 2> = e.concat(&x);
    assert_eq!((x_e, e_x), (x, x));
    let e_e: Vector<T, 0> = e.concat(&e);
    assert!(e_e.is_empty());

    // split::<K>: the first K and the other N − K.
    let (head, tail): (Vector<T, 2>, Vector<T, 3>) = xy.split::<2>();
    assert_eq!((head, tail), (x, y));
    let (h1, t4): (Vector<T, 1>, Vector<T, 4>) = xy.split::<1>();
    assert_close(h1.as_slice(), &[1.0]);
    assert_close(t4.as_slice(), &[2.0, 3.0, 4.0, 5.0]);
    // K = 0: nothing, then everything
    let (h0, t5): (Vector<T, 0>, Vector<T, 5>) = xy.split::<0>();
    assert!(h0.is_empty());
    assert_eq!(t5, xy);
    // K = N: everything, then nothing
    let (h5, t0): (Vector<T, 5>, Vector<T, 0>) = xy.split::<5>();
    assert_eq!(h5, xy);
    assert!(t0.is_empty());
    // an empty vector splits into two empty vectors
    let (ee1, ee2): (Vector<T, 0>, Vector<T, 0>) = e.split::<0>();
    assert!(ee1.is_empty() && ee2.is_empty());
    // split then concat is the identity
    let (a3, b2) = xy.split::<3>();
    let again: Vector<T, 5> = a3.concat(&b2);
    assert_eq!(again, xy);
    // concat of the rows of a matrix is its flatten
    let a = m::<T, 2, 2>([[1.0, 2.0], [3.0, 4.0]]);
    let rows: Vector<T, 4> = a.row(0).concat(&a.row(1));
    let flat: Vector<T, 4> = a.flatten();
    assert_eq!(rows, flat);
}

// ---------------------------------------------------------------------------------------------
// Formatting and checks
// ---------------------------------------------------------------------------------------------

fn display_and_debug<T: TestDtype>() {
    // Column widths: column 0 holds "1" and "10" → 2; column 1 holds "-2.5" and "0.25" → 4.
    // Each cell is a space plus the right-aligned number, then " │"; the box's inside is
    // (1 + 2) + (1 + 4) + 1 = 9 characters wide.
    let a = m::<T, 2, 2>([[1.0, -2.5], [10.0, 0.25]]);
    assert_eq!(
        format!("{a}"),
        "┌         ┐\n\
         │  1 -2.5 │\n\
         │ 10 0.25 │\n\
         └         ┘"
    );
    // With {:.2} every element has two decimals: widths 5 ("10.00") and 5 ("-2.50") → 13.
    assert_eq!(
        format!("{a:.2}"),
        "┌             ┐\n\
         │  1.00 -2.50 │\n\
         │ 10.00  0.25 │\n\
         └             ┘"
    );
    // {:.0} rounds: 1, −2 (−2.5 rounds half to even), 10, 0
    assert_eq!(
        format!("{a:.0}"),
        "┌       ┐\n\
         │  1 -2 │\n\
         │ 10  0 │\n\
         └       ┘"
    );
    // A single row: widths 1, 3, 1 → inside (2 + 4 + 2) + 1 = 9
    let r = m::<T, 1, 3>([[0.0, 100.0, 5.0]]);
    assert_eq!(format!("{r}"), "┌         ┐\n│ 0 100 5 │\n└         ┘");

    // Vectors print on one line.
    let x = v::<T, 3>([1.0, -2.5, 0.25]);
    assert_eq!(format!("{x}"), "[1, -2.5, 0.25]");
    assert_eq!(format!("{x:.2}"), "[1.00, -2.50, 0.25]");
    assert_eq!(format!("{}", Vector::<T, 0>::zeros()), "[]");
    assert_eq!(x.to_string(), "[1, -2.5, 0.25]");

    // A batch prints like a matrix, one sample per row.
    let bt = b::<T, 3, 2>([[1.0, 2.0], [-3.0, 4.5], [0.5, 60.0]]);
    // widths: column 0 {"1", "-3", "0.5"} → 3; column 1 {"2", "4.5", "60"} → 3; inside 9
    assert_eq!(
        format!("{bt}"),
        "┌         ┐\n\
         │   1   2 │\n\
         │  -3 4.5 │\n\
         │ 0.5  60 │\n\
         └         ┘"
    );
    assert_eq!(format!("{bt}"), format!("{}", bt.as_matrix()));
    assert_eq!(
        format!("{bt:.1}"),
        "┌           ┐\n\
         │  1.0  2.0 │\n\
         │ -3.0  4.5 │\n\
         │  0.5 60.0 │\n\
         └           ┘"
    );

    // NaN and infinities print as the scalar does.
    let odd = Vector::new([T::nan(), T::infinity(), T::neg_infinity()]);
    assert_eq!(format!("{odd}"), "[NaN, inf, -inf]");

    // Debug shows the type and the nested arrays (floats always with a decimal point).
    assert_eq!(format!("{x:?}"), "Vector([1.0, -2.5, 0.25])");
    assert_eq!(format!("{a:?}"), "Matrix([[1.0, -2.5], [10.0, 0.25]])");
    let small = b::<T, 1, 2>([[0.5, -1.0]]);
    assert_eq!(format!("{small:?}"), "Batch([[0.5, -1.0]])");
    assert_eq!(
        format!("{x:#?}"),
        "Vector(\n    [\n        1.0,\n        -2.5,\n        0.25,\n    ],\n)"
    );
}

fn is_finite_values<T: TestDtype>() {
    let x = v::<T, 3>([1.0, -2.0, 0.0]);
    assert!(x.is_finite());
    assert!(Vector::<T, 0>::zeros().is_finite());
    for bad in [T::nan(), T::infinity(), T::neg_infinity()] {
        let mut y = x;
        y[1] = bad;
        assert!(!y.is_finite(), "{bad} is not finite");
        let mut a = Matrix::<T, 2, 2>::identity();
        assert!(a.is_finite());
        a[(1, 0)] = bad;
        assert!(!a.is_finite());
        let mut bt = Batch::<T, 2, 2>::zeros();
        assert!(bt.is_finite());
        bt[(1, 1)] = bad;
        assert!(!bt.is_finite());
    }
    // Overflow makes a tensor non-finite: max · 2 = inf
    let huge = Vector::new([<T as num_traits::Bounded>::max_value(), T::zero()]);
    assert!(huge.is_finite());
    assert!(!(huge * c(2.0)).is_finite());
    // 0/0 = NaN
    assert!(!(Vector::<T, 1>::zeros() / T::zero()).is_finite());
}

// ---------------------------------------------------------------------------------------------
// Integer scalars
// ---------------------------------------------------------------------------------------------

/// Ops that need no float math work on integers too.
#[test]
fn integer_scalars() {
    // matmul: same hand-computed product as in matmul_values
    let a = Matrix::new([[1_i32, 2, 3], [4, 5, 6]]);
    let bm = Matrix::new([[7, 8], [9, 10], [11, 12]]);
    assert_eq!(a.matmul(&bm), Matrix::new([[58, 64], [139, 154]]));
    assert_eq!(a * bm, Matrix::new([[58, 64], [139, 154]]));
    assert_eq!(a.matvec(&Vector::new([1, 0, -1])), Vector::new([-2, -2]));
    assert_eq!(
        a.transpose_matvec(&Vector::new([2, 1])),
        Vector::new([6, 9, 12])
    );
    assert_eq!(a.matmul(&Matrix::identity()), a);

    // reductions: sum 21; integer mean truncates: 21 / 6 = 3
    assert_eq!(a.sum(), 21);
    assert_eq!(a.mean(), 3);
    assert_eq!(a.row_sums(), Vector::new([6, 15]));
    assert_eq!(a.column_sums(), Vector::new([5, 7, 9]));
    assert_eq!(Vector::new([3, -4, 12]).norm_squared(), 169);
    assert_eq!(Vector::new([3, -4, 12]).norm_l1(), 19);
    assert_eq!(Vector::new([3, -4, -12]).norm_inf(), 12);
    assert_eq!(Matrix::new([[1, 2], [3, 4]]).trace(), 5);

    // argmax/argmin, first on ties
    let x = Vector::new([4_i32, 9, -3, 9, -3]);
    assert_eq!((x.argmax(), x.argmin()), (1, 2));
    assert_eq!((x.max(), x.min()), (9, -3));
    assert_eq!(a.row_argmax(), [2, 2]);
    assert_eq!(a.column_argmax(), [1, 1, 1]);
    assert_eq!(Batch::from_matrix(a).argmax_per_sample(), [2, 2]);

    // reshape / flatten / concat / split
    let flat: Vector<i32, 6> = a.flatten();
    assert_eq!(flat, Vector::new([1, 2, 3, 4, 5, 6]));
    let r: Matrix<i32, 3, 2> = a.reshape();
    assert_eq!(r, Matrix::new([[1, 2], [3, 4], [5, 6]]));
    let back: Matrix<i32, 2, 3> = flat.reshape();
    assert_eq!(back, a);
    let (h, t): (Vector<i32, 4>, Vector<i32, 2>) = flat.split::<4>();
    let joined: Vector<i32, 6> = t.concat(&h);
    assert_eq!(joined, Vector::new([5, 6, 1, 2, 3, 4]));

    // element-wise ops, scalar ops, broadcasts, batches
    assert_eq!(-(a * 2) + a, -a);
    assert_eq!(a / 2, Matrix::new([[0, 1, 1], [2, 2, 3]]));
    assert_eq!(a.add_row(&Vector::new([1, 1, 1])), a + Matrix::filled(1));
    let batch = Batch::from_samples([Vector::new([1_i32, 2]), Vector::new([3, 4])]);
    let w = Matrix::new([[1, 1], [0, -1]]);
    let y = w.apply_batch(&batch).add_bias(&Vector::new([10, 0]));
    assert_eq!(y.sample(0), Vector::new([13, -2]));
    assert_eq!(y.sample(1), Vector::new([17, -4]));
    assert_eq!(y.sum_over_batch(), Vector::new([30, -6]));
    assert_eq!(y.mean_over_batch(), Vector::new([15, -3]));

    // formatting
    assert_eq!(format!("{a:?}"), "Matrix([[1, 2, 3], [4, 5, 6]])");
    assert_eq!(
        format!("{}", Matrix::new([[1, -20], [300, 4]])),
        "┌         ┐\n│   1 -20 │\n│ 300   4 │\n└         ┘"
    );
    assert_eq!(format!("{}", Vector::new([1_u8, 2])), "[1, 2]");
}
