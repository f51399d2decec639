use typegrad::Matrix;

fn main() {
    let a = Matrix::<f32, 3, 4>::zeros();
    let b = Matrix::<f32, 4, 2>::zeros();
    let _c: Matrix<f32, 3, 3> = a.matmul(&b); // the product is 3×2
}
