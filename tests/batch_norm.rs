//! BatchNorm1d: training with batch statistics and inference with running ones against numpy
//! (tests/fixtures/conv_expected.json, from scripts/conv_fixture.py), gradients by finite
//! differences of the training-mode output, buffers in files, folding into Dense and Conv1d.

mod common;

use approx::assert_relative_eq;
use common::{flat, numpy_case};
use typegrad::activation::{Identity, Relu};
use typegrad::gradcheck::relative_error;
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{
    BatchNorm1d, Conv1d, Dense, GlobalAvgPool1d, Grads, Input, Layer, Parameters, Place,
};
use typegrad::optim::{Adam, Settings};
use typegrad::shape::{BatchOf, Port, Signal, Size};
use typegrad::train::Trainer;
use typegrad::{Batch, Matrix, Vector};

type Flat = <BatchNorm1d<f64, 3> as Place<Size<3>>>::Layer;
type Steps = <BatchNorm1d<f64, 2> as Place<Signal<2, 5>>>::Layer;

/// Training step, backward and buffer update against numpy for the fixture case `name`.
fn against_numpy<L, const B: usize, const C: usize, P>(name: &str, mut bn: L)
where
    P: Port,
    L: Layer<f64, In = P, Out = P> + Parameters<f64> + AsBatchNorm<C>,
{
    let c = numpy_case(name);
    let v = |k: &str| flat(&c[k]);
    bn.set(
        &v("weight"),
        &v("bias"),
        &v("running_mean"),
        &v("running_var"),
    );
    let xs = v("x");
    let x: BatchOf<f64, B, P> = P::batch(|s, i| xs[s * P::N + i]);
    let mut cache = bn.new_cache::<B>();
    bn.forward_train(&x, &mut cache);
    assert_relative_eq!(
        P::batch_slice(L::output(&cache)),
        &v("y")[..],
        max_relative = 1e-12
    );
    let dys = v("dy");
    let dy: BatchOf<f64, B, P> = P::batch(|s, i| dys[s * P::N + i]);
    let mut grads = bn.zeros_like();
    let mut dx = P::batch(|_, _| f64::NAN);
    bn.backward(&x, &mut cache, &dy, &mut grads, Grads::Overwrite, &mut dx);
    assert_relative_eq!(P::batch_slice(&dx), &v("dx")[..], max_relative = 1e-9);
    let mut g = Vec::new();
    grads.visit(&mut |s| g.extend_from_slice(s));
    let mut want = v("dweight");
    want.extend(v("dbias"));
    assert_relative_eq!(&g[..], &want[..], max_relative = 1e-12);
    // The running statistics move once the step is committed; inference then uses them.
    bn.update_buffers(&cache);
    let mut buffers = Vec::new();
    bn.visit_buffers(&mut |s| buffers.extend_from_slice(s));
    let mut want = v("running_mean_after");
    want.extend(v("running_var_after"));
    want.push(1.0);
    assert_relative_eq!(&buffers[..], &want[..], max_relative = 1e-12);
    assert_relative_eq!(
        P::batch_slice(&bn.forward(&x)),
        &v("y_eval_after")[..],
        max_relative = 1e-12
    );
}

/// Setting a batch normalization's tensors from slices (test helper).
trait AsBatchNorm<const C: usize> {
    fn set(&mut self, w: &[f64], b: &[f64], rm: &[f64], rv: &[f64]);
}

impl<const C: usize, At> AsBatchNorm<C> for BatchNorm1d<f64, C, At> {
    fn set(&mut self, w: &[f64], b: &[f64], rm: &[f64], rv: &[f64]) {
        self.weight = Vector::try_from_slice(w).unwrap();
        self.bias = Vector::try_from_slice(b).unwrap();
        self.running_mean = Vector::try_from_slice(rm).unwrap();
        self.running_var = Vector::try_from_slice(rv).unwrap();
    }
}

#[test]
fn batch_norm_matches_numpy_on_features_and_on_steps() {
    against_numpy::<Flat, 4, 3, Size<3>>("batch_norm_flat", Flat::default());
    against_numpy::<Steps, 3, 2, Signal<2, 5>>("batch_norm_signal", Steps::default());
}

/// `Σ uᵢ·yᵢ` of the training-mode output.
fn weighted_train<L: Layer<f64>, const B: usize>(
    bn: &L,
    x: &BatchOf<f64, B, L::In>,
    u: &[f64],
) -> f64 {
    let mut cache = bn.new_cache::<B>();
    bn.forward_train(x, &mut cache);
    <L::Out as Port>::batch_slice(L::output(&cache))
        .iter()
        .zip(u)
        .map(|(a, b)| a * b)
        .sum()
}

#[test]
fn batch_norm_gradients_match_finite_differences() {
    let mut bn = Steps::default();
    bn.weight = Vector::new([1.3, -0.7]);
    bn.bias = Vector::new([0.2, 0.1]);
    let mut rng = Rng::new(3);
    let mut x: BatchOf<f64, 3, Signal<2, 5>> = <Signal<2, 5>>::batch(|_, _| rng.uniform(-2.0, 2.0));
    let u: Vec<f64> = (0..30).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let dy: BatchOf<f64, 3, Signal<2, 5>> = <Signal<2, 5>>::batch(|s, i| u[s * 10 + i]);
    let mut cache = bn.new_cache::<3>();
    bn.forward_train(&x, &mut cache);
    let (mut grads, mut dx) = (bn.zeros_like(), <Signal<2, 5>>::batch(|_, _| 0.0));
    bn.backward(&x, &mut cache, &dy, &mut grads, Grads::Overwrite, &mut dx);
    let h = 1e-6;
    let numeric: Vec<f64> = (0..30)
        .map(|k| {
            let at = x.as_slice()[k];
            x.as_mut_slice()[k] = at + h;
            let plus = weighted_train(&bn, &x, &u);
            x.as_mut_slice()[k] = at - h;
            let minus = weighted_train(&bn, &x, &u);
            x.as_mut_slice()[k] = at;
            (plus - minus) / (2.0 * h)
        })
        .collect();
    let err = relative_error(dx.as_slice(), &numeric);
    assert!(err < 1e-6, "input gradient: relative error {err:e}");
    let numeric =
        typegrad::gradcheck::numeric_param_gradient(|p: &Steps| weighted_train(p, &x, &u), &bn, h);
    let err = typegrad::gradcheck::params_relative_error(&grads, &numeric);
    assert!(err < 1e-6, "parameter gradient: relative error {err:e}");
}

#[test]
fn batch_norm_describes_its_tensors_and_buffers_as_pytorch() {
    let names: Vec<String> = (0..5)
        .map(|k| {
            let s = <Flat as Parameters<f64>>::tensor_spec(k).unwrap();
            format!("{} {} {:?}", s.name, s.dims, s.kind)
        })
        .collect();
    assert_eq!(
        names,
        [
            "weight [3] Parameter",
            "bias [3] Parameter",
            "running_mean [3] Buffer",
            "running_var [3] Buffer",
            "num_batches_tracked [] Buffer"
        ]
    );
    assert_eq!(<Flat as Parameters<f64>>::PARAMS, 6);
    assert_eq!(<Flat as Parameters<f64>>::BUFFERS, 7);
}

typegrad::network! {
    /// Dense + BatchNorm, the MLPerf Tiny anomaly-detection pattern.
    type Normed = [Dense<f32, 4, 8>, BatchNorm1d<f32, 8>, Relu, Dense<f32, 8, 3>];
}

#[test]
fn a_trainer_updates_the_running_statistics_and_persist_keeps_them() {
    let mut net = Normed::default();
    net.init(&mut Rng::new(1), Init::HeUniform);
    let mut rng = Rng::new(2);
    let x: Batch<f32, 16, 4> = Batch::from_fn(|_, i| rng.uniform(-1.0, 1.0) * (i + 1) as f32 + 3.0);
    let y: [Class<3>; 16] = core::array::from_fn(|s| Class::new(s % 3).unwrap());
    let mut trainer = Trainer::new(
        &net,
        Adam::new(&net, Settings::new(0.01)),
        SoftmaxCrossEntropy,
    );
    for _ in 0..50 {
        trainer.step(&mut net, &x, &y).unwrap();
    }
    let bn = &net.1.0;
    assert_eq!(bn.num_batches_tracked[0], 50.0);
    // The running mean has moved from 0 towards the batch mean of the dense outputs.
    assert!(
        bn.running_mean.iter().any(|&m| m.abs() > 0.1),
        "{:?}",
        bn.running_mean
    );
    // Optimizers never touch buffers: the gradient has none to give.
    let mut bytes = vec![0u8; typegrad::persist::saved_len::<f32, Normed>()];
    typegrad::persist::save(&net, &mut bytes).unwrap();
    let mut back = Normed::default();
    typegrad::persist::load(&mut back, &bytes).unwrap();
    assert_eq!(back.1.0, net.1.0);
}

/// Equal within 1e-6 relative, as vectors: `‖a − b‖∞ ≤ 1e-6·‖b‖∞`.
fn close(a: &[f32], b: &[f32]) -> bool {
    let norm = b.iter().fold(0f32, |m, v| m.max(v.abs()));
    let diff = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
    diff <= 1e-6 * norm
}

#[test]
fn a_folded_batch_norm_gives_the_same_outputs() {
    // Dense then BatchNorm (trained running statistics) versus the folded Dense.
    let mut dense: Dense<f32, 6, 4> = Dense::default();
    dense.init(&mut Rng::new(4), Init::XavierUniform);
    let mut bn = <BatchNorm1d<f32, 4> as Place<Size<4>>>::Layer::default();
    bn.weight = Vector::new([1.5, 0.5, -0.8, 2.0]);
    bn.bias = Vector::new([0.1, -0.2, 0.3, 0.0]);
    bn.running_mean = Vector::new([0.4, -1.0, 0.05, 2.0]);
    bn.running_var = Vector::new([0.3, 2.5, 0.01, 1.2]);
    let folded = bn.fold_into_dense(&dense, Identity);
    let mut rng = Rng::new(5);
    for _ in 0..100 {
        let x: Vector<f32, 6> = Vector::from_fn(|_| rng.uniform(-3.0, 3.0));
        let two = Layer::<f32>::predict(&bn, &dense.predict(&x));
        let one = folded.predict(&x);
        assert!(close(one.as_slice(), two.as_slice()), "{one:?} vs {two:?}");
    }
    // Conv1d then BatchNorm over its channels.
    let mut conv = Conv1d::<f32, 2, 4, 3>::default();
    let mut rng = Rng::new(6);
    conv.visit_mut(&mut |s: &mut [f32]| s.iter_mut().for_each(|w| *w = rng.uniform(-1.0, 1.0)));
    let conv: <Conv1d<f32, 2, 4, 3> as Place<Signal<2, 10>>>::Layer = conv.placed();
    let mut bn2 = <BatchNorm1d<f32, 4> as Place<Signal<4, 8>>>::Layer::default();
    bn2.weight = bn.weight;
    bn2.bias = bn.bias;
    bn2.running_mean = bn.running_mean;
    bn2.running_var = bn.running_var;
    let folded = bn2.fold_into_conv(&conv);
    for _ in 0..20 {
        let x: Matrix<f32, 2, 10> = Matrix::from_fn(|_, _| rng.uniform(-2.0, 2.0));
        let two = Layer::<f32>::predict(&bn2, &conv.predict(&x));
        let one = folded.predict(&x);
        assert!(close(one.as_slice(), two.as_slice()), "{one:?} vs {two:?}");
    }
    let _: Dense<f32, 6, 4, Identity> = dense;
}

typegrad::network! {
    type NormedCnn = [
        Input<Signal<2, 16>>,
        Conv1d<f32, 2, 4, 3, 1, 1>,
        BatchNorm1d<f32, 4>,
        Relu,
        GlobalAvgPool1d,
        Dense<f32, 4, 2>,
    ];
}

#[test]
fn batch_norm_after_a_convolution_trains() {
    let mut net = NormedCnn::default();
    net.init(&mut Rng::new(7), Init::HeUniform);
    let mut rng = Rng::new(8);
    let x = <Signal<2, 16> as Port>::batch::<f32, 8, _>(|s, i| {
        rng.uniform(-1.0, 1.0)
            + if s % 2 == 0 {
                (i % 16) as f32 * 0.1
            } else {
                0.0
            }
    });
    let y: [Class<2>; 8] = core::array::from_fn(|s| Class::new(s % 2).unwrap());
    let mut trainer = Trainer::new(
        &net,
        Adam::new(&net, Settings::new(0.02)),
        SoftmaxCrossEntropy,
    );
    let first = trainer.step(&mut net, &x, &y).unwrap();
    let mut last = first;
    for _ in 0..100 {
        last = trainer.step(&mut net, &x, &y).unwrap();
    }
    assert!(last < 0.5 * first, "{first} -> {last}");
}

/// FNV-1a (32 bits), the checksum of typegrad's files.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[test]
fn an_impossible_running_variance_is_refused_on_save_and_on_load() {
    let mut net = Normed::default();
    net.init(&mut Rng::new(1), Init::HeUniform);
    let len = typegrad::persist::saved_len::<f32, Normed>();
    let mut bytes = vec![0u8; len];
    typegrad::persist::save(&net, &mut bytes).unwrap();
    // Write -1 into running_var[2] and fix the checksum: a well-formed file of an impossible
    // state. Values: the 4·8 + 8 dense parameters, γ and β (16), then running_mean (8).
    let values_start = len - 4 - 4 * (<Normed as Parameters<f32>>::PARAMS + 17);
    let var2 = values_start + 4 * (<Normed as Parameters<f32>>::PARAMS + 8 + 2);
    bytes[var2..var2 + 4].copy_from_slice(&(-1.0f32).to_le_bytes());
    let sum = fnv1a32(&bytes[..len - 4]);
    bytes[len - 4..].copy_from_slice(&sum.to_le_bytes());
    let mut back = Normed::default();
    let before = back;
    let err = typegrad::persist::load(&mut back, &bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor 7 (layer 1 running_var) holds an impossible value at index 2: its values must \
         be finite and at least 0"
    );
    assert_eq!(back, before, "nothing is written by a failed load");
    // Saving such a network is refused too.
    net.1.0.running_var[2] = -1.0;
    assert!(matches!(
        typegrad::persist::save(&net, &mut bytes),
        Err(typegrad::persist::PersistError::Buffer { index: 2, .. })
    ));
    net.1.0.running_var[2] = 1.0;
    net.1.0.num_batches_tracked[0] = 2.5;
    assert!(typegrad::persist::save(&net, &mut bytes).is_err());
}

#[cfg(feature = "safetensors")]
#[test]
fn safetensors_names_batch_norm_buffers_as_pytorch_and_refuses_impossible_ones() {
    use typegrad::interop::safetensors::{from_bytes, tensor_layout, to_bytes};
    let names = ["0", "1", "3"];
    let layout: Vec<String> = tensor_layout::<f32, Normed>(&names)
        .unwrap()
        .into_iter()
        .map(|(n, s)| format!("{n} {s:?}"))
        .collect();
    assert_eq!(
        layout,
        [
            "0.weight [8, 4]",
            "0.bias [8]",
            "1.weight [8]",
            "1.bias [8]",
            "3.weight [3, 8]",
            "3.bias [3]",
            "1.running_mean [8]",
            "1.running_var [8]",
            "1.num_batches_tracked []"
        ]
    );
    let mut net = Normed::default();
    net.init(&mut Rng::new(1), Init::HeUniform);
    net.1.0.running_mean[1] = 0.5;
    let bytes = to_bytes(&net, &names).unwrap();
    let mut back = Normed::default();
    from_bytes(&mut back, &names, &bytes).unwrap();
    assert_eq!(back, net);
    net.1.0.running_var[3] = -0.25;
    let bad = to_bytes(&net, &names).unwrap();
    let err = from_bytes(&mut back, &names, &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor \"1.running_var\": element 3 is impossible for this buffer: its values must be \
         finite and at least 0"
    );
}

#[cfg(feature = "safetensors")]
#[test]
fn a_pytorch_style_int64_batch_count_loads() {
    use typegrad::interop::safetensors::{from_bytes, to_bytes};
    let names = ["0", "1", "3"];
    let mut net = Normed::default();
    net.init(&mut Rng::new(1), Init::HeUniform);
    net.1.0.num_batches_tracked[0] = 7.0;
    // Re-encode our file with num_batches_tracked as I64, as PyTorch's state_dict has it.
    let ours = to_bytes(&net, &names).unwrap();
    let file = safetensors::SafeTensors::deserialize(&ours).unwrap();
    let count = 7i64.to_le_bytes();
    let mut views = Vec::new();
    for (name, view) in file.tensors() {
        let (dtype, data): (safetensors::Dtype, Vec<u8>) = if name == "1.num_batches_tracked" {
            (safetensors::Dtype::I64, count.to_vec())
        } else {
            (view.dtype(), view.data().to_vec())
        };
        views.push((name, dtype, view.shape().to_vec(), data));
    }
    let tensors: Vec<(String, safetensors::tensor::TensorView<'_>)> = views
        .iter()
        .map(|(n, d, s, b)| {
            (
                n.clone(),
                safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap(),
            )
        })
        .collect();
    let bytes = safetensors::serialize(tensors, None).unwrap();
    let mut back = Normed::default();
    from_bytes(&mut back, &names, &bytes).unwrap();
    assert_eq!(back.1.0.num_batches_tracked[0], 7.0);
    assert_eq!(back, net);
}
