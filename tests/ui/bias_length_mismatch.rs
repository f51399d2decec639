use typegrad::{Matrix, Vector};

fn main() {
    // Z = W·A + b with W: 4×3, A: 3×8 (8 samples as columns), so Z is 4×8 and b needs 4 rows.
    let w = Matrix::<f32, 4, 3>::zeros();
    let a = Matrix::<f32, 3, 8>::zeros();
    let b = Vector::<f32, 3>::zeros();
    let _z = w.matmul(&a).add_column(&b);
}
