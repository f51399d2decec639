//! A guided tour of typegrad's tensors: `cargo run --example tensor_tour`.
//!
//! Every size below is part of a type, so a shape mistake is a compile error, not a crash at
//! run time. The comments show (without compiling) what those errors look like.

use typegrad::{Batch, Matrix, Vector};

fn main() {
    // --- 1. Building tensors ------------------------------------------------------------
    // A vector of 3 numbers, and a 2 × 3 matrix given row by row (stored row-major).
    let x: Vector<f32, 3> = Vector::new([1.0, 2.0, 3.0]);
    let w: Matrix<f32, 2, 3> = Matrix::new([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]);
    let eye = Matrix::<f32, 3, 3>::identity();
    let ramp = Vector::<f32, 4>::from_fn(|i| i as f32 * 0.5); // [0, 0.5, 1, 1.5]
    let ones = Vector::<f32, 2>::filled(1.0);
    println!(
        "x = {x}, ramp = {ramp}, ones = {ones}, w is {:?}",
        w.shape()
    );

    // --- 2. Products: the inner sizes must agree ----------------------------------------
    let y: Vector<f32, 2> = w.matvec(&x); // (2 × 3) · 3 → 2, also written `w * x`
    let gram: Matrix<f32, 2, 2> = w.matmul(&w.transpose()); // (2 × 3) · (3 × 2) → 2 × 2
    println!(
        "W·x = {y}\nW·Wᵀ =\n{gram}\nW·I == W: {}",
        w.matmul(&eye) == w
    );
    // A mismatch does not compile. `w.matmul(&w)` is (2 × 3) · (2 × 3):
    //
    //     error[E0308]: mismatched types
    //       |     let bad = w.matmul(&w);
    //       |                 ------ ^^ expected `3`, found `2`
    //       = note: expected reference `&Matrix<f32, 3, _>`
    //                  found reference `&Matrix<f32, 2, 3>`

    // --- 3. A layer on a batch: Z = W·A + b ---------------------------------------------
    // A batch of 4 samples with 3 features each (one sample per row).
    let a: Batch<f32, 4, 3> = Batch::from_samples([
        Vector::new([1.0, 2.0, 3.0]),
        Vector::new([0.0, 1.0, 0.0]),
        Vector::new([-1.0, 0.0, 1.0]),
        Vector::new([2.0, 2.0, 2.0]),
    ]);
    let b: Vector<f32, 2> = Vector::new([0.1, -0.1]); // one bias per output
    // z_s = W·a_s + b for every sample s: 4 samples of 2 outputs.
    let z: Batch<f32, 4, 2> = w.apply_batch(&a).add_bias(&b);
    println!("Z (one sample per row) =\n{z:.2}");
    // The same with samples as *columns*: A is 3 × 4, W·A is 2 × 4, b is added to each column.
    let a_cols: Matrix<f32, 3, 4> = a.as_matrix().transpose();
    let z_cols: Matrix<f32, 2, 4> = w.matmul(&a_cols).add_column(&b);
    println!(
        "same Z either way: {}",
        z_cols.transpose() == z.into_matrix()
    );
    // A bias of the wrong length does not compile (`add_bias(&Vector::<f32, 3>::zeros())`):
    //
    //     error[E0308]: mismatched types
    //       ^^ expected `2`, found `3`
    //       = note: expected reference `&typegrad::Vector<f32, 2>`
    //                  found reference `&typegrad::Vector<f32, 3>`

    // --- 4. Reductions ------------------------------------------------------------------
    println!(
        "sum(x) = {}, mean(x) = {}, max(x) = {} at {}",
        x.sum(),
        x.mean(),
        x.max(),
        x.argmax()
    );
    println!(
        "‖x‖₂ = {:.4}, ‖x‖₁ = {}, x·x = {}",
        x.norm(),
        x.norm_l1(),
        x.dot(&x)
    );
    println!(
        "row sums of W = {}, column means of W = {}",
        w.row_sums(),
        w.column_means()
    );
    println!("mean over the batch = {}", a.mean_over_batch());
    println!("predicted class per sample = {:?}", z.argmax_per_sample());

    // --- 5. Sizes the type system computes ----------------------------------------------
    // The result types below are written out to show them; they are all inferred.
    let img = Matrix::<f32, 3, 4>::from_fn(|i, j| (4 * i + j) as f32);
    let flat: Vector<f32, 12> = img.flatten(); // 3 · 4 = 12
    let wide: Matrix<f32, 2, 6> = img.reshape(); // 12 = 2 · 6
    let back: Matrix<f32, 3, 4> = flat.reshape(); // 12 → 3 × 4
    let longer: Vector<f32, 15> = flat.concat(&x); // 12 + 3 = 15
    let (head, tail): (Vector<f32, 5>, Vector<f32, 10>) = longer.split::<5>(); // 15 − 5 = 10
    let tall: Matrix<f32, 5, 4> = img.vstack(&Matrix::<f32, 2, 4>::zeros()); // 3 + 2 rows
    let broad: Matrix<f32, 3, 7> = img.hstack(&Matrix::<f32, 3, 3>::identity()); // 4 + 3 columns
    let (top, rest): (Matrix<f32, 1, 4>, Matrix<f32, 2, 4>) = img.split_rows::<1>();
    println!(
        "flat = {flat}\nwide =\n{wide}\nback == img: {}",
        back == img
    );
    println!("head = {head}, tail = {tail}");
    println!("tall is {:?}, broad is {:?}", tall.shape(), broad.shape());
    println!("top = {}, rest has {} rows", top.row(0), rest.shape().0);
    // Getting a computed size wrong does not compile either:
    //
    //     let c: Vector<f32, 14> = flat.concat(&x); // 12 + 3 is 15
    //     error[E0308]: mismatched types
    //       ^^^^^^^^^^^^^^^ expected `14`, found `15`
    //
    //     let r: Matrix<f32, 5, 2> = img.reshape(); // 10 elements, not 12
    //     error[E0277]: the element counts differ: `Size<10>` elements where `Size<12>` are expected
    //
    //     let (h, t) = x.split::<4>(); // x has only 3 elements
    //     error[E0277]: cannot take `Size<4>` out of `Size<3>`: the part must not be larger than the whole

    // --- 6. Data known only at run time -------------------------------------------------
    // A slice read from a file or a sensor has a length the compiler cannot check, so
    // `try_from_slice` checks it and returns a `LengthError` instead of panicking.
    let readings: &[f32] = &[1.0, 2.0, 3.0, 4.0, 5.0];
    for n in [4, 5] {
        match Matrix::<f32, 2, 2>::try_from_slice(&readings[..n]) {
            Ok(m) => println!("{n} readings → a 2 × 2 matrix with trace {}", m.trace()),
            // prints: wrong number of elements: expected 4, found 5
            Err(e) => println!("{n} readings → error: {e} ({e:?})"),
        }
    }

    // --- 7. Printing ----------------------------------------------------------------------
    // `Display` draws a box with aligned columns; `{:.2}` sets the precision.
    let m = Matrix::new([[1.0_f32, -2.5], [10.0, 0.25]]);
    println!("{m}\n{m:.2}\nDebug: {m:?}");
    //     ┌             ┐
    //     │  1.00 -2.50 │
    //     │ 10.00  0.25 │
    //     └             ┘
}
