use typegrad::{Matrix, Vector};

fn main() {
    let w = Matrix::<f32, 4, 3>::zeros();
    let x = Vector::<f32, 3>::zeros();
    let _y: Vector<f32, 3> = w.matvec(&x); // W·x has 4 elements
}
