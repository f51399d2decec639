use typegrad::Matrix;

fn main() {
    let a = Matrix::<f32, 3, 4>::zeros();
    let b = Matrix::<f32, 5, 2>::zeros();
    let _c = a.matmul(&b); // 3×4 · 5×2: inner sizes 4 and 5 differ
}
