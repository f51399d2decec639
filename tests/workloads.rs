//! typegrad computes the benchmark workloads exactly as specified: the check values of
//! `benches/WORKLOADS.md`.

// The check values are written as published, with six decimals.
#![allow(clippy::excessive_precision)]

#[path = "../benches/common/workloads.rs"]
mod workloads;

use approx::assert_relative_eq;
use typegrad::nn::Parameters;
use workloads::*;

#[test]
fn w2_dense_layer_sum_matches_the_check_value() {
    let y = w2_typegrad(&w2_inputs());
    assert_relative_eq!(y.sum(), -32.2118, max_relative = 1e-4);
}

fn losses<Net, const I: usize>(mut net: Net) -> (f32, f32)
where
    Net: typegrad::nn::Layer<f32, In = typegrad::shape::Size<I>, Out = typegrad::shape::Size<10>>
        + Parameters<f32>,
{
    let data = w3_data::<I>();
    let mut state = w3_state(&net);
    let first = w3_step(&mut net, &mut state, &data, 0);
    let mut last = first;
    for k in 1..20 {
        last = w3_step(&mut net, &mut state, &data, k);
    }
    (first, last)
}

#[test]
fn w3a_training_losses_match_the_check_values() {
    let (first, twentieth) = losses::<_, 64>(mlp_a());
    assert_relative_eq!(first, 2.275840, max_relative = 1e-5);
    assert_relative_eq!(twentieth, 2.352347, max_relative = 1e-5);
}

#[test]
fn w3b_training_losses_match_the_check_values() {
    // The 784-128-64-10 network is 0.43 MB; run it on a thread with a large stack.
    let (first, twentieth) = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| losses::<_, 784>(*mlp_b()))
        .unwrap()
        .join()
        .unwrap();
    assert_relative_eq!(first, 2.325436, max_relative = 1e-5);
    assert_relative_eq!(twentieth, 2.284795, max_relative = 1e-5);
}

#[test]
fn w4_inference_matches_the_check_values() {
    let p = w4_typegrad(&mlp_a(), &w4_input());
    assert_relative_eq!(
        p.as_slice()[..3],
        [0.115092, 0.089422, 0.076908][..],
        max_relative = 1e-5
    );
    assert_relative_eq!(p.sum(), 1.0, max_relative = 1e-6);
}

#[test]
fn w1_matmul_inputs_are_the_specified_ones() {
    // First values of SplitMix64 seed 1, mapped to [-1, 1) in f32.
    let (a, b) = w1_inputs::<8>();
    let c = a.matmul(&b);
    // C = A·B checked against a plain triple loop on the same data.
    for i in 0..8 {
        for j in 0..8 {
            let mut s = 0.0f32;
            for k in 0..8 {
                s += a[(i, k)] * b[(k, j)];
            }
            assert_relative_eq!(c[(i, j)], s, max_relative = 1e-5);
        }
    }
}

#[test]
fn w5_conv1d_training_losses_match_the_check_values() {
    let mut net = cnn1d();
    let data = w5_data();
    let mut state = w5_state(&net);
    let first = w5_step(&mut net, &mut state, &data, 0);
    let mut last = first;
    for k in 1..20 {
        last = w5_step(&mut net, &mut state, &data, k);
    }
    assert_relative_eq!(first, 1.426340, max_relative = 1e-5);
    assert_relative_eq!(last, 1.407482, max_relative = 1e-5);
}
