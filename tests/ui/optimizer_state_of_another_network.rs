use typegrad::activation::Relu;
use typegrad::loss::SoftmaxCrossEntropy;
use typegrad::nn::Dense;
use typegrad::optim::{Adam, Settings};
use typegrad::seq;
use typegrad::train::Trainer;

type Small = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
type Large = seq![Dense<f32, 4, 16, Relu>, Dense<f32, 16, 3>];

fn main() {
    let (small, large) = (Small::default(), Large::default());
    let adam = Adam::new(&small, Settings::new(1e-3));
    // Adam's moments are shaped like `Small`; the trainer trains a `Large`.
    let _ = Trainer::<f32, Large, _, _, 1>::new(&large, adam, SoftmaxCrossEntropy);
}
