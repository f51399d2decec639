//! Layers, networks, initialization and optimizers: values and finite-difference gradients.

use approx::assert_relative_eq;
use typegrad::activation::{Activation, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
use typegrad::gradcheck::{
    numeric_gradient, numeric_param_gradient, params_relative_error, relative_error,
};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, Loss, Mse, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Grads, Layer, Memory, Parameters};
use typegrad::optim::{AdaGrad, Adam, Clip, Momentum, Optimizer, RmsProp, Schedule, Settings, Sgd};
use typegrad::{Batch, Matrix, TrainError, Vector, seq};

/// The batch loss `L(net)` of a network on fixed data.
fn batch_loss<Net, L, Tg, const B: usize, const I: usize, const O: usize>(
    net: &Net,
    loss: &L,
    x: &Batch<f64, B, I>,
    t: &[Tg; B],
) -> f64
where
    Net: Layer<f64, In = typegrad::shape::Size<I>, Out = typegrad::shape::Size<O>>,
    L: Loss<f64, O, Tg>,
{
    loss.batch_value_and_gradient(&net.forward(x), t).0
}

/// Analytic parameter gradient and input gradient of the batch loss.
fn analytic<Net, L, Tg, const B: usize, const I: usize, const O: usize>(
    net: &Net,
    loss: &L,
    x: &Batch<f64, B, I>,
    t: &[Tg; B],
) -> (Net, Batch<f64, B, I>)
where
    Net: Layer<f64, In = typegrad::shape::Size<I>, Out = typegrad::shape::Size<O>>,
    L: Loss<f64, O, Tg>,
{
    let mut cache = net.new_cache::<B>();
    net.forward_train(x, &mut cache);
    let (_, dy) = loss.batch_value_and_gradient(Net::output(&cache), t);
    let mut grads = net.zeros_like();
    let mut dx = Batch::zeros();
    net.backward(x, &mut cache, &dy, &mut grads, Grads::Accumulate, &mut dx);
    let flat = |n: &Net| {
        let mut v = Vec::new();
        n.visit(&mut |s| v.extend_from_slice(s));
        v
    };
    // Only the parameter gradients, written over whatever `grads` held: the same values.
    let mut params_only = net.zeros_like();
    params_only.visit_mut(&mut |s| s.fill(123.0));
    net.forward_train(x, &mut cache);
    net.backward_params(x, &mut cache, &dy, &mut params_only, Grads::Overwrite);
    assert_eq!(flat(&params_only), flat(&grads));
    // Accumulating a second time doubles them.
    net.forward_train(x, &mut cache);
    net.backward_params(x, &mut cache, &dy, &mut params_only, Grads::Accumulate);
    let doubled: Vec<f64> = flat(&grads).iter().map(|g| 2.0 * g).collect();
    assert_eq!(flat(&params_only), doubled);
    (grads, dx)
}

fn random_batch<const B: usize, const N: usize>(rng: &mut Rng) -> Batch<f64, B, N> {
    Batch::from_fn(|_, _| rng.uniform(-1.0, 1.0))
}

/// Gradient check of one dense layer with activation `A`, parameters and inputs.
fn check_dense<A: Activation>(activation: A) -> f64 {
    let mut rng = Rng::new(7);
    let mut layer = Dense::<f64, 3, 4, A>::new(Matrix::zeros(), Vector::zeros(), activation);
    layer.init(&mut rng, Init::XavierUniform);
    layer.bias = Vector::from_fn(|_| rng.uniform(-0.5, 0.5));
    let x: Batch<f64, 2, 3> = random_batch(&mut rng);
    let t = [
        Vector::new([0.1, -0.2, 0.3, 0.4]),
        Vector::new([0.5, 0.0, -0.5, 1.0]),
    ];
    let (grads, dx) = analytic(&layer, &Mse, &x, &t);
    let numeric = numeric_param_gradient(|l| batch_loss(l, &Mse, &x, &t), &layer, 1e-6);
    let param_err = params_relative_error(&grads, &numeric);
    let numeric_dx = numeric_gradient(
        |v: &Vector<f64, 6>| {
            batch_loss(
                &layer,
                &Mse,
                &Batch::try_from_slice(v.as_slice()).unwrap(),
                &t,
            )
        },
        &Vector::try_from_slice(x.as_slice()).unwrap(),
        1e-6,
    );
    let input_err = relative_error(dx.as_slice(), numeric_dx.as_slice());
    param_err.max(input_err)
}

#[test]
fn dense_gradients_match_finite_differences_for_every_activation() {
    // Kinks (ReLU at 0) are avoided: inputs are random, so no pre-activation is exactly 0.
    let errors = [
        ("identity", check_dense(Identity)),
        ("relu", check_dense(Relu)),
        ("leaky_relu", check_dense(LeakyRelu::new(0.1))),
        ("sigmoid", check_dense(Sigmoid)),
        ("tanh", check_dense(Tanh)),
        ("softmax", check_dense(Softmax)),
    ];
    for (name, err) in errors {
        assert!(err < 1e-6, "{name}: relative gradient error {err:e}");
    }
}

type Deep = seq![
    Dense<f64, 3, 5, Tanh>,
    Dense<f64, 5, 6, Relu>,
    Dense<f64, 6, 4, Sigmoid>,
    Dense<f64, 4, 3>
];

#[test]
fn deep_network_gradients_match_finite_differences() {
    let mut rng = Rng::new(11);
    let mut net = Deep::default();
    net.init(&mut rng, Init::XavierNormal);
    let x: Batch<f64, 4, 3> = random_batch(&mut rng);
    let labels = [0, 2, 1, 2].map(|c| Class::<3>::new(c).unwrap());
    let (grads, dx) = analytic(&net, &SoftmaxCrossEntropy, &x, &labels);
    let numeric = numeric_param_gradient(
        |n| batch_loss(n, &SoftmaxCrossEntropy, &x, &labels),
        &net,
        1e-6,
    );
    let err = params_relative_error(&grads, &numeric);
    assert!(err < 1e-6, "parameter gradient relative error {err:e}");
    let numeric_dx = numeric_gradient(
        |v: &Vector<f64, 12>| {
            let xb = Batch::try_from_slice(v.as_slice()).unwrap();
            batch_loss(&net, &SoftmaxCrossEntropy, &xb, &labels)
        },
        &Vector::try_from_slice(x.as_slice()).unwrap(),
        1e-6,
    );
    let err = relative_error(dx.as_slice(), numeric_dx.as_slice());
    assert!(err < 1e-6, "input gradient relative error {err:e}");
}

#[test]
fn predict_equals_forward_on_a_batch_of_one_and_on_each_sample() {
    let mut rng = Rng::new(3);
    let mut net = Deep::default();
    net.init(&mut rng, Init::HeUniform);
    let x: Batch<f64, 5, 3> = random_batch(&mut rng);
    let y = net.forward(&x);
    for s in 0..5 {
        let single = net.predict(&x.sample(s));
        assert_relative_eq!(
            single.as_slice(),
            y.sample(s).as_slice(),
            max_relative = 1e-12
        );
    }
    let mut cache = net.new_cache::<5>();
    net.forward_train(&x, &mut cache);
    assert_eq!(&y, Deep::output(&cache));
}

#[test]
fn dense_forward_computes_w_x_plus_b_then_the_activation() {
    let layer = Dense::<f32, 2, 2, Relu>::new(
        Matrix::new([[1.0, -2.0], [0.5, 0.25]]),
        Vector::new([0.5, -1.0]),
        Relu,
    );
    // z = [1·1 − 2·2 + 0.5, 0.5·1 + 0.25·2 − 1] = [−2.5, 0.0] → relu → [0, 0]
    assert_eq!(
        layer.predict(&Vector::new([1.0, 2.0])),
        Vector::new([0.0, 0.0])
    );
    // z = [1·3 − 2·1 + 0.5, 0.5·3 + 0.25·1 − 1] = [1.5, 0.75]
    assert_eq!(
        layer.predict(&Vector::new([3.0, 1.0])),
        Vector::new([1.5, 0.75])
    );
}

#[test]
fn parameter_counts_and_memory_are_compile_time_constants() {
    type Mlp = seq![Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
    const PARAMS: usize = Memory::<f32, Mlp, 32>::PARAMS;
    assert_eq!(PARAMS, 64 * 32 + 32 + 32 * 10 + 10); // 2410
    // On x86-64 and AArch64 a dense layer starts on a 64-byte boundary, so its size is
    // rounded up to a multiple of 64 bytes: (2048 + 32)·4 = 8320 stays, (320 + 10)·4 = 1320
    // becomes 1344.
    let layer_bytes = |b: usize| {
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            b.div_ceil(64) * 64
        } else {
            b
        }
    };
    let network_bytes = layer_bytes((64 * 32 + 32) * 4) + layer_bytes((32 * 10 + 10) * 4);
    assert_eq!(Memory::<f32, Mlp, 32>::NETWORK_BYTES, network_bytes);
    // Input 32×64 and output 32×10 f32 values.
    assert_eq!(Memory::<f32, Mlp, 32>::IO_BYTES, (32 * 64 + 32 * 10) * 4);
    // Cache: layer 1 keeps z and y (32×32 each), layer 2 z and y (32×10 each), the chain room
    // for the gradient between them (32×32); the inputs are passed to `backward` again rather
    // than copied.
    assert_eq!(
        Memory::<f32, Mlp, 32>::CACHE_BYTES,
        (2 * 32 * 32 + 2 * 32 * 10 + 32 * 32) * 4
    );
    assert_eq!(
        Memory::<f32, Mlp, 32>::training_bytes(2),
        4 * network_bytes
            + Memory::<f32, Mlp, 32>::CACHE_BYTES
            + 2 * Memory::<f32, Mlp, 32>::IO_BYTES
    );
    assert_eq!(
        <Deep as Parameters<f64>>::PARAMS,
        3 * 5 + 5 + 5 * 6 + 6 + 6 * 4 + 4 + 4 * 3 + 3
    );
}

#[test]
fn same_seed_gives_bit_identical_weights() {
    let init = |seed| {
        let mut net = Deep::default();
        net.init(&mut Rng::new(seed), Init::HeNormal);
        let mut bits = Vec::new();
        net.visit(&mut |s| bits.extend(s.iter().map(|x| x.to_bits())));
        bits
    };
    assert_eq!(init(5), init(5));
    assert_ne!(init(5), init(6));
}

#[test]
fn initializers_respect_their_ranges_and_spreads() {
    let mut rng = Rng::new(1);
    let mut wide = Dense::<f64, 200, 100, Relu>::default();
    wide.init(&mut rng, Init::XavierUniform);
    let limit = (6.0_f64 / 300.0).sqrt();
    assert!(wide.weights.iter().all(|w| w.abs() <= limit));
    assert!(wide.weights.max() > 0.9 * limit && wide.weights.min() < -0.9 * limit);
    assert_eq!(wide.bias, Vector::zeros());

    wide.init(&mut rng, Init::HeNormal);
    let n = (200 * 100) as f64;
    let mean = wide.weights.sum() / n;
    let std = (wide.weights.map(|w| (w - mean) * (w - mean)).sum() / n).sqrt();
    // σ = √(2/200) = 0.1; 20,000 draws give the sample σ within about 1 %.
    assert_relative_eq!(std, 0.1, max_relative = 0.03);
    assert!(mean.abs() < 0.005);
}

#[test]
fn rng_matches_the_splitmix64_reference_and_shuffles_deterministically() {
    // SplitMix64 from seed 0: first output 0xE220A8397B1DCDAF (Vigna's reference code).
    assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    let mut a = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let mut b = a;
    Rng::new(9).shuffle(&mut a);
    Rng::new(9).shuffle(&mut b);
    assert_eq!(a, b);
    let mut sorted = a;
    sorted.sort();
    assert_eq!(sorted, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_ne!(a, sorted);
}

// ---- Optimizers, against hand-computed values ----------------------------------------------
// A 1×1 dense layer has two parameters: w (weight) and b (bias). Start from w = 1, b = 0.5
// with gradients g_w = 0.2, g_b = −0.4.

type Unit = Dense<f64, 1, 1>;

fn unit() -> Unit {
    Dense::new(Matrix::new([[1.0]]), Vector::new([0.5]), Identity)
}

fn unit_grads() -> Unit {
    Dense::new(Matrix::new([[0.2]]), Vector::new([-0.4]), Identity)
}

fn wb(u: &Unit) -> [f64; 2] {
    [u.weights[(0, 0)], u.bias[0]]
}

fn run<O: Optimizer<f64, Unit>>(mut opt: O, steps: usize) -> [f64; 2] {
    let mut p = unit();
    for _ in 0..steps {
        opt.step(&mut p, &unit_grads()).unwrap();
    }
    assert_eq!(opt.steps(), steps as u64);
    wb(&p)
}

#[test]
fn sgd_follows_w_minus_lr_g() {
    // w = 1 − 0.1·0.2 = 0.98, b = 0.5 + 0.1·0.4 = 0.54
    assert_relative_eq!(
        run(Sgd::new(Settings::new(0.1)), 1)[..],
        [0.98, 0.54][..],
        max_relative = 1e-12
    );
    // L2 decay 0.1: g_w = 0.2 + 0.1·1 = 0.3 → 0.97; g_b = −0.4 + 0.1·0.5 = −0.35 → 0.535
    let s = Settings::new(0.1).with_weight_decay(0.1);
    assert_relative_eq!(
        run(Sgd::new(s), 1)[..],
        [0.97, 0.535][..],
        max_relative = 1e-12
    );
}

#[test]
fn gradient_clipping_by_value_and_by_norm() {
    // By value at 0.25: g_b = −0.4 → −0.25, so b = 0.5 + 0.025.
    let s = Settings::new(0.1).with_clip(Clip::Value(0.25));
    assert_relative_eq!(
        run(Sgd::new(s), 1)[..],
        [0.98, 0.525][..],
        max_relative = 1e-12
    );
    // By norm at 0.25: ‖g‖ = √0.2, scale = 0.25/√0.2 = 0.5590170; g = (0.1118034, −0.2236068).
    let s = Settings::new(0.1).with_clip(Clip::Norm(0.25));
    assert_relative_eq!(
        run(Sgd::new(s), 1)[..],
        [1.0 - 0.01118034, 0.5 + 0.02236068][..],
        max_relative = 1e-7
    );
}

#[test]
fn momentum_and_nesterov() {
    let p = unit();
    // v₁ = g = 0.2, w₁ = 0.98; v₂ = 0.9·0.2 + 0.2 = 0.38, w₂ = 0.98 − 0.038 = 0.942
    // b: v₁ = −0.4 → 0.54; v₂ = −0.76 → 0.616
    let m = Momentum::new(&p, Settings::new(0.1), 0.9);
    assert_relative_eq!(run(m, 2)[..], [0.942, 0.616][..], max_relative = 1e-12);
    // Nesterov: step 1 d = g + μ·v₁ = 0.2 + 0.18 = 0.38 → w = 0.962;
    // step 2 v₂ = 0.38, d = 0.2 + 0.342 = 0.542 → w = 0.9078. b: d = −0.76 → 0.576; v₂ = −0.76,
    // d = −0.4 − 0.684 = −1.084 → 0.6844.
    let n = Momentum::nesterov(&p, Settings::new(0.1), 0.9);
    assert_relative_eq!(run(n, 2)[..], [0.9078, 0.6844][..], max_relative = 1e-12);
}

#[test]
fn adagrad_and_rmsprop() {
    let p = unit();
    // AdaGrad: G₁ = 0.04 → w = 1 − 0.1·0.2/0.2 = 0.9; G₂ = 0.08 → w = 0.9 − 0.02/√0.08 = 0.8292893
    let a = AdaGrad::new(&p, Settings::new(0.1));
    assert_relative_eq!(
        run(a, 2)[0],
        0.9 - 0.02 / 0.08_f64.sqrt(),
        max_relative = 1e-9
    );
    // RMSprop ρ = 0.9: E₁ = 0.004 → w = 1 − 0.01·0.2/√0.004 = 0.96837722;
    // E₂ = 0.9·0.004 + 0.1·0.04 = 0.0076 → w = 0.96837722 − 0.002/√0.0076 = 0.94543565
    let r = RmsProp::new(&p, Settings::new(0.01));
    assert_relative_eq!(run(r, 2)[0], 0.945_435_65, max_relative = 1e-7);
}

#[test]
fn adam_and_adamw() {
    let p = unit();
    // With a constant gradient, m̂ = g and v̂ = g² at every step, so each step moves w by
    // η·g/(|g| + ε) ≈ η: w = 1 − 0.1 − 0.1 = 0.8, b = 0.5 + 0.1 + 0.1 = 0.7.
    let a = Adam::new(&p, Settings::new(0.1));
    assert_relative_eq!(run(a, 2)[..], [0.8, 0.7][..], max_relative = 1e-6);
    // AdamW λ = 0.1, one step: w = 1 − 0.1·(1 + 0.1·1) = 0.89; b = 0.5 − 0.1·(−1 + 0.05) = 0.595
    let w = Adam::adamw(&p, Settings::new(0.1), 0.1);
    assert_relative_eq!(run(w, 1)[..], [0.89, 0.595][..], max_relative = 1e-6);
}

#[test]
fn learning_rate_schedules() {
    let step = Schedule::Step {
        initial: 1.0,
        factor: 0.5,
        every: 10,
    };
    let at = |s: Schedule, t| s.at::<f64>(t);
    assert_eq!(
        [at(step, 0), at(step, 9), at(step, 10), at(step, 25)],
        [1.0, 1.0, 0.5, 0.25]
    );
    let exp = Schedule::Exponential {
        initial: 1.0,
        decay: 0.9,
    };
    assert_relative_eq!(at(exp, 2), 0.81, max_relative = 1e-12);
    let cos = Schedule::Cosine {
        initial: 1.0,
        min: 0.0,
        steps: 100,
    };
    assert_relative_eq!(at(cos, 0), 1.0);
    assert_relative_eq!(at(cos, 50), 0.5, max_relative = 1e-12);
    assert!(at(cos, 100).abs() < 1e-12 && at(cos, 200).abs() < 1e-12);
    // The optimizer uses the schedule: step 1 at η(0) = 1, step 2 at η(1) = 0.5 (every = 1).
    let halving = Settings::new(0.0).with_schedule(Schedule::Step {
        initial: 1.0,
        factor: 0.5,
        every: 1,
    });
    // w = 1 − 1·0.2 − 0.5·0.2 = 0.7
    assert_relative_eq!(run(Sgd::new(halving), 2)[0], 0.7, max_relative = 1e-12);
}

#[test]
fn a_non_finite_gradient_is_an_error_and_changes_nothing() {
    let mut p = unit();
    let mut bad = unit_grads();
    bad.bias[0] = f64::NAN;
    let mut adam = Adam::new(&p, Settings::new(0.1));
    adam.step(&mut p, &unit_grads()).unwrap();
    let before = p;
    assert_eq!(
        adam.step(&mut p, &bad),
        Err(TrainError::NonFiniteGradient { step: 2 })
    );
    assert_eq!(p, before);
    assert_eq!(Optimizer::<f64, Unit>::steps(&adam), 1);
    bad.bias[0] = f64::INFINITY;
    assert_eq!(
        Optimizer::<f64, Unit>::step(&mut Sgd::new(Settings::new(0.1)), &mut p, &bad),
        Err(TrainError::NonFiniteGradient { step: 1 })
    );
}

#[test]
fn wide_layers_on_small_batches_agree_with_predict_and_finite_differences() {
    // 16 → 12 with a batch of 2 takes the other route through `Dense`'s batch kernel
    // (transposing the inputs instead of the weights).
    let mut rng = Rng::new(21);
    let mut layer = Dense::<f64, 16, 12, Tanh>::new(Matrix::zeros(), Vector::zeros(), Tanh);
    layer.init(&mut rng, Init::XavierNormal);
    layer.bias = Vector::from_fn(|_| rng.uniform(-0.5, 0.5));
    let x: Batch<f64, 2, 16> = random_batch(&mut rng);
    let y = layer.forward(&x);
    for s in 0..2 {
        assert_relative_eq!(
            layer.predict(&x.sample(s)).as_slice(),
            y.sample(s).as_slice(),
            max_relative = 1e-12
        );
    }
    let t = [Vector::<f64, 12>::filled(0.1), Vector::filled(-0.2)];
    let (grads, _) = analytic(&layer, &Mse, &x, &t);
    let numeric = numeric_param_gradient(|l| batch_loss(l, &Mse, &x, &t), &layer, 1e-6);
    let err = params_relative_error(&grads, &numeric);
    assert!(err < 1e-6, "relative gradient error {err:e}");
}

/// A layer without parameters, written as a user would: `NoParameters` gives it `Parameters`
/// for free, so the whole layer is its `Shape` and `Layer` impls (the measure of issue 11:
/// lines for a new parameterless layer).
mod parameterless {
    use typegrad::Real;
    use typegrad::init::{Init, Rng};
    use typegrad::nn::{Grads, Layer, NoParameters, Shape};
    use typegrad::shape::Size;
    use typegrad::{Batch, Vector};

    /// `y = 2x`.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Double<const N: usize>;

    impl<const N: usize> NoParameters for Double<N> {}

    impl<const N: usize> Shape for Double<N> {
        type In = Size<N>;
        type Out = Size<N>;
    }

    impl<T: Real, const N: usize> Layer<T> for Double<N> {
        type Cache<const B: usize> = Batch<T, B, N>;
        fn init(&mut self, _: &mut Rng, _: Init) {}
        fn predict(&self, x: &Vector<T, N>) -> Vector<T, N> {
            x.map(|v| v + v)
        }
        fn forward<const B: usize>(&self, x: &Batch<T, B, N>) -> Batch<T, B, N> {
            x.map(|v| v + v)
        }
        fn new_cache<const B: usize>(&self) -> Batch<T, B, N> {
            Batch::zeros()
        }
        fn forward_train<const B: usize>(&self, x: &Batch<T, B, N>, y: &mut Batch<T, B, N>) {
            *y = self.forward(x);
        }
        fn output<const B: usize>(y: &Batch<T, B, N>) -> &Batch<T, B, N> {
            y
        }
        fn backward<const B: usize>(
            &self,
            _: &Batch<T, B, N>,
            _: &mut Batch<T, B, N>,
            dy: &Batch<T, B, N>,
            _: &mut Self,
            _: Grads,
            dx: &mut Batch<T, B, N>,
        ) {
            *dx = dy.map(|v| v + v);
        }
    }
}

#[test]
fn a_parameterless_layer_trains_inside_a_network() {
    use parameterless::Double;
    typegrad::network! {
        type Net = [Dense<f64, 3, 4, Relu>, Double<4>, Dense<f64, 4, 2>];
    }
    assert_eq!(<Net as Parameters<f64>>::PARAMS, 3 * 4 + 4 + 4 * 2 + 2);
    let mut net = Net::default();
    net.init(&mut Rng::new(3), Init::XavierUniform);
    let x = Vector::new([0.3, -0.2, 0.9]);
    let inner = net.0.predict(&x);
    let want = net.1.1.predict(&inner.map(|v| 2.0 * v));
    assert_eq!(net.predict(&x), want);
    // Gradients through the parameterless layer match finite differences.
    let mut rng = Rng::new(9);
    let xs = random_batch::<3, 3>(&mut rng);
    let targets = [Vector::new([0.5, -1.0]); 3];
    let (grads, _) = analytic(&net, &Mse, &xs, &targets);
    let numeric = numeric_param_gradient(|p: &Net| batch_loss(p, &Mse, &xs, &targets), &net, 1e-6);
    let error = params_relative_error(&grads, &numeric);
    assert!(error < 1e-6, "{error}");
}
