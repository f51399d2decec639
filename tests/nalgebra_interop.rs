//! Conversions between typegrad's `Matrix` / `Vector` and nalgebra's `SMatrix` / `SVector`:
//! round trips, element positions (typegrad is row-major, nalgebra column-major), and the
//! two libraries' products agreeing.
#![cfg(feature = "nalgebra")]

use nalgebra::{SMatrix, SVector};
use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::nn::{Dense, Layer};
use typegrad::{Matrix, Vector};

/// A matrix whose every element is distinct: `m[(i, j)] = 10·i + j + 0.5`.
fn numbered<const R: usize, const C: usize>() -> Matrix<f64, R, C> {
    Matrix::from_fn(|i, j| 10.0 * i as f64 + j as f64 + 0.5)
}

/// Pseudo-random values in [−1, 1) from a seed.
fn random<const R: usize, const C: usize>(seed: u64) -> Matrix<f64, R, C> {
    let mut rng = Rng::new(seed);
    Matrix::from_fn(|_, _| rng.uniform(-1.0, 1.0))
}

#[test]
fn matrix_elements_keep_their_positions() {
    let m = numbered::<3, 4>();
    let n: SMatrix<f64, 3, 4> = m.into();
    assert_eq!(n.shape(), (3, 4));
    for i in 0..3 {
        for j in 0..4 {
            assert_eq!(n[(i, j)], m[(i, j)], "({i}, {j})");
        }
    }
    // The storage orders differ: typegrad row by row, nalgebra column by column.
    assert_eq!(&m.as_slice()[..4], &[0.5, 1.5, 2.5, 3.5]);
    assert_eq!(&n.as_slice()[..3], &[0.5, 10.5, 20.5]);
    assert_eq!(
        n,
        SMatrix::<f64, 3, 4>::from_row_slice(&[
            0.5, 1.5, 2.5, 3.5, 10.5, 11.5, 12.5, 13.5, 20.5, 21.5, 22.5, 23.5,
        ])
    );
    // Rows and columns are the same vectors.
    assert_eq!(Vector::from(n.column(2).into_owned()), m.column(2));
    assert_eq!(Vector::from(n.row(1).transpose()), m.row(1));
}

#[test]
fn matrix_round_trips() {
    let m = random::<5, 7>(1);
    // By value.
    let n: SMatrix<f64, 5, 7> = m.into();
    assert_eq!(Matrix::from(n), m);
    // By reference.
    let n = m.to_nalgebra();
    assert_eq!(Matrix::from_nalgebra(&n), m);
    assert_eq!(SMatrix::from(&m), n);
    assert_eq!(Matrix::from(&n), m);
    // Starting from nalgebra.
    let start = SMatrix::<f32, 2, 6>::from_fn(|i, j| (i * 6 + j) as f32 - 3.0);
    let there: Matrix<f32, 2, 6> = start.into();
    assert_eq!(there.as_rows()[1], [3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    assert_eq!(SMatrix::from(there), start);
    // Degenerate and non-float shapes.
    let row = Matrix::new([[1i32, 2, 3]]);
    assert_eq!(
        SMatrix::<i32, 1, 3>::from(row),
        SMatrix::<i32, 1, 3>::from_row_slice(&[1, 2, 3])
    );
    let empty = Matrix::<f32, 0, 4>::new([]);
    assert_eq!(Matrix::from(SMatrix::from(empty)), empty);
}

#[test]
fn vector_round_trips() {
    let v = Vector::new([1.0f32, -2.0, 3.5, 0.25]);
    let n: SVector<f32, 4> = v.into();
    assert_eq!(
        n,
        nalgebra::SVector::<f32, 4>::from_column_slice(&[1.0, -2.0, 3.5, 0.25])
    );
    for i in 0..4 {
        assert_eq!(n[i], v[i]);
    }
    assert_eq!(Vector::from(n), v);
    assert_eq!(v.to_nalgebra(), n);
    assert_eq!(Vector::from_nalgebra(&n), v);
    let start = SVector::<f64, 3>::new(0.5, 1.5, 2.5);
    assert_eq!(Vector::from(start).as_array(), &[0.5, 1.5, 2.5]);
}

#[test]
fn transpose_agrees() {
    let m = random::<3, 5>(2);
    let t: SMatrix<f64, 5, 3> = m.transpose().into();
    assert_eq!(t, m.to_nalgebra().transpose());
}

#[test]
fn matmul_agrees() {
    let a = random::<4, 6>(3);
    let b = random::<6, 3>(4);
    let ours = a.matmul(&b);
    let theirs: SMatrix<f64, 4, 3> = a.to_nalgebra() * b.to_nalgebra();
    for i in 0..4 {
        for j in 0..3 {
            let (x, y) = (ours[(i, j)], theirs[(i, j)]);
            assert!(
                (x - y).abs() <= 1e-12 * y.abs().max(1.0),
                "({i}, {j}): {x} vs {y}"
            );
        }
    }
    // Back in typegrad, through the other conversion.
    let back = Matrix::from(theirs);
    for (x, y) in back.iter().zip(ours.iter()) {
        assert!((x - y).abs() <= 1e-12);
    }
    // Matrix × vector.
    let x = Vector::new([0.5, -1.0, 2.0, 0.0, 1.5, -0.25]);
    let ours = a.matvec(&x);
    let theirs = a.to_nalgebra() * x.to_nalgebra();
    for i in 0..4 {
        assert!((ours[i] - theirs[i]).abs() <= 1e-12);
    }
}

#[test]
fn dense_layer_agrees_with_nalgebra() {
    // y = relu(W·x + b) computed by a typegrad layer and by nalgebra on converted weights.
    let mut layer: Dense<f32, 4, 3, Relu> = Dense::default();
    layer.init(&mut Rng::new(5), Init::HeUniform);
    layer.bias = Vector::new([0.1, -0.2, 0.3]);
    let x = Vector::new([1.0, -0.5, 0.25, 2.0]);
    let w: SMatrix<f32, 3, 4> = layer.weights.into();
    let b: SVector<f32, 3> = layer.bias.into();
    let z = w * x.to_nalgebra() + b;
    let theirs = z.map(|v| v.max(0.0));
    let ours = layer.predict(&x);
    for i in 0..3 {
        assert!((ours[i] - theirs[i]).abs() <= 1e-6, "{i}");
    }
    // Weights edited in nalgebra come back to the right places.
    let mut w = w;
    w[(2, 1)] = 42.0;
    layer.weights = w.into();
    assert_eq!(layer.weights[(2, 1)], 42.0);
    assert_eq!(layer.weights.as_rows()[2][1], 42.0);
}
