use typegrad::Vector;

fn main() {
    let a = Vector::<f32, 3>::zeros();
    let b = Vector::<f32, 4>::zeros();
    let _c: Vector<f32, 6> = a.concat(&b); // 3 + 4 = 7, not 6
}
