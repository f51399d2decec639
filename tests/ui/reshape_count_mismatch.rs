use typegrad::Matrix;

fn main() {
    let m = Matrix::<f32, 3, 4>::zeros(); // 12 elements
    let _r: Matrix<f32, 5, 2> = m.reshape(); // 10 elements
}
