use typegrad::Matrix;

fn main() {
    let image = Matrix::<f32, 3, 4>::zeros(); // flattens to 12 inputs
    let weights = Matrix::<f32, 2, 10>::zeros(); // a layer with 10 inputs
    let _y = weights.matvec(&image.flatten());
}
