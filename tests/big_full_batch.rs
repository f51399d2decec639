//! Issues 11 and 21: a 30-1024-2 network trained full-batch on 455 samples runs on the default
//! 8 MiB main-thread stack (the test harness gives its threads 2 MiB; this test runs its own
//! thread with 8 MiB, the size of a program's main thread on Linux), in debug builds too
//! (`cargo test` runs it unoptimized). `Trainer::new` builds the 5.6 MB cache on a thread of its
//! own sized to it and keeps it on the heap; the step's temporaries fit in what remains.

use typegrad::Vector;
use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::loss::{BinaryCrossEntropyWithLogits, Class};
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Adam, Settings};
use typegrad::train::{Data, FitConfig, Trainer};

typegrad::network! {
    type Wide = [Dense<f32, 30, 1024, Relu>, Dense<f32, 1024, 1>];
}

fn train() -> f32 {
    let mut rng = Rng::new(1);
    let xs: Vec<Vector<f32, 30>> = (0..455)
        .map(|_| Vector::from_fn(|_| rng.uniform(-1.0, 1.0)))
        .collect();
    let ys: Vec<Class<2>> = xs
        .iter()
        .map(|x| Class::new(usize::from(x[0] + x[1] > 0.0)).unwrap())
        .collect();
    let mut net = Wide::default();
    net.init(&mut Rng::new(2), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(1e-3));
    let mut order = vec![0; 455];
    let config = FitConfig::<455> {
        epochs: 3,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    let mut last = f32::NAN;
    Trainer::new(&net, adam, BinaryCrossEntropyWithLogits)
        .fit(
            &mut net,
            Data::new(&xs, &ys),
            None,
            &mut order,
            config,
            |r, _| last = r.loss,
        )
        .unwrap();
    last
}

#[test]
fn a_30_1024_2_network_trains_full_batch_on_an_8_mib_stack() {
    let loss = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(train)
        .unwrap()
        .join()
        .unwrap();
    assert!(loss.is_finite());
}
