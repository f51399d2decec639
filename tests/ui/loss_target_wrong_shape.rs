use typegrad::Vector;
use typegrad::loss::{Loss, Mse};

fn main() {
    // A prediction of 4 values against a target of 3.
    let _l = Mse.value(&Vector::<f32, 4>::zeros(), &Vector::<f32, 3>::zeros());
}
