use typegrad::activation::Relu;
use typegrad::nn::{Dense, Layer};
use typegrad::{Batch, seq};

fn main() {
    let net = <seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>]>::default();
    let x = Batch::<f32, 32, 4>::zeros();
    let _y: Batch<f32, 16, 3> = net.forward(&x); // 32 samples in, 16 expected out
}
