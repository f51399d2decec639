use typegrad::{Matrix, Vector};

fn main() {
    let v = Vector::<f32, 10>::zeros();
    let _m: Matrix<f32, 4, 3> = v.reshape(); // 10 elements cannot fill 4×3
}
