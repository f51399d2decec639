//! typegrad alone on one workload, in a loop, for a profiler (`perf record`, callgrind):
//! `cargo bench -p typegrad-bench --bench profile -- w3b 2000` runs 2,000 W3(b) steps.
//! Workloads: `w3a`, `w3b`, `w5`, `w6a`, `w6b` (training steps), `w4` (inference calls, ×1000;
//! `w4m` its two dense layers alone, `w4s` its softmax alone), `fwd`, `dw` (the two large
//! products of W3(b), in GFLOP/s), `w6c` (W6's convolution layers alone, in GFLOP/s; with
//! `W6C_PARTS=1` each layer's time and rate too).

#[path = "common/w6.rs"]
mod w6;
#[path = "common/workloads.rs"]
mod workloads;

use std::hint::black_box;
use typegrad::activation::{Activation, Softmax};
use typegrad::nn::Layer;
use workloads::*;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let which = args.first().map(String::as_str).unwrap_or("w3b");
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let start = std::time::Instant::now();
    match which {
        // W6 keeps tens of megabytes of activations on the stack: a thread with room.
        "w6a" | "w6b" => {
            let which = which.to_string();
            std::thread::Builder::new()
                .stack_size(512 << 20)
                .spawn(move || {
                    if which == "w6a" {
                        w6_steps::<w6::DsCnn, 1, 49, 10, 12>(n);
                    } else {
                        w6_steps::<w6::ResNet8, 3, 32, 32, 10>(n);
                    }
                })
                .expect("thread")
                .join()
                .expect("W6");
        }
        // W6's convolution layers alone (forward and both gradients), in GFLOP/s.
        "w6c" => {
            std::thread::Builder::new()
                .stack_size(512 << 20)
                .spawn(move || {
                    for (name, (t, macs)) in [
                        ("DS-CNN", w6::dscnn_conv_seconds(5, n)),
                        ("ResNet-8", w6::resnet8_conv_seconds(5, n)),
                    ] {
                        let mut t = t;
                        t.sort_by(f64::total_cmp);
                        let flops = 3.0 * 2.0 * macs * w6::BATCH as f64;
                        println!("{name} convolutions: {:.1} GFLOP/s", flops / t[2] / 1e9);
                    }
                })
                .expect("thread")
                .join()
                .expect("W6 convolutions");
        }
        "w3a" => {
            let data = w3_data::<64>();
            let mut net = mlp_a();
            let mut state = w3_state(&net);
            for k in 0..n {
                black_box(w3_step(&mut net, &mut state, &data, k));
            }
        }
        "w3b" => {
            let data = w3_data::<784>();
            let mut net = mlp_b();
            let mut state = w3_state(&*net);
            for k in 0..n {
                black_box(w3_step(&mut *net, &mut state, &data, k));
            }
        }
        "w5" => {
            let data = w5_data();
            let mut net = cnn1d();
            let mut state = w5_state(&net);
            for k in 0..n {
                black_box(w5_step(&mut net, &mut state, &data, k));
            }
        }
        "w4" => {
            let net = mlp_a();
            let x = w4_input();
            for _ in 0..n * 1000 {
                black_box(w4_typegrad(black_box(&net), black_box(&x)));
            }
        }
        "w4m" => {
            let net = mlp_a();
            let x = w4_input();
            for _ in 0..n * 1000 {
                black_box(Layer::predict(black_box(&net), black_box(&x)));
            }
        }
        "w4s" => {
            let net = mlp_a();
            let z = Layer::predict(&net, &w4_input());
            for _ in 0..n * 1000 {
                let y = Activation::forward(&Softmax, black_box(&z));
                black_box(y);
            }
        }
        "fwd" | "dw" => {
            // W3(b)'s two large products: layer 1 forward (128×784 · 784×32) and its weight
            // gradient (128×32 · 32×784), 6.4 MFLOP each; prints GFLOP/s.
            let mut rng = typegrad::init::Rng::new(1);
            let w = Box::new(typegrad::Matrix::<f32, 128, 784>::from_fn(|_, _| {
                rng.uniform(-1.0, 1.0)
            }));
            let x = Box::new(typegrad::Matrix::<f32, 784, 32>::from_fn(|_, _| {
                rng.uniform(-1.0, 1.0)
            }));
            let d = Box::new(typegrad::Matrix::<f32, 128, 32>::from_fn(|_, _| {
                rng.uniform(-1.0, 1.0)
            }));
            let xt = Box::new(x.transpose());
            let t = std::time::Instant::now();
            for _ in 0..n {
                if which == "fwd" {
                    black_box(black_box(&*w).matmul(black_box(&*x)));
                } else {
                    black_box(black_box(&*d).matmul(black_box(&*xt)));
                }
            }
            let s = t.elapsed().as_secs_f64();
            println!(
                "{which}: {:.1} GFLOP/s",
                2.0 * 128.0 * 784.0 * 32.0 * n as f64 / s / 1e9
            );
        }
        "shapes" => {
            // W3(a)'s products one by one (m×k·k×n), in GFLOP/s.
            fn time<const M: usize, const K: usize, const N: usize>(n: usize) {
                let mut rng = typegrad::init::Rng::new(1);
                let a = typegrad::Matrix::<f32, M, K>::from_fn(|_, _| rng.uniform(-1.0, 1.0));
                let b = typegrad::Matrix::<f32, K, N>::from_fn(|_, _| rng.uniform(-1.0, 1.0));
                let t = std::time::Instant::now();
                for _ in 0..n {
                    black_box(black_box(&a).matmul(black_box(&b)));
                }
                let s = t.elapsed().as_secs_f64();
                let flops = 2.0 * (M * K * N) as f64 * n as f64;
                println!(
                    "{M}×{K}·{K}×{N}: {:.1} GFLOP/s, {:.0} ns",
                    flops / s / 1e9,
                    s * 1e9 / n as f64
                );
            }
            time::<32, 64, 32>(n * 100);
            time::<32, 32, 64>(n * 100);
            time::<32, 32, 10>(n * 100);
            time::<10, 32, 32>(n * 100);
            time::<32, 10, 32>(n * 100);
        }
        other => {
            eprintln!(
                "unknown workload {other}: use w3a, w3b, w4, w4m, w4s, w5, w6a, w6b, fwd, dw or shapes"
            );
            std::process::exit(2);
        }
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "{which}: {n} iterations in {s:.3} s ({:.1} µs each)",
        s * 1e6 / n as f64
    );
}

/// `n` W6 steps of `Net`.
fn w6_steps<Net, const C: usize, const H: usize, const W: usize, const K: usize>(n: usize)
where
    Net: typegrad::nn::Layer<
            f32,
            In = typegrad::shape::Image<C, H, W>,
            Out = typegrad::shape::Size<K>,
        > + typegrad::nn::Parameters<f32>
        + Default,
{
    let data = w6::w6_data::<C, H, W, K>();
    let mut net = w6::w6_init::<Net>();
    let mut state = w6::w6_state(&*net);
    for k in 0..n {
        black_box(w6::w6_step(&mut *net, &mut state, &data, k));
    }
}
