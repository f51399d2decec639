use typegrad::Matrix;

fn main() {
    // A 2×3 matrix written with rows of 2 elements.
    let _m: Matrix<f32, 2, 3> = Matrix::new([[1.0, 2.0], [3.0, 4.0]]);
}
