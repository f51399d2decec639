use typegrad::nn::{Conv1d, Layer};
use typegrad::shape::Signal;
use typegrad::Matrix;

// Placed by hand over 4 steps padded by 1: a kernel of 7 steps does not fit.
fn main() {
    let conv = Conv1d::<f32, 2, 3, 7, 1, 1, Signal<2, 4>>::default();
    let _ = conv.predict(&Matrix::zeros());
}
