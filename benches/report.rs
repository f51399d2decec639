//! One-command benchmark report: W1–W5 of `benches/WORKLOADS.md`, typegrad against
//! nalgebra and ndarray in the same run, interleaved round by round, with ratios
//! typegrad/peer (> 1 means typegrad is faster) and GFLOP/s against this machine's measured
//! single-core peak. Run through `scripts/bench_report.sh` (pins the process to one core and
//! builds both the default and the `-C target-cpu=native` variant).
//!
//! `cargo bench -p typegrad-bench --bench report -- --quick` runs fewer rounds (for a smoke test); workload
//! names (`w1 w2 w3a w3b w4 w5`) after `--` run only those.

// The AVX-512 peak probe needs Rust ≥ 1.89; only the library promises MSRV 1.85.
#![allow(clippy::incompatible_msrv)]
// The check values are written as published, with six decimals.
#![allow(clippy::excessive_precision)]

#[path = "common/peers.rs"]
mod peers;
#[path = "common/w6.rs"]
mod w6;
#[path = "common/workloads.rs"]
mod workloads;

use std::hint::black_box;
use std::time::Instant;

use peers::*;
use workloads::*;

struct Plan {
    rounds: usize,
    sample_seconds: f64,
    w3a_runs: usize,
    w3b_runs: usize,
    w3_steps: usize,
    /// W6: timed runs, and steps per run.
    w6_runs: usize,
    w6_steps: usize,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Iterations so that one sample of `f` lasts about `seconds`.
fn calibrate(f: &mut dyn FnMut(), seconds: f64) -> u64 {
    let mut iters = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        let dt = t.elapsed().as_secs_f64();
        if dt > seconds / 4.0 || iters > 1 << 30 {
            return ((iters as f64 * seconds / dt.max(1e-9)).ceil() as u64).max(1);
        }
        iters *= 4;
    }
}

/// Interleaved timing: per round, each implementation takes one sample; returns seconds per
/// call per implementation per round.
fn interleaved(plan: &Plan, impls: &mut [(&str, &mut dyn FnMut())]) -> Vec<Vec<f64>> {
    let iters: Vec<u64> = impls
        .iter_mut()
        .map(|(_, f)| calibrate(*f, plan.sample_seconds))
        .collect();
    let mut times = vec![Vec::new(); impls.len()];
    for _ in 0..plan.rounds {
        for (k, (_, f)) in impls.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..iters[k] {
                f();
            }
            times[k].push(t.elapsed().as_secs_f64() / iters[k] as f64);
        }
    }
    times
}

/// Prints one table: figure per implementation (median, min–max) and the median of the
/// per-round ratios typegrad/peer (> 1: typegrad faster). `metric` turns seconds into the
/// reported figure; `higher_is_better` says which way the ratio goes.
fn table(
    title: &str,
    unit: &str,
    names: &[&str],
    times: &[Vec<f64>],
    metric: &dyn Fn(f64) -> f64,
    peak: Option<f64>,
) {
    println!("\n#### {title}\n");
    let peak_col = if peak.is_some() { " % of peak |" } else { "" };
    println!("| implementation | {unit} (median) | min – max | typegrad / this |{peak_col}");
    println!(
        "|---|---:|---:|---:|{}",
        if peak.is_some() { "---:|" } else { "" }
    );
    let mut ranges = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let mut figures: Vec<f64> = times[k].iter().map(|&t| metric(t)).collect();
        let (lo, hi) = figures
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        let med = median(&mut figures);
        // Ratio of speeds = peer time / typegrad time, per round.
        let mut ratios: Vec<f64> = times[0]
            .iter()
            .zip(&times[k])
            .map(|(tg, p)| p / tg)
            .collect();
        let ratio = median(&mut ratios);
        if k > 0 {
            let (lo, hi) = (ratios[0], ratios[ratios.len() - 1]);
            ranges.push(format!("{name} {lo:.2}–{hi:.2}"));
        }
        let pk = peak
            .map(|p| format!(" {:.0} % |", 100.0 * med / p))
            .unwrap_or_default();
        println!(
            "| {name} | {} | {} – {} | {} |{pk}",
            fmt(med),
            fmt(lo),
            fmt(hi),
            if k == 0 {
                "—".to_string()
            } else {
                format!("{ratio:.2}")
            }
        );
    }
    // How many interleaved rounds, and the spread of the per-round ratios.
    let rounds = times.first().map_or(0, Vec::len);
    if ranges.is_empty() {
        println!("\nrounds: {rounds}");
    } else {
        println!(
            "\nrounds: {rounds}; typegrad / this over the rounds: {}",
            ranges.join(", ")
        );
    }
}

fn fmt(v: f64) -> String {
    if v >= 1000.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// Single-core f32 FMA peak in GFLOP/s: 12 independent register-resident FMA chains.
fn peak_gflops() -> (f64, &'static str) {
    #[cfg(target_arch = "x86_64")]
    {
        let iters = 50_000_000u64;
        if std::is_x86_feature_detected!("avx512f") {
            let t = Instant::now();
            // SAFETY: the CPU supports AVX-512F (checked above).
            black_box(unsafe { fma::avx512(iters) });
            return (
                2.0 * 16.0 * 12.0 * iters as f64 / t.elapsed().as_secs_f64() / 1e9,
                "AVX-512 FMA",
            );
        }
        if std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2") {
            let t = Instant::now();
            // SAFETY: the CPU supports AVX2 and FMA (checked above).
            black_box(unsafe { fma::avx2(iters) });
            return (
                2.0 * 8.0 * 12.0 * iters as f64 / t.elapsed().as_secs_f64() / 1e9,
                "AVX2 FMA",
            );
        }
    }
    (f64::NAN, "unknown")
}

#[cfg(target_arch = "x86_64")]
mod fma {
    use std::arch::x86_64::*;

    macro_rules! chains {
        ($set:ident, $fma:ident, $add:ident, $store:ident, $lanes:literal, $iters:ident) => {{
            let a = $set(0.999_9);
            let b = $set(1e-4);
            let mut c = [$set(0.0); 12];
            for _ in 0..$iters {
                c[0] = $fma(c[0], a, b);
                c[1] = $fma(c[1], a, b);
                c[2] = $fma(c[2], a, b);
                c[3] = $fma(c[3], a, b);
                c[4] = $fma(c[4], a, b);
                c[5] = $fma(c[5], a, b);
                c[6] = $fma(c[6], a, b);
                c[7] = $fma(c[7], a, b);
                c[8] = $fma(c[8], a, b);
                c[9] = $fma(c[9], a, b);
                c[10] = $fma(c[10], a, b);
                c[11] = $fma(c[11], a, b);
            }
            let mut s = c[0];
            for v in &c[1..] {
                s = $add(s, *v);
            }
            let mut out = [0.0f32; $lanes];
            // SAFETY: `out` has room for one vector.
            unsafe { $store(out.as_mut_ptr(), s) };
            out.iter().sum::<f32>()
        }};
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn avx2(iters: u64) -> f32 {
        chains!(
            _mm256_set1_ps,
            _mm256_fmadd_ps,
            _mm256_add_ps,
            _mm256_storeu_ps,
            8,
            iters
        )
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn avx512(iters: u64) -> f32 {
        chains!(
            _mm512_set1_ps,
            _mm512_fmadd_ps,
            _mm512_add_ps,
            _mm512_storeu_ps,
            16,
            iters
        )
    }
}

fn w1<const N: usize>(plan: &Plan, peak: f64) {
    let (a, b) = w1_inputs::<N>();
    let (na_a, na_b) = (
        Box::new(na_matrix::<N, N>(a.as_slice())),
        Box::new(na_matrix::<N, N>(b.as_slice())),
    );
    let (nd_a, nd_b) = (nd_matrix(a.as_slice(), N, N), nd_matrix(b.as_slice(), N, N));
    let mut out_tg = Box::new(a.matmul(&b));
    let mut out_na = Box::new(*na_a * *na_b);
    let times = interleaved(
        plan,
        &mut [
            ("typegrad", &mut || {
                *out_tg = black_box(&*a).matmul(black_box(&*b))
            }),
            ("nalgebra", &mut || {
                *out_na = black_box(&*na_a) * black_box(&*na_b)
            }),
            ("ndarray", &mut || {
                black_box(black_box(&nd_a).dot(black_box(&nd_b)));
            }),
        ],
    );
    black_box((&out_tg, &out_na));
    let flops = 2.0 * (N * N * N) as f64;
    table(
        &format!("W1 matmul N = {N}"),
        "GFLOP/s",
        &["typegrad", "nalgebra", "ndarray"],
        &times,
        &|t| flops / t / 1e9,
        Some(peak),
    );
}

fn w2(plan: &Plan) {
    let p = w2_inputs();
    let na_w = na_matrix::<128, 64>(p.w.as_slice());
    let na_x = na_matrix::<64, 32>(p.x.as_slice());
    let na_b = nalgebra::SVector::<f32, 128>::from_column_slice(p.b.as_slice());
    let nd_w = nd_matrix(p.w.as_slice(), 128, 64);
    let nd_xt = nd_matrix(p.x.transpose().as_slice(), 32, 64); // batch-major: Yᵀ = Xᵀ·Wᵀ + b
    let nd_b = ndarray::Array1::from(p.b.as_slice().to_vec());
    let check_na: f32 = {
        let mut y = na_w * na_x;
        for mut c in y.column_iter_mut() {
            c += &na_b;
        }
        y.sum()
    };
    let check_nd = (nd_xt.dot(&nd_w.t()) + &nd_b).sum();
    let check_tg = w2_typegrad(&p).sum();
    for (name, v) in [
        ("typegrad", check_tg),
        ("nalgebra", check_na),
        ("ndarray", check_nd),
    ] {
        assert!((v - -32.2118).abs() < 1e-3, "W2 check value of {name}: {v}");
    }
    let times = interleaved(
        plan,
        &mut [
            ("typegrad", &mut || {
                black_box(w2_typegrad(black_box(&p)));
            }),
            ("nalgebra", &mut || {
                let mut y = black_box(&na_w) * black_box(&na_x);
                for mut c in y.column_iter_mut() {
                    c += &na_b;
                }
                black_box(y);
            }),
            ("ndarray", &mut || {
                black_box(black_box(&nd_xt).dot(&nd_w.t()) + &nd_b);
            }),
        ],
    );
    table(
        "W2 dense layer 128×64, batch 32",
        "ns per call",
        &["typegrad", "nalgebra", "ndarray"],
        &times,
        &|t| t * 1e9,
        None,
    );
}

fn w4(plan: &Plan) {
    let net = mlp_a();
    let x = w4_input();
    let na = NaMlpA::from_typegrad(&net);
    let nd = NdMlp::from_typegrad_a(&net);
    let na_x = nalgebra::SVector::<f32, 64>::from_column_slice(x.as_slice());
    let nd_x = ndarray::Array1::from(x.as_slice().to_vec());
    let expect = [0.115092f32, 0.089422, 0.076908];
    let got = [
        w4_typegrad(&net, &x).as_slice()[..3].to_vec(),
        na.infer(&na_x).as_slice()[..3].to_vec(),
        nd.infer(&nd_x).to_vec()[..3].to_vec(),
    ];
    for g in &got {
        for (a, b) in g.iter().zip(expect) {
            assert!((a - b).abs() < 1e-5, "W4 check values: {g:?}");
        }
    }
    let times = interleaved(
        plan,
        &mut [
            ("typegrad", &mut || {
                black_box(w4_typegrad(black_box(&net), black_box(&x)));
            }),
            ("nalgebra", &mut || {
                black_box(black_box(&na).infer(black_box(&na_x)));
            }),
            ("ndarray", &mut || {
                black_box(black_box(&nd).infer(black_box(&nd_x)));
            }),
        ],
    );
    table(
        "W4 single-sample inference 64-32-10 (softmax output)",
        "ns per call",
        &["typegrad", "nalgebra", "ndarray"],
        &times,
        &|t| t * 1e9,
        None,
    );
}

/// W3: each sample is a run of `steps` consecutive SGD steps on one continuously trained model.
fn w3_table(
    title: &str,
    runs: usize,
    steps: usize,
    impls: &mut [(&str, &mut dyn FnMut(usize) -> f32)],
) {
    let times = step_times(runs, steps, impls);
    let names: Vec<&str> = impls.iter().map(|(n, _)| *n).collect();
    table(title, "samples/s", &names, &times, &|t| 32.0 / t, None);
}

/// Seconds per step of each implementation: `runs` interleaved runs of `steps` steps each,
/// after 100 warm-up steps.
fn step_times(
    runs: usize,
    steps: usize,
    impls: &mut [(&str, &mut dyn FnMut(usize) -> f32)],
) -> Vec<Vec<f64>> {
    for (_, f) in impls.iter_mut() {
        for k in 0..100 {
            f(k);
        } // warm-up
    }
    let mut times = vec![Vec::new(); impls.len()];
    let mut k0 = 100;
    for _ in 0..runs {
        for (i, (_, f)) in impls.iter_mut().enumerate() {
            let t = Instant::now();
            for k in k0..k0 + steps {
                black_box(f(k));
            }
            times[i].push(t.elapsed().as_secs_f64() / steps as f64);
        }
        k0 += steps;
    }
    times
}

fn check_w3(name: &str, first: f32, twentieth: f32, expect: (f32, f32)) {
    assert!(
        (first - expect.0).abs() < 1e-4 && (twentieth - expect.1).abs() < 1e-4,
        "W3 check values of {name}: {first} → {twentieth}, expected {expect:?}"
    );
}

fn w3a(plan: &Plan) {
    let data = w3_data::<64>();
    let net0 = mlp_a();
    let na0 = NaMlpA::from_typegrad(&net0);
    let nd0 = NdMlp::from_typegrad_a(&net0);
    let na_x: Vec<_> = (0..64).map(|k| na_batch::<64>(&data.flat_x, k)).collect();
    let nd_x: Vec<_> = (0..64).map(|k| nd_batch(&data.flat_x, 64, k)).collect();
    let labels = |k: usize| &data.flat_labels[(k % 64) * 32..(k % 64) * 32 + 32];
    // Check values: loss of steps 1 and 20.
    {
        let (mut n, mut st) = (net0, w3_state(&net0));
        let (mut na, mut nd) = (na0.clone(), nd0.clone());
        let l: Vec<[f32; 3]> = (0..20)
            .map(|k| {
                [
                    w3_step(&mut n, &mut st, &data, k),
                    na.step(&na_x[k % 64], labels(k), 0.01),
                    nd.step(&nd_x[k % 64], labels(k), 0.01),
                ]
            })
            .collect();
        for (i, name) in ["typegrad", "nalgebra", "ndarray"].iter().enumerate() {
            check_w3(name, l[0][i], l[19][i], (2.275840, 2.352347));
        }
    }
    let (mut n, mut st) = (net0, w3_state(&net0));
    let (mut na, mut nd) = (na0, nd0);
    w3_table(
        "W3(a) training step 64-32-10, batch 32",
        plan.w3a_runs,
        plan.w3_steps,
        &mut [
            ("typegrad", &mut |k| w3_step(&mut n, &mut st, &data, k)),
            ("nalgebra", &mut |k| na.step(&na_x[k % 64], labels(k), 0.01)),
            ("ndarray", &mut |k| nd.step(&nd_x[k % 64], labels(k), 0.01)),
        ],
    );
}

fn w3b(plan: &Plan) {
    let data = w3_data::<784>();
    let net0 = mlp_b();
    let na0 = Box::new(NaMlpB::from_typegrad(&net0));
    let nd0 = NdMlp::from_typegrad_b(&net0);
    let na_x: Vec<_> = (0..64)
        .map(|k| Box::new(na_batch::<784>(&data.flat_x, k)))
        .collect();
    let nd_x: Vec<_> = (0..64).map(|k| nd_batch(&data.flat_x, 784, k)).collect();
    let labels = |k: usize| &data.flat_labels[(k % 64) * 32..(k % 64) * 32 + 32];
    {
        let (mut n, mut st) = (net0.clone(), w3_state(&*net0));
        let (mut na, mut nd) = (na0.clone(), nd0.clone());
        let l: Vec<[f32; 3]> = (0..20)
            .map(|k| {
                [
                    w3_step(&mut *n, &mut st, &data, k),
                    na.step(&na_x[k % 64], labels(k), 0.01),
                    nd.step(&nd_x[k % 64], labels(k), 0.01),
                ]
            })
            .collect();
        for (i, name) in ["typegrad", "nalgebra", "ndarray"].iter().enumerate() {
            check_w3(name, l[0][i], l[19][i], (2.325436, 2.284795));
        }
    }
    let (mut n, mut st) = (net0.clone(), w3_state(&*net0));
    let (mut na, mut nd) = (na0, nd0);
    w3_table(
        "W3(b) training step 784-128-64-10, batch 32",
        plan.w3b_runs,
        plan.w3_steps,
        &mut [
            ("typegrad", &mut |k| w3_step(&mut *n, &mut st, &data, k)),
            ("nalgebra", &mut |k| na.step(&na_x[k % 64], labels(k), 0.01)),
            ("ndarray", &mut |k| nd.step(&nd_x[k % 64], labels(k), 0.01)),
        ],
    );
}

/// W5: the 1-D CNN training step (batch 16), typegrad against ndarray (im2col + `dot`):
/// samples/s, and GFLOP/s counting the convolution's forward and weight-gradient products.
fn w5(plan: &Plan, peak: f64) {
    let data = w5_data();
    let net0 = cnn1d();
    let nd0 = NdCnn1d::from_typegrad(&net0);
    let x = |k: usize| &data.flat_x[(k % 4) * 16 * 600..(k % 4 + 1) * 16 * 600];
    let labels = |k: usize| &data.flat_labels[(k % 4) * 16..(k % 4) * 16 + 16];
    {
        let (mut n, mut st, mut nd) = (net0, w5_state(&net0), nd0.clone());
        let l: Vec<[f32; 2]> = (0..20)
            .map(|k| {
                [
                    w5_step(&mut n, &mut st, &data, k),
                    nd.step(x(k), labels(k), 0.01),
                ]
            })
            .collect();
        for (i, name) in ["typegrad", "ndarray"].iter().enumerate() {
            check_w3(name, l[0][i], l[19][i], (1.426340, 1.407482));
        }
    }
    let (mut n, mut st, mut nd) = (net0, w5_state(&net0), nd0);
    let times = step_times(
        plan.w3a_runs,
        plan.w3_steps,
        &mut [
            ("typegrad", &mut |k| w5_step(&mut n, &mut st, &data, k)),
            ("ndarray", &mut |k| nd.step(x(k), labels(k), 0.01)),
        ],
    );
    let names = ["typegrad", "ndarray"];
    let title =
        "W5 1-D CNN training step (Conv1d 6→16 k5, ReLU, global average, Linear 16→4), batch 16";
    table(title, "samples/s", &names, &times, &|t| 16.0 / t, None);
    let flops = 2.0 * (2.0 * 16.0 * 16.0 * 96.0 * 6.0 * 5.0);
    table(
        "W5 convolution products (forward and weight gradient, 2,949,120 flops per step)",
        "GFLOP/s",
        &names,
        &times,
        &|t| flops / t / 1e9,
        Some(peak),
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let plan = if quick {
        Plan {
            rounds: 3,
            sample_seconds: 0.005,
            w3a_runs: 2,
            w3b_runs: 1,
            w3_steps: 50,
            w6_runs: 1,
            w6_steps: 3,
        }
    } else {
        Plan {
            rounds: 11,
            sample_seconds: 0.040,
            w3a_runs: 9,
            w3b_runs: 5,
            w3_steps: 2000,
            w6_runs: 5,
            w6_steps: 20,
        }
    };
    let native = cfg!(target_feature = "avx2") && cfg!(target_feature = "fma");
    let (peak, kind) = peak_gflops();
    println!(
        "### typegrad benchmark report{}",
        if quick {
            " (quick smoke run, not for publishing)"
        } else {
            ""
        }
    );
    println!(
        "\nbuild: {}{}; single-core f32 peak measured: {peak:.1} GFLOP/s ({kind}, 12 FMA chains)",
        if native {
            "-C target-cpu=native (AVX2+FMA code)"
        } else {
            "default x86-64 target"
        },
        if cfg!(feature = "fma") {
            ", typegrad's `fma` feature (fused multiply-add in the f32 matrix products)"
        } else {
            ""
        }
    );
    println!(
        "ratio column: median over rounds of (peer time / typegrad time); > 1 means typegrad is faster"
    );
    // Workload names given on the command line (`w1 w2 w3a w3b w4`) select a subset.
    let chosen: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a.starts_with('w'))
        .collect();
    let run = |name: &str| chosen.is_empty() || chosen.iter().any(|c| c == name);
    if run("w1") {
        w1::<8>(&plan, peak);
        w1::<16>(&plan, peak);
        w1::<32>(&plan, peak);
        w1::<64>(&plan, peak);
        w1::<128>(&plan, peak);
        w1::<256>(&plan, peak);
    }
    if run("w2") {
        w2(&plan);
    }
    if run("w4") {
        w4(&plan);
    }
    if run("w3a") {
        w3a(&plan);
    }
    if run("w5") {
        w5(&plan, peak);
    }
    // W3(b) keeps ~2 MB of matrices on the stack, W6 tens of megabytes of activations:
    // threads with room for them.
    let on_big_stack = |name: &str, f: &(dyn Fn() + Sync)| {
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(512 << 20)
                .spawn_scoped(s, f)
                .expect("thread")
                .join()
                .unwrap_or_else(|_| panic!("{name}"));
        })
    };
    if run("w3b") {
        on_big_stack("W3(b)", &|| w3b(&plan));
    }
    if run("w6") {
        on_big_stack("W6", &|| w6_all(&plan, peak));
    }
}

/// W6: MLPerf Tiny's DS-CNN and ResNet-8, one SGD step at batch 32 (typegrad; JAX in
/// `benches/jax_w6.py`): samples/s, and GFLOP/s counting 3 × 2 flops per forward
/// multiply-add (the forward, weight-gradient and input-gradient products).
fn w6_all(plan: &Plan, peak: f64) {
    use w6::*;
    let (runs, steps) = (plan.w6_runs, plan.w6_steps);
    w6_model::<DsCnn, 1, 49, 10, 12>(
        "W6(a) DS-CNN training step (1 × 49 × 10 → 12), batch 32",
        (W6_CHECK_DSCNN, DSCNN_MACS),
        (runs, steps, peak),
    );
    w6_model::<ResNet8, 3, 32, 32, 10>(
        "W6(b) ResNet-8 training step (3 × 32 × 32 → 10), batch 32",
        (W6_CHECK_RESNET8, RESNET8_MACS),
        (runs, steps, peak),
    );
    // The convolution layers alone, each timed on its own (forward and both gradients at
    // batch 32), summed over the model's layers: the products' own rate, without the
    // activations, pooling, loss and update of the step.
    let reps = plan.w6_steps.max(2) * 2;
    for (title, (times, macs)) in [
        ("W6(a) DS-CNN", dscnn_conv_seconds(runs, reps)),
        ("W6(b) ResNet-8", resnet8_conv_seconds(runs, reps)),
    ] {
        let flops = 3.0 * 2.0 * macs * BATCH as f64;
        table(
            &format!(
                "{title}: its convolution layers alone (forward and both gradients, each layer \
                 timed on its own, batch 32; 3 × 2 flops per multiply-add)"
            ),
            "GFLOP/s",
            &["typegrad"],
            &[times],
            &|t| flops / t / 1e9,
            Some(peak),
        );
    }
}

/// W6(a) check values: the losses of steps 1 and 20 from the initial parameters (JAX's
/// `benches/jax_w6.py`: 2.500734, 2.497656).
const W6_CHECK_DSCNN: (f32, f32) = (2.500733, 2.497657);
/// W6(b) check values (JAX: the same to six decimals).
const W6_CHECK_RESNET8: (f32, f32) = (2.320871, 2.304949);

fn w6_model<Net, const C: usize, const H: usize, const W: usize, const K: usize>(
    title: &str,
    (check, macs): ((f32, f32), f64),
    (runs, steps, peak): (usize, usize, f64),
) where
    Net: typegrad::nn::Layer<
            f32,
            In = typegrad::shape::Image<C, H, W>,
            Out = typegrad::shape::Size<K>,
        > + typegrad::nn::Parameters<f32>
        + Default
        + Clone,
{
    use w6::*;
    let data = w6_data::<C, H, W, K>();
    let net0 = w6_init::<Net>();
    {
        let (mut n, mut st) = (net0.clone(), w6_state(&*net0));
        let l: Vec<f32> = (0..20)
            .map(|k| w6_step(&mut *n, &mut st, &data, k))
            .collect();
        println!(
            "\n{title}: check: loss step 1 {:.6}, step 20 {:.6}",
            l[0], l[19]
        );
        check_w3(title, l[0], l[19], check);
    }
    let (mut n, mut st) = (net0.clone(), w6_state(&*net0));
    for k in 0..5 {
        w6_step(&mut *n, &mut st, &data, k); // warm-up
    }
    let mut times = vec![Vec::new()];
    let mut k0 = 5;
    for _ in 0..runs {
        let t = Instant::now();
        for k in k0..k0 + steps {
            black_box(w6_step(&mut *n, &mut st, &data, k));
        }
        times[0].push(t.elapsed().as_secs_f64() / steps as f64);
        k0 += steps;
    }
    let batch = BATCH as f64;
    table(
        title,
        "samples/s",
        &["typegrad"],
        &times,
        &|t| batch / t,
        None,
    );
    let flops = 3.0 * 2.0 * macs * batch;
    table(
        &format!("{title}: products (3 × 2 flops per forward multiply-add)"),
        "GFLOP/s",
        &["typegrad"],
        &times,
        &|t| flops / t / 1e9,
        Some(peak),
    );
}
