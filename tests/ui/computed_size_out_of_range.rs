use typegrad::{Matrix, Vector};

fn main() {
    let a = Vector::<f32, 1000>::zeros();
    let b = Vector::<f32, 100>::zeros();
    let _c = a.concat(&b); // 1100 elements: beyond the computed-size range

    let big = Matrix::<f32, 64, 32>::zeros(); // 2048 elements
    let _flat = big.flatten();
}
