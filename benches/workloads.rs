//! Criterion benchmarks of W1–W4 (`benches/WORKLOADS.md`): typegrad, nalgebra and
//! ndarray on identical seeded data. `cargo bench -p typegrad-bench --bench workloads`; for the interleaved
//! side-by-side report with ratios, run `scripts/bench_report.sh` instead.

#[path = "common/peers.rs"]
mod peers;
#[path = "common/workloads.rs"]
mod workloads;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use peers::*;
use workloads::*;

fn w1_size<const N: usize>(c: &mut Criterion) {
    let mut g = c.benchmark_group("W1 matmul");
    g.throughput(Throughput::Elements(2 * (N * N * N) as u64)); // flops
    let (a, b) = w1_inputs::<N>();
    let (na_a, na_b) = (
        Box::new(na_matrix::<N, N>(a.as_slice())),
        Box::new(na_matrix::<N, N>(b.as_slice())),
    );
    let (nd_a, nd_b) = (nd_matrix(a.as_slice(), N, N), nd_matrix(b.as_slice(), N, N));
    g.bench_function(BenchmarkId::new("typegrad", N), |bench| {
        bench.iter(|| black_box(black_box(&*a).matmul(black_box(&*b))))
    });
    g.bench_function(BenchmarkId::new("nalgebra", N), |bench| {
        bench.iter(|| black_box(black_box(&*na_a) * black_box(&*na_b)))
    });
    g.bench_function(BenchmarkId::new("ndarray", N), |bench| {
        bench.iter(|| black_box(black_box(&nd_a).dot(black_box(&nd_b))))
    });
    g.finish();
}

fn w1(c: &mut Criterion) {
    w1_size::<8>(c);
    w1_size::<16>(c);
    w1_size::<32>(c);
    w1_size::<64>(c);
    w1_size::<128>(c);
    w1_size::<256>(c);
}

fn w2(c: &mut Criterion) {
    let p = w2_inputs();
    let (na_w, na_x) = (
        na_matrix::<128, 64>(p.w.as_slice()),
        na_matrix::<64, 32>(p.x.as_slice()),
    );
    let na_b = nalgebra::SVector::<f32, 128>::from_column_slice(p.b.as_slice());
    let nd_w = nd_matrix(p.w.as_slice(), 128, 64);
    let nd_xt = nd_matrix(p.x.transpose().as_slice(), 32, 64);
    let nd_b = ndarray::Array1::from(p.b.as_slice().to_vec());
    let mut g = c.benchmark_group("W2 dense 128x64 batch 32");
    g.bench_function("typegrad", |b| {
        b.iter(|| black_box(w2_typegrad(black_box(&p))))
    });
    g.bench_function("nalgebra", |b| {
        b.iter(|| {
            let mut y = black_box(&na_w) * black_box(&na_x);
            for mut col in y.column_iter_mut() {
                col += &na_b;
            }
            y
        })
    });
    g.bench_function("ndarray", |b| {
        b.iter(|| black_box(black_box(&nd_xt).dot(&nd_w.t()) + &nd_b))
    });
    g.finish();
}

fn w3a(c: &mut Criterion) {
    let data = w3_data::<64>();
    let net = mlp_a();
    let mut g = c.benchmark_group("W3a training step 64-32-10 batch 32");
    g.throughput(Throughput::Elements(32));
    let (mut n, mut state, mut k) = (net, w3_state(&net), 0);
    g.bench_function("typegrad", |b| {
        b.iter(|| {
            k += 1;
            w3_step(&mut n, &mut state, &data, k)
        })
    });
    let mut na = NaMlpA::from_typegrad(&net);
    let na_x: Vec<_> = (0..64).map(|k| na_batch::<64>(&data.flat_x, k)).collect();
    let mut k = 0;
    g.bench_function("nalgebra", |b| {
        b.iter(|| {
            k += 1;
            na.step(
                &na_x[k % 64],
                &data.flat_labels[(k % 64) * 32..(k % 64) * 32 + 32],
                0.01,
            )
        })
    });
    let mut nd = NdMlp::from_typegrad_a(&net);
    let nd_x: Vec<_> = (0..64).map(|k| nd_batch(&data.flat_x, 64, k)).collect();
    let mut k = 0;
    g.bench_function("ndarray", |b| {
        b.iter(|| {
            k += 1;
            nd.step(
                &nd_x[k % 64],
                &data.flat_labels[(k % 64) * 32..(k % 64) * 32 + 32],
                0.01,
            )
        })
    });
    g.finish();
}

fn w4(c: &mut Criterion) {
    let net = mlp_a();
    let x = w4_input();
    let na = NaMlpA::from_typegrad(&net);
    let nd = NdMlp::from_typegrad_a(&net);
    let na_x = nalgebra::SVector::<f32, 64>::from_column_slice(x.as_slice());
    let nd_x = ndarray::Array1::from(x.as_slice().to_vec());
    let mut g = c.benchmark_group("W4 inference 64-32-10");
    g.bench_function("typegrad", |b| {
        b.iter(|| black_box(w4_typegrad(black_box(&net), black_box(&x))))
    });
    g.bench_function("nalgebra", |b| {
        b.iter(|| black_box(black_box(&na).infer(black_box(&na_x))))
    });
    g.bench_function("ndarray", |b| {
        b.iter(|| black_box(black_box(&nd).infer(black_box(&nd_x))))
    });
    g.finish();
}

criterion_group!(benches, w1, w2, w3a, w4);
criterion_main!(benches);
