use typegrad::activation::Relu;
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Parameters};
use typegrad::optim::{Adam, Settings};
use typegrad::train::train_step;
use typegrad::{Batch, seq};

type Small = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
type Large = seq![Dense<f32, 4, 16, Relu>, Dense<f32, 16, 3>];

fn main() {
    let (small, mut large) = (Small::default(), Large::default());
    let mut adam = Adam::new(&small, Settings::new(1e-3));
    let mut grads = large.zeros_like();
    let (x, t) = (Batch::<f32, 1, 4>::zeros(), [Class::<3>::new(0).unwrap()]);
    // Adam's moments are shaped like `Small`; the step trains a `Large`.
    let _ = train_step(&mut large, &mut grads, &mut adam, &SoftmaxCrossEntropy, &x, &t);
}
