use typegrad::Vector;

fn main() {
    let v = Vector::<f32, 4>::zeros();
    let (_head, _tail) = v.split::<6>(); // cannot take 6 out of 4
}
