use typegrad::Matrix;

fn main() {
    let a = Matrix::<f32, 2, 3>::zeros();
    let b = Matrix::<f32, 3, 2>::zeros();
    let _c = a + b; // element-wise add of 2×3 and 3×2
}
