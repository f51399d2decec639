//! Shared by the layer tests: finite-difference checks of a layer or network, and the numpy
//! reference cases. (Each test file uses some of these.)
#![allow(dead_code)]

use approx::assert_relative_eq;
use typegrad::gradcheck::{numeric_param_gradient, params_relative_error, relative_error};
use typegrad::init::Rng;
use typegrad::nn::{Grads, Layer};
use typegrad::shape::{BatchOf, Port};

/// `L = Σ uᵢ·yᵢ` over the batch output, for fixed weights `u`: `∂L/∂y = u`.
fn weighted<Net: Layer<f64>, const B: usize>(
    net: &Net,
    x: &BatchOf<f64, B, Net::In>,
    u: &[f64],
) -> f64 {
    let y = net.forward(x);
    <Net::Out as Port>::batch_slice(&y)
        .iter()
        .zip(u)
        .map(|(a, b)| a * b)
        .sum()
}

/// Checks a layer (or network) by finite differences: its input gradient, its parameter
/// gradient, that `forward_train` gives `forward`'s output and that batches equal samples.
pub fn check<Net: Layer<f64>, const B: usize>(net: &Net, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut x: BatchOf<f64, B, Net::In> = <Net::In as Port>::batch(|_, _| rng.uniform(-1.5, 1.5));
    let n = <Net::Out as Port>::N * B;
    let u: Vec<f64> = (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let dy: BatchOf<f64, B, Net::Out> =
        <Net::Out as Port>::batch(|s, i| u[s * <Net::Out as Port>::N + i]);

    let mut cache = net.new_cache::<B>();
    net.forward_train(&x, &mut cache);
    let y = net.forward(&x);
    assert_eq!(
        <Net::Out as Port>::batch_slice(Net::output(&cache)),
        <Net::Out as Port>::batch_slice(&y)
    );
    // Batch = per sample.
    let (xs, ys) = (
        <Net::In as Port>::batch_slice(&x),
        <Net::Out as Port>::batch_slice(&y),
    );
    for s in 0..B {
        let k = <Net::In as Port>::N;
        let single = net.predict(&<Net::In as Port>::sample(|i| xs[s * k + i]));
        let m = <Net::Out as Port>::N;
        assert_relative_eq!(
            <Net::Out as Port>::sample_slice(&single),
            &ys[s * m..(s + 1) * m],
            max_relative = 1e-12
        );
    }

    let mut grads = net.zeros_like();
    let mut dx = <Net::In as Port>::batch(|_, _| 0.0);
    net.backward(&x, &mut cache, &dy, &mut grads, Grads::Overwrite, &mut dx);

    let h = 1e-6;
    let mut numeric = Vec::new();
    for k in 0..<Net::In as Port>::N * B {
        let at = <Net::In as Port>::batch_slice(&x)[k];
        <Net::In as Port>::batch_slice_mut(&mut x)[k] = at + h;
        let plus = weighted(net, &x, &u);
        <Net::In as Port>::batch_slice_mut(&mut x)[k] = at - h;
        let minus = weighted(net, &x, &u);
        <Net::In as Port>::batch_slice_mut(&mut x)[k] = at;
        numeric.push((plus - minus) / (2.0 * h));
    }
    let err = relative_error(<Net::In as Port>::batch_slice(&dx), &numeric);
    assert!(err < 1e-6, "input gradient: relative error {err:e}");

    if Net::PARAMS > 0 {
        let numeric = numeric_param_gradient(|p: &Net| weighted(p, &x, &u), net, h);
        let err = params_relative_error(&grads, &numeric);
        assert!(err < 1e-6, "parameter gradient: relative error {err:e}");
    }
}

/// Case `name` of tests/fixtures/conv_expected.json (written by scripts/conv_fixture.py).
pub fn numpy_case(name: &str) -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/conv_expected.json"
    );
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all[name].clone()
}

/// Every number of a nested JSON array, in order (row-major).
pub fn flat(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Array(items) => items.iter().flat_map(flat).collect(),
        serde_json::Value::Number(n) => vec![n.as_f64().unwrap()],
        other => panic!("not a number: {other}"),
    }
}

/// Runs a layer on the numpy case `name` (a batch of 2): forward against `y`, backward with
/// its `dy` against `dx`, and (when `params`) the parameter gradients against `dweight` and
/// `dbias`, all to 1e-12 relative.
pub fn against_numpy<Net: Layer<f64>>(net: &Net, name: &str, params: bool) {
    let case = numpy_case(name);
    let xs = flat(&case["x"]);
    let x: BatchOf<f64, 2, Net::In> = <Net::In as Port>::batch(|s, i| xs[s * Net::INPUTS + i]);
    let y = net.forward(&x);
    assert_relative_eq!(
        <Net::Out as Port>::batch_slice(&y),
        &flat(&case["y"])[..],
        max_relative = 1e-12
    );
    let dys = flat(&case["dy"]);
    let dy: BatchOf<f64, 2, Net::Out> = <Net::Out as Port>::batch(|s, i| dys[s * Net::OUTPUTS + i]);
    let mut cache = net.new_cache::<2>();
    net.forward_train(&x, &mut cache);
    let mut grads = net.zeros_like();
    let mut dx = <Net::In as Port>::batch(|_, _| f64::NAN);
    net.backward(&x, &mut cache, &dy, &mut grads, Grads::Overwrite, &mut dx);
    assert_relative_eq!(
        <Net::In as Port>::batch_slice(&dx),
        &flat(&case["dx"])[..],
        max_relative = 1e-12
    );
    if params {
        let mut got = Vec::new();
        grads.visit(&mut |s| got.extend_from_slice(s));
        let mut want = flat(&case["dweight"]);
        want.extend(flat(&case["dbias"]));
        assert_relative_eq!(&got[..], &want[..], max_relative = 1e-12);
    }
}
