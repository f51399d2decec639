//! The dispatched kernels against the portable ones, bit for bit, and what the entry points
//! promise. With the `simd-dispatch` feature on an x86-64 CPU with AVX2 (and always under
//! `-C target-feature=+avx2`, as CI runs miri: `cargo +nightly miri test --lib -- kernels::`)
//! the entry points run the AVX2 code; elsewhere these compare the portable code with itself
//! and still check the promises.

use super::*;

/// `true` when the entry points run the AVX2 kernels in this test run.
fn dispatched() -> bool {
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64"))]
    return avx2().is_some();
    #[cfg(not(all(feature = "simd-dispatch", target_arch = "x86_64")))]
    false
}

fn bits<const N: usize>(xs: [f32; N]) -> [u32; N] {
    xs.map(f32::to_bits)
}

/// Runs `checks`, and on a CPU with AVX-512 once more with the AVX2 kernels (miri runs those
/// in a build for AVX2 alone). One at a time: the switch is global.
fn in_every_build(checks: fn()) {
    #[cfg(all(feature = "simd-dispatch", target_arch = "x86_64", not(miri)))]
    {
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        checks();
        if x86::avx512() {
            x86::AVOID_AVX512.store(true, core::sync::atomic::Ordering::Relaxed);
            let result = std::panic::catch_unwind(checks);
            x86::AVOID_AVX512.store(false, core::sync::atomic::Ordering::Relaxed);
            if let Err(panic) = result {
                std::panic::resume_unwind(panic);
            }
        }
    }
    #[cfg(not(all(feature = "simd-dispatch", target_arch = "x86_64", not(miri))))]
    checks();
}

/// Built with AVX2 enabled (as CI does under miri), the AVX2 paths must be the ones tested.
#[test]
fn a_build_for_avx2_runs_the_avx2_kernels() {
    if cfg!(all(
        feature = "simd-dispatch",
        target_arch = "x86_64",
        target_feature = "avx2"
    )) {
        assert!(dispatched());
    }
}

/// Built with AVX-512F enabled (as CI does under miri) by Rust ≥ 1.89, the AVX-512 product
/// must be the one tested.
#[test]
fn a_build_for_avx512_runs_the_avx512_kernels() {
    #[cfg(all(
        feature = "simd-dispatch",
        target_arch = "x86_64",
        target_feature = "avx512f",
        typegrad_avx512
    ))]
    assert!(x86::avx512());
}

/// The matrix product (AVX2 build, 16-column blocks; the packed AVX2 and, where the CPU has
/// it, AVX-512 kernels) gives the portable kernel's bits.
#[test]
fn matmul_equals_the_portable_kernel() {
    in_every_build(matmul_checks);
}

/// The products of [`matmul_equals_the_portable_kernel`].
fn matmul_checks() {
    /// Returns how many results differ in their bits (only allowed when fused).
    fn check<const R: usize, const K: usize, const N: usize>() -> usize {
        let a: [[f32; K]; R] = core::array::from_fn(|i| {
            core::array::from_fn(|k| ((i * 7 + k * 3) % 11) as f32 * 0.37 - 1.5)
        });
        let b: [[f32; N]; K] = core::array::from_fn(|k| {
            core::array::from_fn(|j| ((k * 5 + j * 2) % 13) as f32 * 0.21 - 1.1)
        });
        let mut differing = 0;
        let mut portable = [[0.25f32; N]; R];
        portable::matmul::<f32, K, N, true>(&mut portable, &a, &b);
        let mut dispatched = [[0.25f32; N]; R];
        matmul_add(&mut dispatched, &a, &b);
        // Overwriting instead of adding (old contents NaN: they must not leak).
        let mut portable_set = [[0.0f32; N]; R];
        portable::matmul::<f32, K, N, false>(&mut portable_set, &a, &b);
        let mut dispatched_set = [[f32::NAN; N]; R];
        matmul_set(&mut dispatched_set, &a, &b);
        let pairs = portable.iter().zip(&dispatched);
        for (p, d) in pairs.chain(portable_set.iter().zip(&dispatched_set)) {
            if fused_products() {
                // One rounding per step instead of two: close, not equal.
                for (x, y) in p.iter().zip(d) {
                    approx::assert_relative_eq!(x, y, epsilon = 1e-4, max_relative = 1e-5);
                    differing += usize::from(x.to_bits() != y.to_bits());
                }
            } else {
                assert_eq!(bits(*p), bits(*d), "{R}×{K}×{N}");
            }
        }
        differing
    }
    check::<9, 5, 37>();
    check::<16, 16, 16>();
    check::<3, 2, 1>();
    // Column panels and a padded tail (b is 16 × 520 f32, just over 32 KiB); under miri one
    // row of it (the same panels, a fifth of the time).
    #[cfg(not(miri))]
    check::<5, 16, 520>();
    #[cfg(miri)]
    check::<1, 16, 520>();
    // The packed kernel (≥ 8 rows): blocks of 5 rows (6 fused) with 1, 2 and 4 left over,
    // panels cut at 13, 3 and 1 columns, K = 1; natively also K = 1024 (the largest panel)
    // and K too large to pack (too slow for miri: 4 minutes).
    let mut differing =
        check::<19, 7, 45>() + check::<8, 1, 3>() + check::<13, 33, 16>() + check::<11, 40, 17>();
    // AVX-512 (≥ 32 columns): blocks of 12 rows with 8, 4, 2 and 1 left over, a panel cut
    // at 1 column, K = 1024 (its largest panel) and K = 1025 (no packed kernel then).
    differing += check::<27, 9, 64>() + check::<23, 3, 33>() + check::<8, 2, 96>();
    #[cfg(not(miri))]
    {
        differing += check::<9, 1024, 40>() + check::<12, 1025, 32>();
    }
    #[cfg(not(miri))]
    {
        differing += check::<10, 1024, 17>() + check::<8, 1025, 9>();
    }
    // Fused, the packed kernel really ran: some sums round differently.
    assert_eq!(
        differing > 0,
        fused_products(),
        "{differing} differing sums"
    );
}

/// `true` when the dispatched `f32` matrix products fuse multiply and add (feature `fma`,
/// CPU with AVX2 and FMA): their results are then close to the portable ones, not equal.
fn fused_products() -> bool {
    #[cfg(all(feature = "fma", target_arch = "x86_64"))]
    return dispatched() && std::is_x86_feature_detected!("fma");
    #[cfg(not(all(feature = "fma", target_arch = "x86_64")))]
    false
}

/// The matrix–vector product (explicit AVX2 and AVX-512 kernels for `f32`) gives the portable
/// bits, with and without a bias, on full blocks of rows and columns and every kind of
/// leftover.
#[test]
fn matvec_rows_equals_the_portable_kernel() {
    in_every_build(matvec_checks);
}

/// The products of [`matvec_rows_equals_the_portable_kernel`].
fn matvec_checks() {
    fn check<const R: usize, const C: usize>() {
        let rows: [[f32; C]; R] = core::array::from_fn(|i| {
            core::array::from_fn(|j| ((i * 5 + j * 3) % 17) as f32 * 0.31 - 2.0)
        });
        let x: [f32; C] = core::array::from_fn(|j| (j % 7) as f32 * 0.7 - 1.9);
        let bias: [f32; R] = core::array::from_fn(|r| r as f32 * 0.37 - 3.0);
        for b in [None, Some(&bias)] {
            let (mut fast, mut plain) = ([0.0f32; R], [0.0f32; R]);
            matvec_rows(&rows, &x, b, &mut fast);
            portable::matvec_rows(&rows, &x, b, &mut plain);
            assert_eq!(bits(fast), bits(plain), "{R}×{C}, bias {}", b.is_some());
        }
    }
    check::<19, 37>();
    check::<8, 16>();
    check::<3, 5>();
    check::<16, 8>();
    // AVX-512 blocks of sixteen rows: whole, overlapping at the end, fewer than sixteen;
    // whole chunks of sixteen columns and leftovers on both sides of eight.
    check::<32, 64>();
    check::<10, 32>();
    check::<17, 33>();
    check::<40, 100>();
    check::<5, 20>();
    check::<16, 16>();
    // Signed zeros: every product ±0 (rows of negative weights times +0 give −0 only), with no
    // bias, a −0 bias, a +0 bias and a mixed one. The portable sums start at +0, which
    // decides the sign of a zero result.
    fn zeros<const R: usize, const C: usize>() {
        let rows: [[f32; C]; R] = core::array::from_fn(|i| {
            core::array::from_fn(|j| match i % 3 {
                0 => -1.0,
                1 => [-2.0, 3.0, -0.0, 0.0][j % 4],
                _ => 0.5,
            })
        });
        for x in [
            [0.0f32; C],
            core::array::from_fn(|j| if j % 3 == 0 { -0.0 } else { 0.0 }),
        ] {
            let mixed: [f32; R] = core::array::from_fn(|r| [-0.0, 0.0, 1.0][r % 3]);
            for b in [None, Some([-0.0; R]), Some([0.0; R]), Some(mixed)] {
                let (mut fast, mut plain) = ([0.0f32; R], [0.0f32; R]);
                matvec_rows(&rows, &x, b.as_ref(), &mut fast);
                portable::matvec_rows(&rows, &x, b.as_ref(), &mut plain);
                assert_eq!(bits(fast), bits(plain), "zeros {R}×{C}, bias {b:?}");
            }
        }
    }
    zeros::<32, 64>();
    zeros::<10, 32>();
    zeros::<17, 33>();
    zeros::<5, 7>();
    // f64 has no explicit kernel: the portable code runs.
    let rows = [[1.5f64, -2.0, 0.25], [3.0, 0.5, -1.0]];
    let mut out = [0.0; 2];
    matvec_rows(&rows, &[2.0, 1.0, 4.0], Some(&[0.5, -0.5]), &mut out);
    assert_eq!(out, [2.5, 2.0]);
}

/// The plane sums (AVX2: eight planes transposed into the lanes) give the portable bits: whole
/// and partial groups of planes, plane lengths below, at and past multiples of eight, values
/// whose sum depends on the order, and an empty plane length.
#[test]
fn plane_sums_equal_the_portable_loop() {
    for (planes, n) in [(16, 96), (9, 13), (8, 8), (3, 5), (17, 1), (8, 125)] {
        let x: std::vec::Vec<f32> = (0..planes * n)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) * if i % 3 == 0 { 1.0e7 } else { 0.013 })
            .collect();
        let (mut fast, mut plain) = (std::vec![0.0f32; planes], std::vec![0.0f32; planes]);
        plane_sums(&x, n, &mut fast);
        portable::plane_sums(&x, n, &mut plain);
        let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<std::vec::Vec<_>>();
        assert_eq!(bits(&fast), bits(&plain), "{planes} planes of {n}");
        for (c, &s) in plain.iter().enumerate() {
            let want = x[c * n..][..n].iter().fold(0.0f32, |a, &v| a + v);
            assert_eq!(s.to_bits(), want.to_bits());
        }
    }
    let mut sums = [1.0f32; 3];
    plane_sums(&[1.0f32, 2.0], 0, &mut sums);
    assert_eq!(sums, [0.0; 3]);
}

/// The transpose moves every element (AVX2 tiles, and every kind of edge), for `f32` and for
/// a type without an AVX2 kernel.
#[test]
fn transpose_moves_every_element() {
    fn check<const R: usize, const C: usize>() {
        let src: [[f32; C]; R] =
            core::array::from_fn(|i| core::array::from_fn(|j| (i * 1000 + j) as f32));
        let mut dst = [[0.0f32; R]; C];
        transpose(&src, &mut dst);
        for i in 0..R {
            for j in 0..C {
                assert_eq!(dst[j][i], src[i][j], "({i}, {j}) of {R}×{C}");
            }
        }
    }
    check::<13, 21>();
    check::<16, 8>();
    check::<8, 16>();
    check::<3, 5>();
    check::<24, 40>();
    let src: [[i32; 21]; 13] =
        core::array::from_fn(|i| core::array::from_fn(|j| (i * 100 + j) as i32));
    let mut dst = [[0; 13]; 21];
    transpose(&src, &mut dst);
    for i in 0..13 {
        for j in 0..21 {
            assert_eq!(dst[j][i], src[i][j]);
        }
    }
}

#[test]
fn all_finite_finds_any_nan_or_infinity() {
    in_every_build(|| {
        let mut xs = [1.0e30f32; 19];
        assert!(all_finite(&xs));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for i in [0, 7, 8, 18] {
                let old = xs[i];
                xs[i] = bad;
                assert!(!all_finite(&xs), "{bad} at {i}");
                assert!(!portable::all_finite(&xs), "{bad} at {i}");
                xs[i] = old;
            }
        }
        assert!(all_finite::<f64>(&[]));
        assert!(!all_finite(&[0.5f64, f64::NAN]));
    });
}

/// The SGD update `w − η·g` (AVX2 build) gives the portable bits, signed zeros, subnormals and
/// an overflow to ±∞ included, over full vectors and a remainder.
#[test]
fn sub_scaled_equals_the_portable_kernel() {
    in_every_build(|| {
        let w: [f32; 21] = core::array::from_fn(|i| match i % 7 {
            0 => 0.0,
            1 => -0.0,
            2 => 1.0e-42,
            3 => 3.0e38,
            _ => i as f32 * 0.37 - 3.0,
        });
        let g: [f32; 21] = core::array::from_fn(|i| match i % 5 {
            0 => -0.0,
            1 => 0.0,
            2 => -1.0e38,
            _ => (i as f32 * 1.3).sin(),
        });
        for eta in [0.3f32, 1.0, 0.0, -0.0] {
            let (mut fast, mut plain) = (w, w);
            sub_scaled(&mut fast, &g, eta);
            portable::sub_scaled(&mut plain, &g, eta);
            assert_eq!(bits(fast), bits(plain), "η = {eta}");
            assert_eq!(
                sub_scaled_is_finite(&w, &g, eta),
                portable::sub_scaled_is_finite(&w, &g, eta),
                "η = {eta}"
            );
        }
        // f64, and the common length of slices of different lengths.
        let mut w = [1.0f64, 2.0, 3.0];
        sub_scaled(&mut w, &[0.5, 0.25], 2.0);
        assert_eq!(w, [0.0, 1.5, 3.0]);
    });
}

/// The check before an update and the portable loop agree, and both see an overflow of
/// `w − η·g` (finite inputs) as well as a NaN or ±∞ in either operand, at every position
/// around the vector lengths.
#[test]
fn sub_scaled_is_finite_finds_every_non_finite_result() {
    in_every_build(|| {
        let w = [3.0e38f32; 19];
        let g = [1.0f32; 19];
        assert!(sub_scaled_is_finite(&w, &g, 0.5));
        for i in [0, 7, 8, 15, 18] {
            let mut g2 = g;
            g2[i] = -1.0e38; // 3e38 − η·(−1e38) overflows for η = 1 and for η = 0.5
            for eta in [1.0f32, 0.5] {
                let want = portable::sub_scaled_is_finite(&w, &g2, eta);
                assert_eq!(sub_scaled_is_finite(&w, &g2, eta), want, "{i} {eta}");
                assert!(!want, "{i} {eta}");
            }
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                let mut g3 = g;
                g3[i] = bad;
                assert!(!sub_scaled_is_finite(&w, &g3, 0.5), "g {bad} at {i}");
                let mut w3 = w;
                w3[i] = bad;
                assert!(!sub_scaled_is_finite(&w3, &g, 0.5), "w {bad} at {i}");
            }
        }
        assert!(sub_scaled_is_finite::<f64>(&[], &[], 1.0));
    });
}

/// The largest magnitude, and `+∞` for a NaN or ±∞ anywhere (chunks and remainder), in the
/// dispatched and the portable kernel alike.
#[test]
fn max_abs_sees_every_value() {
    fn both<T: Real>(xs: &[T]) -> T {
        let (fast, plain) = (max_abs(xs), portable::max_abs(xs));
        assert!(fast == plain || (fast.is_nan() && plain.is_nan()));
        fast
    }
    let mut xs: [f32; 19] = core::array::from_fn(|i| i as f32 * 0.5 - 4.0);
    assert_eq!(both(&xs), 5.0);
    // Under miri (slow: about half a second a call here), the first lane, the second vector
    // and the tail, with one NaN and one infinity.
    let (positions, bads): (&[usize], &[f32]) = if cfg!(miri) {
        (&[0, 8, 18], &[f32::NAN, f32::NEG_INFINITY])
    } else {
        (
            &[0, 7, 8, 15, 16, 18],
            &[f32::NAN, -f32::NAN, f32::INFINITY, f32::NEG_INFINITY],
        )
    };
    for &i in positions {
        let old = xs[i];
        xs[i] = -7.5;
        assert_eq!(both(&xs), 7.5, "at {i}");
        for &bad in bads {
            xs[i] = bad;
            assert_eq!(both(&xs), f32::INFINITY, "{bad} at {i}");
            assert_eq!(both(&xs[..=i]), f32::INFINITY, "{bad} last of {}", i + 1);
        }
        xs[i] = old;
    }
    // The extremes of the finite range stay finite; zeros of either sign give +0.
    assert_eq!(both(&[f32::MIN, 1.0, -0.0]), f32::MAX);
    assert_eq!(both(&[-0.0f32; 11]).to_bits(), 0.0f32.to_bits());
    assert_eq!(both::<f64>(&[]), 0.0);
    let ys: [f64; 9] = core::array::from_fn(|i| (i as f64 - 6.0) * 1.5);
    assert_eq!(both(&ys), 9.0);
    assert_eq!(both(&[1.0, f64::NAN, 2.0]), f64::INFINITY);
    // Every length up to 40 (the 16-value blocks of the f32 kernel and every remainder), the
    // largest value and a non-finite one at every position.
    // (Under miri, the lengths around the block edges and three positions in each.)
    let xs: [f32; 40] = core::array::from_fn(|i| ((i * 13) % 17) as f32 * 0.25 - 2.0);
    let lengths: std::vec::Vec<usize> = if cfg!(miri) {
        std::vec![0, 1, 15, 16, 17, 33, 40]
    } else {
        (0..=40).collect()
    };
    for len in lengths {
        let s = &xs[..len];
        let want = s.iter().fold(0.0f32, |m, &x| m.max(x.abs()));
        assert_eq!(both(s), want, "length {len}");
        let positions: std::vec::Vec<usize> = if cfg!(miri) {
            let mut p = std::vec![0, len / 2, len.saturating_sub(1)];
            p.dedup();
            p.retain(|&i| i < len);
            p
        } else {
            (0..len).collect()
        };
        for i in positions {
            let mut v = xs;
            v[i] = -1.0e30;
            assert_eq!(both(&v[..len]), 1.0e30, "{i} of {len}");
            v[i] = f32::from_bits(0x7F80_0001); // a signalling NaN, just above +∞'s bits
            assert_eq!(both(&v[..len]), f32::INFINITY, "{i} of {len}");
            v[i] = -f32::from_bits(1); // the smallest subnormal
            let want = v[..len].iter().fold(0.0f32, |m, &x| m.max(x.abs()));
            assert_eq!(both(&v[..len]).to_bits(), want.to_bits(), "{i} of {len}");
        }
    }
}

/// `exp_in_place` gives [`exp::exp_f32`]'s bits element by element (a batch's worth of
/// logits, as the batch softmax cross-entropy exponentiates them all at once: every full
/// vector and a remainder), and other types their own `exp`.
#[test]
fn exp_in_place_equals_exp_per_element() {
    in_every_build(|| {
        let mut xs: [f32; 19] = core::array::from_fn(|i| i as f32 * 1.7 - 15.0);
        let want = xs.map(exp::exp_f32);
        exp_in_place(&mut xs);
        assert_eq!(bits(xs), bits(want));
        // Five samples of ten logits, each shifted by its row's maximum (the batch cross-entropy):
        // the 50 values at once give the bits of each row on its own, and of the portable loop.
        let z: [[f32; 10]; 5] = core::array::from_fn(|s| {
            core::array::from_fn(|i| ((s * 7 + i * 3) % 11) as f32 * 0.9 - 4.0)
        });
        let mut batch = z.map(|row| {
            let m = row.iter().fold(f32::NEG_INFINITY, |m, &v| larger(m, v));
            row.map(|v| v - m)
        });
        let mut rows = batch;
        exp_in_place(batch.as_flattened_mut());
        for row in &mut rows {
            exp::exp_chunks(row);
        }
        for (b, r) in batch.iter().zip(&rows) {
            assert_eq!(bits(*b), bits(*r));
            assert_eq!(portable::sum(b).to_bits(), portable::sum(r).to_bits());
        }
        // (Miri perturbs `f64::exp` on purpose, so two calls differ there.)
        if !cfg!(miri) {
            let mut ys: [f64; 3] = [-1.0, 0.0, 2.5];
            exp_in_place(&mut ys);
            assert_eq!(ys, [(-1.0f64).exp(), 1.0, 2.5f64.exp()]);
        }
    });
}

/// The dispatched softmax (AVX2 or AVX-512 code for `f32`) gives the portable code's bits,
/// padded (`N ≤ 16`) and not, with huge and NaN inputs; `f64` runs the portable code.
#[test]
fn softmax_equals_the_portable_code() {
    in_every_build(softmax_checks);
}

/// The softmaxes of [`softmax_equals_the_portable_code`].
fn softmax_checks() {
    fn check<const N: usize>(x: [f32; N]) -> [f32; N] {
        let (mut fast, mut plain) = ([0.0; N], [0.0; N]);
        softmax(&x, &mut fast);
        exp::softmax(&x, &mut plain);
        // (A NaN's sign and payload are not specified: Miri picks them at random.)
        let nan_as_one = |v: [f32; N]| bits(v.map(|v| if v.is_nan() { f32::NAN } else { v }));
        assert_eq!(nan_as_one(fast), nan_as_one(plain), "{x:?}");
        fast
    }
    let y = check::<19>(core::array::from_fn(|i| (i as f32 * 2.3).sin() * 7.0));
    approx::assert_relative_eq!(y.iter().sum::<f32>(), 1.0, max_relative = 1e-6);
    let y = check::<10>(core::array::from_fn(|i| i as f32 * 0.5 - 2.0));
    approx::assert_relative_eq!(y.iter().sum::<f32>(), 1.0, max_relative = 1e-6);
    assert_eq!(check([1e4f32, -1e4, 1e4]), [0.5, 0.0, 0.5]);
    assert_eq!(check([0.3f32; 5]), [0.2; 5]);
    assert_eq!(check([-3.0f32]), [1.0]);
    assert!(check([1.0f32, f32::NAN, 2.0]).iter().all(|v| v.is_nan()));
    // Underflowing exponentials, a whole register, one register and a few more.
    check::<16>(core::array::from_fn(|i| i as f32 * -13.0));
    check::<8>(core::array::from_fn(|i| (i as f32 * 0.9).sin()));
    check::<13>(core::array::from_fn(|i| {
        if i == 3 { f32::NEG_INFINITY } else { i as f32 }
    }));
    // f64: the values of softmax([1, 2, 3]).
    let mut x = [0.0f64; 3];
    softmax(&[1.0, 2.0, 3.0], &mut x);
    let want = [
        0.090_030_573_170_380_46,
        0.244_728_471_054_797_64,
        0.665_240_955_774_821_8,
    ];
    approx::assert_relative_eq!(&x[..], &want[..], max_relative = 1e-14);
}

/// An optimizer's element-wise update compiled for AVX2 gives the portable bits, stored and as
/// a dry run: an Adam-like rule (square root, divisions, a clip by `min`/`max`) with signed
/// zeros, subnormals and values that overflow, over full vectors and a remainder.
#[test]
fn apply_equals_the_portable_kernel() {
    let n = 21;
    let w: std::vec::Vec<f32> = (0..n)
        .map(|i| match i % 6 {
            0 => 0.0,
            1 => -0.0,
            2 => 1.0e-42,
            3 => 3.0e38,
            _ => i as f32 * 0.37 - 3.0,
        })
        .collect();
    let g: std::vec::Vec<f32> = (0..n)
        .map(|i| match i % 5 {
            0 => -0.0,
            1 => 0.0,
            2 => -1.0e38,
            _ => (i as f32 * 1.3).sin(),
        })
        .collect();
    let a: std::vec::Vec<f32> = (0..n).map(|i| (i as f32 * 0.7).cos() * 0.1).collect();
    let b: std::vec::Vec<f32> = (0..n).map(|i| (i % 4) as f32 * 0.01).collect();
    let (lr, c) = (0.01f32, 2.5f32);
    let adam = |w: f32, g: f32, m: f32, v: f32| {
        let g = g.max(-c).min(c) + 0.01 * w;
        let m = 0.9 * m + 0.1 * g;
        let v = 0.999 * v + 0.001 * g * g;
        let w = w - lr * ((m / 0.1) / ((v / 0.001).sqrt() + 1e-8) + 0.001 * w);
        (w, m, v)
    };
    let same = |x: &[f32], y: &[f32]| {
        let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<std::vec::Vec<_>>();
        assert_eq!(bits(x), bits(y));
    };
    for write in [false, true] {
        let (mut w1, mut a1, mut b1) = (w.clone(), a.clone(), b.clone());
        let (mut w2, mut a2, mut b2) = (w.clone(), a.clone(), b.clone());
        let ok1 = apply2(&mut w1, &g, &mut a1, &mut b1, adam, write);
        let ok2 = portable::apply2(&mut w2, &g, &mut a2, &mut b2, adam, write);
        assert_eq!(ok1, ok2, "write {write}");
        assert_eq!(ok1, write, "the dry run sees the overflow");
        same(&w1, &w2);
        same(&a1, &a2);
        same(&b1, &b2);
        // Finite inputs only (every 6th weight 3e38 removed): the dry run says finite.
        let small = |v: &[f32]| v.iter().map(|&x| if x > 1e30 { 1.0 } else { x }).collect();
        let (ws, gs): (std::vec::Vec<f32>, std::vec::Vec<f32>) = (small(&w), small(&g));
        let gs: std::vec::Vec<f32> = gs
            .iter()
            .map(|&x| if x < -1e30 { -1.0 } else { x })
            .collect();
        let (mut w1, mut a1, mut b1) = (ws.clone(), a.clone(), b.clone());
        assert!(apply2(&mut w1, &gs, &mut a1, &mut b1, adam, false));

        let momentum = |w: f32, g: f32, v: f32| {
            let v = 0.9 * v - lr * g;
            (w + v, v)
        };
        let (mut w1, mut a1) = (w.clone(), a.clone());
        let (mut w2, mut a2) = (w.clone(), a.clone());
        let ok1 = apply1(&mut w1, &g, &mut a1, momentum, write);
        assert_eq!(ok1, portable::apply1(&mut w2, &g, &mut a2, momentum, write));
        same(&w1, &w2);
        same(&a1, &a2);

        let sgd = |w: f32, g: f32| w - lr * (g + 0.1 * w);
        let (mut w1, mut w2) = (w.clone(), w.clone());
        let ok1 = apply0(&mut w1, &g, sgd, write);
        assert_eq!(ok1, portable::apply0(&mut w2, &g, sgd, write));
        same(&w1, &w2);
    }
    // f64, and nothing stored in a dry run.
    let (mut w, mut m, mut v) = ([1.0f64, -2.0, 0.5], [0.0; 3], [0.0; 3]);
    let rule = |w: f64, g: f64, m: f64, v: f64| (w - g, m + g, v + g * g);
    assert!(!apply2(
        &mut w,
        &[0.5, 0.5, f64::MAX],
        &mut m,
        &mut v,
        rule,
        false
    ));
    assert_eq!((w, m, v), ([1.0, -2.0, 0.5], [0.0; 3], [0.0; 3]));
    assert!(apply2(&mut w, &[0.5, 0.5, 0.5], &mut m, &mut v, rule, true));
    assert_eq!((w, m, v), ([0.5, -2.5, 0.0], [0.5; 3], [0.25; 3]));
}

/// The microcontrollers' loops for a row ([`row`]) give the bits of the panels' convolution of
/// a one-row window: forward (a bias of −0 included, where a tap on padding adding `w · 0`
/// shows), weight, bias and input gradients; over strides, paddings (one wider than the
/// window), register blocks and their remainders.
#[test]
fn row_loops_equal_the_panels_on_one_row() {
    use std::{vec, vec::Vec};
    let value = |i: usize| ((i as f32) * 0.731).sin() * 1.7;
    // (channels in, out, length, kernel, stride, padding)
    let cases = [
        (6, 16, 100, 5, 1, 0),
        (3, 4, 20, 3, 1, 0),
        (2, 9, 40, 5, 1, 2),
        (1, 5, 17, 4, 2, 1),
        (2, 3, 6, 2, 1, 3),
        (6, 8, 100, 5, 2, 2),
        (8, 8, 25, 5, 1, 2),
    ];
    let cases = if cfg!(miri) { &cases[1..5] } else { &cases[..] };
    for &(ci, co, length, kernel, stride, padding) in cases {
        let out_len = (length + 2 * padding - kernel) / stride + 1;
        let spec = WindowSpec {
            kernel: [1, kernel],
            stride: [1, stride],
            pad: [0, padding],
            same: false,
        };
        let d = Window2d::of(spec, ci, co, [1, length], [1, out_len]);
        // `row::as_row` hands the loops these numbers on the microcontrollers.
        let axis = d.cols;
        assert_eq!((d.rows.length, d.rows.kernel, d.rows.out_len), (1, 1, 1));
        let x: Vec<f32> = (0..ci * length).map(value).collect();
        let w: Vec<f32> = (0..co * ci * kernel).map(|i| value(i + 7) * 0.3).collect();
        // Every other bias −0.
        let b: Vec<f32> = (0..co)
            .map(|i| if i % 2 == 0 { -0.0 } else { value(i + 3) })
            .collect();
        let dy: Vec<f32> = (0..co * out_len).map(|i| value(i + 11)).collect();
        let (mut y_row, mut y_panel) = (vec![9.0; co * out_len], vec![9.0; co * out_len]);
        row::conv1d((ci, co, &axis), &x, &w, &b, &mut y_row);
        panel::conv2d(&d, &x, &w, &b, &mut y_panel);
        let grads = |row_loops: bool| {
            let (mut dw, mut db, mut dx) = (vec![0.5; w.len()], vec![0.25; co], vec![9.0; x.len()]);
            if row_loops {
                row::conv1d_backward(
                    (ci, co, &axis),
                    &x,
                    &w,
                    &dy,
                    &mut dw,
                    &mut db,
                    Some(&mut dx),
                );
            } else {
                panel::conv2d_backward(&d, &x, &w, &dy, &mut dw, &mut db, Some(&mut dx));
            }
            [dw, db, dx].map(|v| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>())
        };
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&y_row), bits(&y_panel), "forward {d:?}");
        let (by_row, by_panel) = (grads(true), grads(false));
        for (name, (a, p)) in ["dw", "db", "dx"].iter().zip(by_row.iter().zip(&by_panel)) {
            assert_eq!(a, p, "{name} {d:?}");
        }
    }
}

/// The convolution of a batch (one call, the copies made once) equals its samples one call
/// each, bit for bit: outputs, input gradients, and the weight and bias gradients added
/// sample after sample — on every path (a padded copy, panels, column and row strides, a
/// plane too large for the copies).
#[test]
fn conv2d_on_a_batch_equals_sample_by_sample() {
    use std::{vec, vec::Vec};
    let value = |i: usize| ((i as f32) * 0.377).cos() * 1.3;
    // (channels in, out, [h, w], kernel, stride, pad)
    type Case = (usize, usize, [usize; 2], [usize; 2], [usize; 2], [usize; 2]);
    let cases: [Case; 7] = [
        (6, 16, [1, 100], [1, 5], [1, 1], [0, 2]),
        (3, 9, [6, 7], [3, 3], [1, 1], [1, 1]),
        // A 1 × 1 window: each sample read in place.
        (4, 6, [4, 5], [1, 1], [1, 1], [0, 0]),
        (2, 4, [7, 9], [3, 3], [2, 1], [1, 1]),
        (4, 5, [6, 19], [3, 2], [2, 2], [1, 1]),
        (3, 5, [9, 8], [4, 2], [2, 1], [1, 0]),
        (1, 2, [190, 200], [3, 3], [1, 1], [0, 0]),
    ];
    let cases = if cfg!(miri) { &cases[1..4] } else { &cases[..] };
    let samples = 3;
    for &(ci, co, hw, kernel, stride, pad) in cases {
        let spec = WindowSpec {
            kernel,
            stride,
            pad,
            same: false,
        };
        let out = [0, 1].map(|a| (hw[a] + 2 * pad[a] - kernel[a]) / stride[a] + 1);
        let d = Window2d::of(spec, ci, co, hw, out);
        let (n_in, n_out) = d.sample_sizes();
        let x: Vec<f32> = (0..samples * n_in).map(value).collect();
        let w: Vec<f32> = (0..co * ci * kernel[0] * kernel[1])
            .map(|i| value(i + 5) * 0.2)
            .collect();
        let b: Vec<f32> = (0..co).map(|i| value(i + 1)).collect();
        let dy: Vec<f32> = (0..samples * n_out).map(|i| value(i + 13)).collect();
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        let (mut y_batch, mut y_each) = (vec![0.0; samples * n_out], vec![0.0; samples * n_out]);
        conv2d(&d, &x, &w, &b, &mut y_batch);
        let (mut dw_b, mut db_b, mut dx_b) =
            (vec![0.5; w.len()], vec![0.5; co], vec![7.0; x.len()]);
        conv2d_backward(&d, &x, &w, &dy, &mut dw_b, &mut db_b, Some(&mut dx_b));
        let (mut dw_e, mut db_e, mut dx_e) =
            (vec![0.5; w.len()], vec![0.5; co], vec![7.0; x.len()]);
        for s in 0..samples {
            let (xs, dys) = (&x[s * n_in..][..n_in], &dy[s * n_out..][..n_out]);
            conv2d(&d, xs, &w, &b, &mut y_each[s * n_out..][..n_out]);
            let dx = &mut dx_e[s * n_in..][..n_in];
            conv2d_backward(&d, xs, &w, dys, &mut dw_e, &mut db_e, Some(dx));
        }
        assert_eq!(bits(&y_batch), bits(&y_each), "forward {d:?}");
        assert_eq!(bits(&dx_b), bits(&dx_e), "dx {d:?}");
        assert_eq!(bits(&dw_b), bits(&dw_e), "dw {d:?}");
        assert_eq!(bits(&db_b), bits(&db_e), "db {d:?}");
    }
}

/// The 2-D convolution adds each output's products in the documented order whichever path
/// computes it (a padded copy, panels; AVX2 or AVX-512 products), a tap on padding adding
/// `w · 0`; its input gradient is the same bits as a plain transposed loop; each weight
/// gradient is the documented sum (over the padded grid for stride 1, the direct loops' runs
/// otherwise), which equals the exact sum (f64) to float rounding. Under miri (which runs the
/// explicit AVX2 or AVX-512 products) the small windows only.
#[test]
fn conv2d_adds_in_the_documented_order_and_its_gradients_are_the_sums() {
    use std::{vec, vec::Vec};
    let value = |i: usize| ((i as f32) * 0.731).sin() * 1.7;
    // (channels in, out, [h, w], kernel, stride, pad, SAME)
    type Case = (
        usize,
        usize,
        [usize; 2],
        [usize; 2],
        [usize; 2],
        [usize; 2],
        bool,
    );
    let cases: [Case; 23] = [
        // Reductions of 64 steps and more (72 forward, 81 for the input gradient): the padded
        // walks' blocks two at a time, the last pair overlapping, one block left alone.
        (8, 9, [5, 11], [3, 3], [1, 1], [0, 0], true),
        // One row (the layers on signals): W5's layer, strides and paddings, a padding wider
        // than the window (panels for the input gradient).
        (6, 16, [1, 100], [1, 5], [1, 1], [0, 0], false),
        (3, 4, [1, 20], [1, 3], [1, 1], [0, 0], false),
        (2, 9, [1, 40], [1, 5], [1, 1], [0, 2], false),
        (1, 5, [1, 17], [1, 4], [1, 2], [0, 1], false),
        (2, 3, [1, 6], [1, 2], [1, 1], [0, 3], false),
        (3, 5, [5, 7], [1, 1], [1, 1], [0, 0], false),
        // Blocks of 8 output channels (and one left over), grids longer than a block.
        (5, 9, [4, 21], [3, 3], [1, 1], [0, 0], true),
        // A row stride alone: the weight gradient's eight-lane runs, 4 × 2 channels at once.
        (2, 4, [7, 9], [3, 3], [2, 1], [1, 1], false),
        // A column stride: transposed panels.
        (4, 5, [6, 19], [3, 2], [2, 2], [1, 1], false),
        (6, 8, [3, 8], [3, 3], [1, 1], [0, 0], true),
        (3, 4, [5, 13], [1, 1], [1, 1], [0, 0], false),
        (9, 4, [5, 17], [2, 5], [1, 3], [0, 0], true),
        (2, 4, [6, 5], [3, 3], [1, 1], [0, 0], true),
        (2, 3, [7, 9], [3, 3], [2, 2], [0, 0], true),
        (1, 4, [9, 6], [4, 2], [2, 1], [1, 0], false),
        (4, 2, [4, 4], [1, 1], [2, 2], [0, 0], false),
        // Strided input gradients by phases: 64 steps and more a phase (blocks two at a
        // time), and a kernel taller and wider than the strides (DS-CNN's first layer).
        (8, 32, [8, 8], [3, 3], [2, 2], [0, 0], true),
        (1, 16, [13, 10], [10, 4], [2, 2], [0, 0], true),
        // Narrow grids: a block of 16 positions over many rows.
        (3, 9, [7, 2], [1, 1], [1, 1], [0, 0], false),
        // 1 × 1 windows read in place (no copy), a block over several rows stored as one
        // run; 64 steps forward and back: blocks two at a time, the last pair overlapping.
        (64, 64, [5, 5], [1, 1], [1, 1], [0, 0], false),
        (2, 9, [9, 1], [3, 1], [1, 1], [0, 0], true),
        // Too large for the padded copies: value by value.
        (1, 2, [190, 200], [3, 3], [1, 1], [0, 0], true),
    ];
    // Under miri, small windows that take every path: a padded copy with a block of 8
    // output channels and one left over (one block of positions a pass, and two), the
    // eight-lane runs of 4 × 2 channels, panels.
    let small: [Case; 5] = [
        (2, 9, [3, 5], [3, 3], [1, 1], [0, 0], true),
        // A 1 × 1 window read in place, its last block overlapping.
        (2, 9, [4, 5], [1, 1], [1, 1], [0, 0], false),
        // 72 steps: two blocks of positions a pass.
        (8, 9, [3, 6], [3, 3], [1, 1], [0, 0], true),
        (2, 4, [5, 6], [3, 3], [2, 1], [1, 1], false),
        (2, 3, [5, 6], [3, 2], [2, 2], [1, 1], false),
    ];
    let cases: &[Case] = if cfg!(miri) { &small } else { &cases };
    for &(ci, co, hw, kernel, stride, pad, same) in cases {
        let spec = WindowSpec {
            kernel,
            stride,
            pad,
            same,
        };
        let out_len = |a: usize| {
            if same {
                hw[a].div_ceil(stride[a])
            } else {
                (hw[a] + 2 * pad[a] - kernel[a]) / stride[a] + 1
            }
        };
        let out = [out_len(0), out_len(1)];
        let d = Window2d::of(spec, ci, co, hw, out);
        let (ph, pw) = (d.rows.padding, d.cols.padding);
        let (plane, opl) = (hw[0] * hw[1], out[0] * out[1]);
        let x: Vec<f32> = (0..ci * plane).map(value).collect();
        let taps = kernel[0] * kernel[1];
        let w: Vec<f32> = (0..co * ci * taps).map(|i| value(i + 7) * 0.3).collect();
        let b: Vec<f32> = (0..co).map(|i| value(i + 3)).collect();
        let dy: Vec<f32> = (0..co * opl).map(|i| value(i + 11)).collect();
        // The input position of tap (ky, kx) of output (i, j), if inside.
        let at = |i: usize, j: usize, ky: usize, kx: usize| {
            let r = (i * stride[0] + ky)
                .checked_sub(ph)
                .filter(|&r| r < hw[0])?;
            let c = (j * stride[1] + kx)
                .checked_sub(pw)
                .filter(|&c| c < hw[1])?;
            Some(r * hw[1] + c)
        };
        let mut y = vec![0.0; co * opl];
        conv2d(&d, &x, &w, &b, &mut y);
        let (mut dw, mut db, mut dx) = (vec![0.0; w.len()], vec![0.0; co], vec![9.0; x.len()]);
        conv2d_backward(&d, &x, &w, &dy, &mut dw, &mut db, Some(&mut dx));
        // The direct loops (which skip the padding taps: the same bits, as no bias here is
        // −0), and the kernels compiled for AVX2 where the CPU has it: the same bits, every
        // value and gradient.
        let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let mut y_direct = vec![0.0; co * opl];
        conv2d_direct(&d, &x, &w, &b, &mut y_direct);
        let mut y_vectorized = vec![0.0; co * opl];
        vectorized(|| conv2d(&d, &x, &w, &b, &mut y_vectorized));
        assert_eq!(bits(&y), bits(&y_direct), "{d:?} y, direct");
        assert_eq!(bits(&y), bits(&y_vectorized), "{d:?} y, vectorized");
        let (mut dw2, mut db2, mut dx2) = (vec![0.0; w.len()], vec![0.0; co], vec![9.0; x.len()]);
        conv2d_backward_direct(&d, &x, &w, &dy, &mut dw2, &mut db2, Some(&mut dx2));
        let (mut dw3, mut db3, mut dx3) = (vec![0.0; w.len()], vec![0.0; co], vec![9.0; x.len()]);
        vectorized(|| conv2d_backward(&d, &x, &w, &dy, &mut dw3, &mut db3, Some(&mut dx3)));
        for (name, got) in [
            ("direct", (&dw2, &db2, &dx2)),
            ("vectorized", (&dw3, &db3, &dx3)),
        ] {
            // Stride 1: the weight gradients sum over the padded grid (below), not the
            // direct loops' runs.
            if name != "direct" || stride != [1, 1] {
                assert_eq!(bits(&dw), bits(got.0), "{d:?} dw, {name}");
            }
            assert_eq!(bits(&db), bits(got.1), "{d:?} db, {name}");
            assert_eq!(bits(&dx), bits(got.2), "{d:?} dx, {name}");
        }
        if stride == [1, 1] {
            // dw[o][c][ky][kx]: grid position q (rows of gw = out_w + kw − 1) adds
            // dy·x into lane q mod 16 (dy zero past out_w; x read from the padded copy,
            // flattened, zeros outside the input), the lanes then combined.
            let (gw, gh) = (out[1] + kernel[1] - 1, out[0] + kernel[0] - 1);
            let gplane = gh * gw;
            let copy_at = |at: usize| {
                let (ch, rest) = (at / gplane, at % gplane);
                let (yy, xx) = ((rest / gw).checked_sub(ph), (rest % gw).checked_sub(pw));
                match (yy, xx) {
                    (Some(yy), Some(xx)) if ch < ci && yy < hw[0] && xx < hw[1] => {
                        x[ch * plane + yy * hw[1] + xx]
                    }
                    _ => 0.0,
                }
            };
            for o in 0..co {
                for c in 0..ci {
                    for t in 0..taps {
                        let off = (t / kernel[1]) * gw + t % kernel[1];
                        let mut lanes = [0.0f32; 16];
                        for q in 0..out[0] * gw {
                            let (i, j) = (q / gw, q % gw);
                            let u = if j < out[1] {
                                dy[o * opl + i * out[1] + j]
                            } else {
                                0.0
                            };
                            lanes[q % 16] += u * copy_at(c * gplane + off + q);
                        }
                        let h: [f32; 8] = core::array::from_fn(|l| lanes[l] + lanes[l + 8]);
                        let want =
                            ((h[0] + h[4]) + (h[1] + h[5])) + ((h[2] + h[6]) + (h[3] + h[7]));
                        let at = (o * ci + c) * taps + t;
                        assert_eq!(dw[at].to_bits(), want.to_bits(), "{d:?} dw {at}");
                    }
                }
            }
        }
        let mut want_dx = vec![0.0f32; x.len()];
        for o in 0..co {
            for i in 0..out[0] {
                for j in 0..out[1] {
                    let mut want = b[o];
                    for c in 0..ci {
                        for ky in 0..kernel[0] {
                            for kx in 0..kernel[1] {
                                // A tap on padding adds `w · 0`.
                                let wv = w[((o * ci + c) * kernel[0] + ky) * kernel[1] + kx];
                                want += wv * at(i, j, ky, kx).map_or(0.0, |p| x[c * plane + p]);
                            }
                        }
                    }
                    let got = y[o * opl + i * out[1] + j];
                    assert_eq!(got.to_bits(), want.to_bits(), "{d:?} y {o} {i} {j}");
                }
            }
        }
        // dx: per input, the products in increasing (o, ky, kx, i, j).
        for o in 0..co {
            for c in 0..ci {
                for ky in 0..kernel[0] {
                    for kx in 0..kernel[1] {
                        let wv = w[((o * ci + c) * kernel[0] + ky) * kernel[1] + kx];
                        for i in 0..out[0] {
                            for j in 0..out[1] {
                                if let Some(p) = at(i, j, ky, kx) {
                                    want_dx[c * plane + p] += wv * dy[o * opl + i * out[1] + j];
                                }
                            }
                        }
                    }
                }
            }
        }
        for (k, (a, e)) in dx.iter().zip(&want_dx).enumerate() {
            assert_eq!(a.to_bits(), e.to_bits(), "{d:?} dx {k}");
        }
        for o in 0..co {
            for c in 0..ci {
                for ky in 0..kernel[0] {
                    for kx in 0..kernel[1] {
                        let mut exact = 0.0f64;
                        for i in 0..out[0] {
                            for j in 0..out[1] {
                                if let Some(p) = at(i, j, ky, kx) {
                                    exact += f64::from(dy[o * opl + i * out[1] + j])
                                        * f64::from(x[c * plane + p]);
                                }
                            }
                        }
                        let got = f64::from(dw[((o * ci + c) * kernel[0] + ky) * kernel[1] + kx]);
                        assert!(
                            (got - exact).abs() < 1e-5 * exact.abs().max(1.0),
                            "{d:?} dw"
                        );
                    }
                }
            }
            let exact: f64 = dy[o * opl..(o + 1) * opl]
                .iter()
                .map(|&v| f64::from(v))
                .sum();
            assert!((f64::from(db[o]) - exact).abs() < 1e-5 * exact.abs().max(1.0));
            // The documented order: one running sum from +0 in increasing position.
            let running = dy[o * opl..(o + 1) * opl]
                .iter()
                .fold(0.0f32, |a, &v| a + v);
            assert_eq!(db[o].to_bits(), (0.0 + running).to_bits(), "{d:?} db");
        }
    }
}

/// The depthwise convolution (the line blocks, channel by channel) gives the direct loops'
/// bits: outputs (no bias here is −0), bias, weight and input gradients; also compiled for
/// AVX2.
#[cfg(feature = "std")]
#[cfg_attr(miri, ignore = "safe code only; miri runs the dispatched kernels")]
#[test]
fn depthwise_convolutions_equal_the_direct_loops_channel_by_channel() {
    use std::{vec, vec::Vec};
    let value = |i: usize| ((i as f32) * 0.917).sin() * 1.3;
    let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    // (channels, [h, w], kernel, stride, pad, SAME)
    type Case = (usize, [usize; 2], [usize; 2], [usize; 2], [usize; 2], bool);
    let cases: [Case; 8] = [
        (3, [25, 5], [3, 3], [1, 1], [0, 0], true),
        (2, [9, 17], [3, 3], [1, 1], [0, 0], false),
        (2, [6, 7], [4, 2], [1, 1], [0, 0], true),
        (3, [5, 8], [3, 1], [1, 1], [1, 0], false),
        (2, [11, 13], [5, 3], [1, 1], [2, 1], false),
        (2, [9, 10], [3, 3], [2, 2], [0, 0], true),
        (1, [30, 40], [3, 3], [1, 1], [0, 0], true),
        // Too large for the padded copies: the weight gradients value by value.
        (1, [190, 200], [3, 3], [1, 1], [0, 0], true),
    ];
    for (ch, hw, kernel, stride, pad, same) in cases {
        let out_len = |a: usize| {
            if same {
                hw[a].div_ceil(stride[a])
            } else {
                (hw[a] + 2 * pad[a] - kernel[a]) / stride[a] + 1
            }
        };
        let out = [out_len(0), out_len(1)];
        let spec = WindowSpec {
            kernel,
            stride,
            pad,
            same,
        };
        let d = Window2d::of(spec, ch, ch, hw, out);
        let one = Window2d::of(spec, 1, 1, hw, out);
        let (plane, opl, taps) = (hw[0] * hw[1], out[0] * out[1], kernel[0] * kernel[1]);
        let x: Vec<f32> = (0..ch * plane).map(value).collect();
        let w: Vec<f32> = (0..ch * taps).map(|i| value(i + 5) * 0.4).collect();
        let b: Vec<f32> = (0..ch).map(|i| value(i + 2) + 0.1).collect();
        let dy: Vec<f32> = (0..ch * opl).map(|i| value(i + 9)).collect();
        let run = |y: &mut Vec<f32>, dw: &mut Vec<f32>, db: &mut Vec<f32>, dx: &mut Vec<f32>| {
            depthwise2d(&d, &x, &w, &b, y);
            depthwise2d_backward(&d, &x, &w, &dy, dw, db, Some(dx));
        };
        let fresh = || {
            (
                vec![0.0f32; ch * opl],
                vec![0.5f32; ch * taps],
                vec![0.25f32; ch],
                vec![9.0f32; ch * plane],
            )
        };
        let (mut y, mut dw, mut db, mut dx) = fresh();
        run(&mut y, &mut dw, &mut db, &mut dx);
        let (mut y2, mut dw2, mut db2, mut dx2) = fresh();
        vectorized(|| run(&mut y2, &mut dw2, &mut db2, &mut dx2));
        let (mut yd, mut dwd, mut dbd, mut dxd) = fresh();
        for c in 0..ch {
            let (xs, ws) = (&x[c * plane..][..plane], &w[c * taps..][..taps]);
            conv2d_direct(&one, xs, ws, &b[c..=c], &mut yd[c * opl..][..opl]);
            let dys = &dy[c * opl..][..opl];
            conv2d_backward_direct(
                &one,
                xs,
                ws,
                dys,
                &mut dwd[c * taps..][..taps],
                &mut dbd[c..=c],
                Some(&mut dxd[c * plane..][..plane]),
            );
            if stride == [1, 1] {
                // Stride 1: the weight gradients are the full convolution's grid sums.
                let dwc = &mut dwd[c * taps..][..taps];
                dwc.fill(0.5);
                conv2d_backward(&one, xs, ws, dys, dwc, &mut [0.0], None);
            }
        }
        // Two samples in one call: the second after the first (its own outputs and input
        // gradient; the gradients added after the first sample's).
        let x2: Vec<f32> = x.iter().chain(x.iter().rev()).copied().collect();
        let dy2: Vec<f32> = dy.iter().rev().chain(dy.iter()).copied().collect();
        let (mut yb, mut dxb) = (vec![0.0f32; 2 * ch * opl], vec![9.0f32; 2 * ch * plane]);
        let (mut dwb, mut dbb) = (vec![0.5f32; ch * taps], vec![0.25f32; ch]);
        depthwise2d(&d, &x2[..ch * plane], &w, &b, &mut yb[..ch * opl]);
        depthwise2d(&d, &x2[ch * plane..], &w, &b, &mut yb[ch * opl..]);
        depthwise2d_backward(&d, &x2, &w, &dy2, &mut dwb, &mut dbb, Some(&mut dxb));
        let (mut dwe, mut dbe, mut dxe) = (
            vec![0.5f32; ch * taps],
            vec![0.25f32; ch],
            vec![9.0f32; 2 * ch * plane],
        );
        for s in 0..2 {
            let (xs, dys) = (
                &x2[s * ch * plane..][..ch * plane],
                &dy2[s * ch * opl..][..ch * opl],
            );
            let dx = &mut dxe[s * ch * plane..][..ch * plane];
            depthwise2d_backward(&d, xs, &w, dys, &mut dwe, &mut dbe, Some(dx));
        }
        assert_eq!(bits(&yb[..ch * opl]), bits(&yd), "{d:?} batch y");
        assert_eq!(
            (bits(&dwb), bits(&dbb), bits(&dxb)),
            (bits(&dwe), bits(&dbe), bits(&dxe)),
            "{d:?} batch"
        );
        for (name, got) in [
            ("plain", (&y, &dw, &db, &dx)),
            ("vectorized", (&y2, &dw2, &db2, &dx2)),
        ] {
            assert_eq!(bits(got.0), bits(&yd), "{d:?} y, {name}");
            assert_eq!(bits(got.1), bits(&dwd), "{d:?} dw, {name}");
            assert_eq!(bits(got.2), bits(&dbd), "{d:?} db, {name}");
            assert_eq!(bits(got.3), bits(&dxd), "{d:?} dx, {name}");
        }
    }
}

/// The int8 convolution (each output whole, requantized at once) gives the accumulators the
/// generic kernel gives on the input offset by its zero point, for full and depthwise windows,
/// strides, explicit and `SAME` padding, one-row inputs and windows that reach past the
/// padding.
#[cfg(feature = "std")]
#[cfg_attr(miri, ignore = "safe code only; miri runs the dispatched kernels")]
#[test]
fn the_int8_convolution_equals_the_generic_kernel_on_offset_inputs() {
    use core::num::Wrapping;
    use std::{vec, vec::Vec};
    /// Input size, kernel, stride, explicit padding, `SAME`.
    type Case = ([usize; 2], [usize; 2], [usize; 2], [usize; 2], bool);
    let cases: [Case; 8] = [
        ([5, 5], [1, 1], [1, 1], [1, 1], false),
        ([5, 6], [3, 3], [1, 1], [1, 1], false),
        ([7, 5], [3, 2], [2, 1], [0, 0], false),
        ([9, 10], [10, 4], [2, 2], [0, 0], true),
        ([1, 11], [1, 3], [1, 2], [0, 1], false),
        ([4, 4], [2, 2], [1, 1], [3, 3], false),
        ([6, 6], [1, 1], [1, 1], [0, 0], false),
        ([8, 7], [3, 3], [2, 2], [0, 0], true),
    ];
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    for (hw, kernel, stride, pad, same) in cases {
        for depthwise in [false, true] {
            // Nine input channels take the many-channel loop order for kernels up to two
            // columns wide (six outputs: a block of four and two more), three the other.
            let shapes = if depthwise {
                [(3, 3), (5, 5), (8, 8)]
            } else {
                [(1, 4), (3, 4), (9, 6)]
            };
            for (ci, co) in shapes {
                let spec = WindowSpec {
                    kernel,
                    stride,
                    pad,
                    same,
                };
                let out_len = |l: usize, k: usize, s: usize, p: usize| {
                    if same {
                        l.div_ceil(s)
                    } else {
                        (l + 2 * p - k) / s + 1
                    }
                };
                let out = [
                    out_len(hw[0], kernel[0], stride[0], pad[0]),
                    out_len(hw[1], kernel[1], stride[1], pad[1]),
                ];
                let d = Window2d::of(spec, ci, co, hw, out);
                let fan = if depthwise { 1 } else { ci };
                let x: Vec<i8> = (0..ci * hw[0] * hw[1]).map(|_| next() as i8).collect();
                let w: Vec<i8> = (0..co * fan * kernel[0] * kernel[1])
                    .map(|_| next() as i8)
                    .collect();
                let bias: Vec<i32> = (0..co).map(|_| (next() % 100_000) as i32).collect();
                let zin = (next() % 256 - 128) as i32;
                // The kernel's NHWC input and TFLite-ordered filter.
                let plane = hw[0] * hw[1];
                let taps = kernel[0] * kernel[1];
                let x_nhwc: Vec<i8> = (0..x.len()).map(|i| x[(i % ci) * plane + i / ci]).collect();
                let w_tfl: Vec<i8> = (0..w.len())
                    .map(|n| {
                        if depthwise {
                            w[(n % co) * taps + n / co]
                        } else {
                            let (o, r) = (n / (taps * ci), n % (taps * ci));
                            w[(o * ci + r % ci) * taps + r / ci]
                        }
                    })
                    .collect();
                let mut got = Vec::new();
                let mut y = vec![0i8; co * out[0] * out[1]];
                conv2d_i8(
                    &d,
                    depthwise,
                    &x_nhwc,
                    zin,
                    &w_tfl,
                    &bias,
                    &mut |o, acc| {
                        got.push((o, acc));
                        // A value that depends on the accumulator, so that `y` shows where
                        // each one went.
                        (acc ^ (acc >> 8) ^ (acc >> 16)) as i8
                    },
                    &mut y,
                );
                let xs: Vec<Wrapping<i32>> =
                    x.iter().map(|&v| Wrapping(i32::from(v) - zin)).collect();
                let b: Vec<Wrapping<i32>> = bias.iter().map(|&v| Wrapping(v)).collect();
                let mut want = vec![Wrapping(0i32); y.len()];
                if depthwise {
                    depthwise2d(&d, &xs, &w, &b, &mut want);
                } else {
                    conv2d(&d, &xs, &w, &b, &mut want);
                }
                let per = out[0] * out[1];
                // Pixel after pixel, each pixel's channels in order.
                let want: Vec<(usize, i32)> = (0..want.len())
                    .map(|i| (i % co, want[(i % co) * per + i / co].0))
                    .collect();
                let case = std::format!(
                    "{hw:?} {kernel:?} {stride:?} {pad:?} same={same} depthwise={depthwise} {ci}→{co}"
                );
                // Every output in its place, requantized once (in any order: the kernels go
                // pixel by pixel, or block of channels by block).
                for (i, (&v, &(_, acc))) in y.iter().zip(&want).enumerate() {
                    assert_eq!(
                        v,
                        (acc ^ (acc >> 8) ^ (acc >> 16)) as i8,
                        "{case}: output {i}"
                    );
                }
                got.sort_unstable();
                let mut want = want;
                want.sort_unstable();
                assert_eq!(got, want, "{case}");
            }
        }
    }
}

/// The int8 fully connected kernels — four rows in plain Rust, and the packed one written with
/// the DSP instructions (here their plain-Rust definitions, [`super::int8::Emulated`]) — give
/// every output channel the accumulator of the textbook sum, in the same channel order, for
/// row counts and row lengths on both sides of the blocks of four and the extreme zero points.
#[cfg_attr(miri, ignore = "safe code only; miri runs the dispatched kernels")]
#[test]
fn the_int8_fully_connected_kernels_equal_the_textbook_sum() {
    use super::int8::{Emulated, Run, dense_i8_packed, dense_i8_pairs, dense_i8_rows};
    let mut seed = 11u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    for n in [1usize, 3, 4, 5, 8, 13, 64] {
        for rows in [1usize, 3, 4, 5, 10, 32] {
            for zin in [-128i32, -3, 0, 127] {
                let x: [i8; 64] = core::array::from_fn(|_| next() as i8);
                let x = &x[..n];
                let w: [i8; 64 * 32] = core::array::from_fn(|_| next() as i8);
                let w = &w[..n * rows];
                let bias: [i32; 32] = core::array::from_fn(|_| (next() % 1_000_000) as i32);
                let bias = &bias[..rows];
                let want: [i32; 32] = core::array::from_fn(|o| match bias.get(o) {
                    Some(&b) => (0..n).fold(b, |a, i| {
                        a.wrapping_add((i32::from(x[i]) - zin) * i32::from(w[o * n + i]))
                    }),
                    None => 0,
                });
                // Two runs (as a convolution's window rows), the first ending mid-word.
                let cut = (n / 2 + 1).min(n);
                let runs = [
                    Run {
                        x: 0,
                        w: 0,
                        len: cut,
                    },
                    Run {
                        x: cut,
                        w: cut,
                        len: n - cut,
                    },
                ]
                .into_iter();
                let check = |name: &str, got: &[(usize, i32)]| {
                    assert_eq!(got.len(), rows, "{name} n={n} rows={rows}");
                    for (k, &(o, acc)) in got.iter().enumerate() {
                        assert_eq!((o, acc), (k, want[k]), "{name} n={n} rows={rows} zin={zin}");
                    }
                };
                let mut y = [0i8; 32];
                let mut got = [(0usize, 0i32); 32];
                let mut k = 0;
                dense_i8_rows(
                    w,
                    n,
                    runs.clone(),
                    x,
                    zin,
                    bias,
                    &mut |o, a| {
                        got[k] = (o, a);
                        k += 1;
                        a as i8
                    },
                    &mut y[..rows],
                );
                check("rows", &got[..k]);
                let mut k = 0;
                dense_i8_pairs(
                    w,
                    n,
                    runs.clone(),
                    x,
                    zin,
                    bias,
                    &mut |o, a| {
                        got[k] = (o, a);
                        k += 1;
                        a as i8
                    },
                    &mut y[..rows],
                );
                check("pairs", &got[..k]);
                let mut k = 0;
                dense_i8_packed::<Emulated>(
                    w,
                    n,
                    runs.clone(),
                    x,
                    zin,
                    bias,
                    &mut |o, a| {
                        got[k] = (o, a);
                        k += 1;
                        a as i8
                    },
                    &mut y[..rows],
                );
                check("packed", &got[..k]);
                for (o, &v) in y[..rows].iter().enumerate() {
                    assert_eq!(v, want[o] as i8);
                }
            }
        }
    }
}

/// The plain-Rust definitions of the DSP instructions, on values worked by hand.
#[cfg_attr(miri, ignore = "safe code only; miri runs the dispatched kernels")]
#[test]
fn the_emulated_dsp_instructions_follow_the_manual() {
    use super::int8::{DspOps, Emulated};
    // Bytes (from low to high) −1, 2, −128, 127.
    let x = u32::from_le_bytes([0xFF, 0x02, 0x80, 0x7F]);
    assert_eq!(Emulated::sxtb16(x), 0xFF80_FFFF); // −128 | −1
    assert_eq!(Emulated::sxtb16_ror8(x), 0x007F_0002); // 127 | 2
    let off = 0x0003_0003; // +3 in both halfwords
    assert_eq!(Emulated::sxtab16(off, x), 0xFF83_0002); // −125 | 2
    assert_eq!(Emulated::sxtab16_ror8(off, x), 0x0082_0005); // 130 | 5
    // (−1)·(−125) + (−128)·2 + 10 = 125 − 256 + 10.
    assert_eq!(Emulated::smlad(0xFF80_FFFF, 0x0002_FF83, 10), -121);
    assert_eq!(
        Emulated::smlad(0x7FFF_7FFF, 0x7FFF_7FFF, i32::MAX),
        i32::MAX.wrapping_add(2 * 32767 * 32767)
    );
    // −3 (low half of a) times −125 (low half of b); 1 (high half of a) times 130 (b's).
    assert_eq!(Emulated::smlabb(0x0001_FFFD, 0x0082_FF83, 1), 376);
    assert_eq!(Emulated::smlatt(0x0001_FFFD, 0x0082_FF83, 1), 131);
}

/// The packed depthwise kernels (written with the DSP instructions, here their plain-Rust
/// definitions; checked reads, and reads checked once per window) give the four channels'
/// sums of the plain one, on random taps, extreme zero points and weights; a window past the
/// end of the input is refused by the unchecked one (miri runs this test: it checks the
/// unchecked reads).
#[test]
fn the_packed_depthwise_kernel_equals_the_plain_one() {
    use super::int8::{Emulated, Taps, depthwise_quad, depthwise_quad_packed};
    let mut seed = 5u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    for zin in [-128i32, 0, 57, 127] {
        for taps in [0usize, 1, 3, 9] {
            let mut x: [i8; 64] = core::array::from_fn(|_| next() as i8);
            let w: [i8; 64] = core::array::from_fn(|_| next() as i8);
            x[0] = -128;
            // A window of `taps` taps laid out as 16 channels of a 3-wide input.
            let (rows, cols) = (taps.div_ceil(3), taps.min(3));
            let t = Taps {
                x: (next() as usize) % 4,
                w: (next() as usize) % 4,
                rows,
                cols,
                x_row: 12,
                w_row: 9,
                step: 3,
            };
            let bias = [1_000_000, -5, 0, i32::MAX];
            let plain = depthwise_quad(t, &x, zin, &w, &bias);
            let packed = depthwise_quad_packed::<Emulated>(t, &x, zin, &w, &bias);
            let mut positions = std::vec::Vec::new();
            for r in 0..rows {
                for c in 0..cols {
                    positions.push((t.x + r * 12 + c * 3, t.w + r * 9 + c * 3));
                }
            }
            let want: [i32; 4] = core::array::from_fn(|k| {
                positions.iter().fold(bias[k], |a, &(i, j)| {
                    a.wrapping_add((i32::from(x[i + k]) - zin) * i32::from(w[j + k]))
                })
            });
            assert_eq!(plain, want, "zin {zin} taps {taps}");
            assert_eq!(packed, want, "zin {zin} taps {taps}");
            #[cfg(feature = "simd-dispatch")]
            {
                let off = u32::from(zin.wrapping_neg() as u16) * 0x0001_0001;
                // The whole pixel (eight channels: two quads) at once.
                let mut y = [0i8; 8];
                let mut got = std::vec::Vec::new();
                let b8 = [bias, bias].concat();
                let wide = Taps {
                    step: 8,
                    x_row: 24,
                    w_row: 24,
                    ..t
                };
                let channels: [usize; 8] = core::array::from_fn(|o| o);
                let done = super::unchecked::depthwise_pixel::<Emulated, _>(
                    wide,
                    8,
                    &x,
                    off,
                    &w,
                    &b8,
                    &channels,
                    &mut |o, a| {
                        got.push((o, a));
                        0
                    },
                    &mut y,
                );
                if taps > 0 && wide.x + (rows - 1) * 24 + (cols - 1) * 8 + 7 < 64 {
                    let plain8: std::vec::Vec<(usize, i32)> = (0..8)
                        .map(|o| {
                            let q = depthwise_quad(wide.channel(o / 4 * 4), &x, zin, &w, &bias);
                            (o, q[o % 4])
                        })
                        .collect();
                    assert_eq!(done, 8);
                    assert_eq!(got, plain8);
                } else if taps == 0 {
                    assert_eq!(done, 0);
                }
                // A window whose last word passes the end: refused, not read.
                let far = Taps { x: 61, ..wide };
                let refused = super::unchecked::depthwise_pixel::<Emulated, _>(
                    far,
                    8,
                    &x,
                    off,
                    &w,
                    &b8,
                    &channels,
                    &mut |_, _| 0,
                    &mut y,
                );
                assert_eq!(refused, 0);
            }
        }
    }
}

/// The packed 1 × 1 convolution (filters interleaved four at a time, the input offset folded
/// into the bias; written with the DSP instructions, here their plain-Rust definitions) gives
/// every output the textbook sum, block of four channels by block, pixel by pixel, for
/// strides 1 and 2, extreme zero points and weights; the shapes it does not take (padding, a
/// 3 × 3 kernel, channel counts not multiples of four, too few pixels) are refused with
/// nothing written.
#[cfg_attr(miri, ignore = "safe code only; miri runs the dispatched kernels")]
#[test]
fn the_packed_pointwise_kernel_equals_the_textbook_sum() {
    use super::int8::{Emulated, POINTWISE_CHANNELS, POINTWISE_PIXELS, pointwise_i8_packed};
    use std::{vec, vec::Vec};
    let mut seed = 17u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    for (hw, stride, ci, co) in [
        ([5, 5], 1, 4, 4),
        ([7, 7], 2, 8, 8),
        ([3, 7], 1, 64, 12),
        ([10, 10], 1, 64, 8),
        ([4, 4], 1, POINTWISE_CHANNELS, 4),
        ([9, 8], 2, 12, 8),
        ([2, 3], 1, 4, 4),
    ] {
        for zin in [-128i32, 0, 5, 127] {
            let spec = WindowSpec {
                kernel: [1, 1],
                stride: [stride, stride],
                pad: [0, 0],
                same: false,
            };
            let out = [(hw[0] - 1) / stride + 1, (hw[1] - 1) / stride + 1];
            let d = Window2d::of(spec, ci, co, hw, out);
            let mut x: Vec<i8> = (0..hw[0] * hw[1] * ci).map(|_| next() as i8).collect();
            let mut w: Vec<i8> = (0..co * ci).map(|_| next() as i8).collect();
            x[0] = -128;
            w[0] = -128;
            let bias: Vec<i32> = (0..co).map(|_| (next() % 2_000_000) as i32).collect();
            let mut got = Vec::new();
            let mut y = vec![0i8; out[0] * out[1] * co];
            let taken = pointwise_i8_packed::<Emulated>(
                &d,
                &x,
                zin,
                &w,
                &bias,
                &mut |o, acc| {
                    got.push((o, acc));
                    acc as i8
                },
                &mut y,
            );
            let pixels = out[0] * out[1];
            assert_eq!(
                taken,
                pixels >= POINTWISE_PIXELS,
                "{hw:?} stride {stride} {ci}→{co}"
            );
            if !taken {
                assert!(got.is_empty() && y.iter().all(|&v| v == 0));
                continue;
            }
            // Every output once (block by block of four channels, a run of pixels at a time,
            // channel by channel within the run).
            let mut want = Vec::new();
            for b in 0..co / 4 {
                for p in 0..pixels {
                    let (r, c) = (p / out[1], p % out[1]);
                    let at = (r * stride * hw[1] + c * stride) * ci;
                    for o in 4 * b..4 * b + 4 {
                        let acc = (0..ci).fold(bias[o], |a, i| {
                            a.wrapping_add((i32::from(x[at + i]) - zin) * i32::from(w[o * ci + i]))
                        });
                        want.push((o, acc));
                        assert_eq!(y[p * co + o], acc as i8);
                    }
                }
            }
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{hw:?} stride {stride} {ci}→{co} zin {zin}");
        }
    }
    // Shapes it leaves to the general kernels.
    let refused = |kernel: usize, pad: usize, ci: usize, co: usize, hw: [usize; 2]| {
        let spec = WindowSpec {
            kernel: [kernel, kernel],
            stride: [1, 1],
            pad: [pad, pad],
            same: false,
        };
        let out = [hw[0] + 2 * pad + 1 - kernel, hw[1] + 2 * pad + 1 - kernel];
        let d = Window2d::of(spec, ci, co, hw, out);
        let x = vec![1i8; hw[0] * hw[1] * ci];
        let w = vec![1i8; co * ci * kernel * kernel];
        let mut y = vec![0i8; out[0] * out[1] * co];
        let mut calls = 0;
        let taken = pointwise_i8_packed::<Emulated>(
            &d,
            &x,
            0,
            &w,
            &vec![0; co],
            &mut |_, _| {
                calls += 1;
                1
            },
            &mut y,
        );
        !taken && calls == 0 && y.iter().all(|&v| v == 0)
    };
    assert!(refused(1, 1, 4, 4, [4, 4]), "padding");
    assert!(refused(3, 0, 4, 4, [6, 6]), "3 × 3");
    assert!(refused(1, 0, 6, 4, [4, 4]), "6 input channels");
    assert!(refused(1, 0, 4, 6, [4, 4]), "6 output channels");
    let wide = POINTWISE_CHANNELS + 4;
    assert!(refused(1, 0, wide, 4, [4, 4]), "too many input channels");
    assert!(refused(1, 0, 4, 4, [3, 5]), "15 pixels");
}

/// The packed 1 × 1 convolution through a layer's output stage: channels whose rescaling
/// takes the common path (non-negative multipliers, TFLite Micro's rounding) requantized by
/// `apply_plain`, the others by `apply`, each output as `requantize` gives it one by one.
#[cfg(feature = "std")]
#[cfg_attr(miri, ignore = "safe code only; miri runs the dispatched kernels")]
#[test]
fn the_packed_pointwise_kernel_requantizes_as_the_output_stage() {
    use super::int8::{Emulated, Requantize, pointwise_i8_packed};
    use crate::quant::Multiplier;
    use crate::quant::arith::{OutputStage, Rounding};
    use std::{vec, vec::Vec};
    let (hw, ci, co) = ([5usize, 5usize], 8usize, 8usize);
    let spec = WindowSpec {
        kernel: [1, 1],
        stride: [1, 1],
        pad: [0, 0],
        same: false,
    };
    let d = Window2d::of(spec, ci, co, hw, hw);
    let x: Vec<i8> = (0..hw[0] * hw[1] * ci)
        .map(|i| (i * 37 % 251) as i8)
        .collect();
    let w: Vec<i8> = (0..co * ci).map(|i| (i * 53 % 241) as i8).collect();
    let bias: Vec<i32> = (0..co as i32).map(|o| o * 1_000 - 3_000).collect();
    // Two channels with negative multipliers (the general path), the rest plain.
    let rescale: Vec<Multiplier> = (0..co)
        .map(|o| Multiplier {
            multiplier: if o % 4 == 3 {
                -1_234_567_890
            } else {
                1_234_567_890
            },
            shift: -7 - o as i32,
        })
        .collect();
    for rounding in [Rounding::Micro, Rounding::Reference] {
        let stage = || OutputStage {
            rescale: &rescale,
            rounding,
            zero_point: -5,
            lo: -100,
            hi: 90,
        };
        let mut y = vec![0i8; hw[0] * hw[1] * co];
        assert!(pointwise_i8_packed::<Emulated>(
            &d,
            &x,
            3,
            &w,
            &bias,
            &mut stage(),
            &mut y
        ));
        for p in 0..hw[0] * hw[1] {
            for o in 0..co {
                let acc = (0..ci).fold(bias[o], |a, i| {
                    a + (i32::from(x[p * ci + i]) - 3) * i32::from(w[o * ci + i])
                });
                assert_eq!(
                    y[p * co + o],
                    stage().requantize(o, acc),
                    "{rounding:?} {p} {o}"
                );
            }
        }
    }
}
