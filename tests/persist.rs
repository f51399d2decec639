//! Saving and loading parameters: round trips, the exact format, and every kind of bad input.

use std::sync::Mutex;

use typegrad::activation::{LeakyRelu, Relu};
use typegrad::init::{Init, Rng};
use typegrad::nn::{Dense, Dims, Layer, Parameters, TensorSpec};
use typegrad::persist::{PersistError, fnv1a32, load, save, saved_len};
use typegrad::{Vector, seq};

type Net = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
type Net64 = seq![Dense<f64, 4, 8, Relu>, Dense<f64, 8, 3>];
type Wide = seq![Dense<f32, 4, 16, Relu>, Dense<f32, 16, 3>];
type Narrow = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 2>];
type Deep = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 8, Relu>, Dense<f32, 8, 3>];

/// 16 + 20·4 + 67·4 + 4.
const LEN: usize = 368;
/// Start of the parameter values.
const DATA: usize = 16 + 20 * 4;

fn net<P: Layer<f32> + Default>(seed: u64) -> P {
    let mut net = P::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    // Non-zero biases, so that they are tested too.
    let mut k = 0.0_f32;
    net.visit_mut(&mut |s| {
        if s.len() <= 8 {
            for b in s {
                k += 0.125;
                *b = k;
            }
        }
    });
    net
}

fn net64(seed: u64) -> Net64 {
    let mut net = Net64::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    net.1.bias = Vector::new([0.1, -0.2, 0.3]);
    net
}

fn bits32<P: Parameters<f32>>(p: &P) -> Vec<u32> {
    let mut out = Vec::new();
    p.visit(&mut |s| out.extend(s.iter().map(|x| x.to_bits())));
    out
}

fn bits64<P: Parameters<f64>>(p: &P) -> Vec<u64> {
    let mut out = Vec::new();
    p.visit(&mut |s| out.extend(s.iter().map(|x| x.to_bits())));
    out
}

fn saved<P: Parameters<f32> + Layer<f32>>(p: &P) -> Vec<u8> {
    let mut buf = vec![0u8; saved_len::<f32, P>()];
    assert_eq!(save(p, &mut buf), Ok(buf.len()));
    buf
}

/// Recomputes the checksum after an edit, so that the edit itself is what `load` sees.
fn reseal(bytes: &mut [u8]) {
    let n = bytes.len() - 4;
    let sum = fnv1a32(&bytes[..n]);
    bytes[n..].copy_from_slice(&sum.to_le_bytes());
}

/// Loading `bytes` into a network fails with `expected` and leaves the network unchanged.
fn assert_rejected(bytes: &[u8], expected: PersistError) {
    let mut target: Net = net(99);
    let before = bits32(&target);
    assert_eq!(load(&mut target, bytes), Err(expected));
    assert_eq!(bits32(&target), before, "a failed load changed the network");
}

fn inputs() -> Vec<Vector<f32, 4>> {
    let mut rng = Rng::new(5);
    (0..20)
        .map(|_| Vector::from_fn(|_| rng.uniform(-3.0_f32, 3.0)))
        .collect()
}

#[test]
fn saved_len_is_computed_by_hand_and_sizes_arrays() {
    assert_eq!(<Net as Parameters<f32>>::TENSORS, 4);
    assert_eq!(<Net as Parameters<f32>>::PARAMS, 4 * 8 + 8 + 8 * 3 + 3);
    assert_eq!(saved_len::<f32, Net>(), 16 + 20 * 4 + 67 * 4 + 4);
    assert_eq!(saved_len::<f32, Net>(), LEN);
    assert_eq!(saved_len::<f64, Net64>(), 16 + 20 * 4 + 67 * 8 + 4);
    assert_eq!(saved_len::<f32, Deep>(), 16 + 20 * 6 + (67 + 72) * 4 + 4);
    assert_eq!(saved_len::<f32, Dense<f32, 1, 1>>(), 16 + 40 + 8 + 4);

    let mut buf = [0u8; saved_len::<f32, Net>()];
    assert_eq!(buf.len(), LEN);
    let original: Net = net(1);
    assert_eq!(save(&original, &mut buf), Ok(LEN));
    let mut restored = Net::default();
    load(&mut restored, &buf).unwrap();
    assert_eq!(bits32(&restored), bits32(&original));
}

/// A `static` buffer sized by `saved_len`, e.g. a network kept in RAM on a microcontroller.
static STORE: Mutex<[u8; saved_len::<f32, Net>()]> = Mutex::new([0; saved_len::<f32, Net>()]);

#[test]
fn saves_into_and_loads_from_a_static() {
    let original: Net = net(2);
    let mut store = STORE.lock().unwrap();
    assert_eq!(save(&original, &mut *store), Ok(LEN));
    let mut restored = Net::default();
    load(&mut restored, &*store).unwrap();
    assert_eq!(bits32(&restored), bits32(&original));
}

#[test]
fn f32_round_trip_is_bit_identical() {
    let original: Net = net(3);
    let bytes = saved(&original);
    let mut restored = Net::default();
    load(&mut restored, &bytes).unwrap();
    assert_eq!(bits32(&restored), bits32(&original));
    assert_eq!(restored, original);
    for x in inputs() {
        let (a, b) = (original.predict(&x), restored.predict(&x));
        assert!(
            a.iter()
                .zip(b.iter())
                .all(|(p, q)| p.to_bits() == q.to_bits())
        );
    }
    // Saving the restored network gives the same bytes.
    assert_eq!(saved(&restored), bytes);
}

#[test]
fn f64_round_trip_is_bit_identical() {
    let original = net64(4);
    let mut bytes = [0u8; saved_len::<f64, Net64>()];
    assert_eq!(save(&original, &mut bytes), Ok(636));
    let mut restored = Net64::default();
    load(&mut restored, &bytes).unwrap();
    assert_eq!(bits64(&restored), bits64(&original));
    let mut rng = Rng::new(6);
    for _ in 0..20 {
        let x = Vector::<f64, 4>::from_fn(|_| rng.uniform(-3.0, 3.0));
        let (a, b) = (original.predict(&x), restored.predict(&x));
        assert!(
            a.iter()
                .zip(b.iter())
                .all(|(p, q)| p.to_bits() == q.to_bits())
        );
    }
}

#[test]
fn special_values_round_trip() {
    // Signed zero, subnormals and the extremes survive bit for bit.
    let mut original: Net = net(7);
    original.0.weights[(0, 0)] = -0.0;
    original.0.weights[(0, 1)] = f32::MIN_POSITIVE / 8.0;
    original.0.weights[(0, 2)] = f32::MAX;
    original.0.weights[(0, 3)] = f32::MIN;
    let mut restored = Net::default();
    load(&mut restored, &saved(&original)).unwrap();
    assert_eq!(bits32(&restored), bits32(&original));
}

#[test]
fn header_and_layout_are_exact() {
    let original: Net = net(8);
    let bytes = saved(&original);
    assert_eq!(bytes.len(), LEN);
    #[rustfmt::skip]
    let header: [u8; 96] = [
        b'T', b'G', b'R', b'D', // magic
        2, 0, // version 2
        1, // f32
        0, // reserved
        4, 0, 0, 0, // 4 tensors
        67, 0, 0, 0, // 67 values
        0, 2, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // parameter weight [8, 4]
        0, 1, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // parameter bias [8]
        0, 2, 0, 0, 3, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // parameter weight [3, 8]
        0, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // parameter bias [3]
    ];
    assert_eq!(&bytes[..DATA], &header);

    // The values in visiting order: the first layer's weights row by row, its bias, then the
    // second layer's.
    let value =
        |i: usize| f32::from_le_bytes(bytes[DATA + 4 * i..DATA + 4 * i + 4].try_into().unwrap());
    assert_eq!(value(0).to_bits(), original.0.weights[(0, 0)].to_bits());
    assert_eq!(value(1).to_bits(), original.0.weights[(0, 1)].to_bits());
    assert_eq!(value(4).to_bits(), original.0.weights[(1, 0)].to_bits());
    assert_eq!(value(32).to_bits(), original.0.bias[0].to_bits());
    assert_eq!(value(40).to_bits(), original.1.weights[(0, 0)].to_bits());
    assert_eq!(value(66).to_bits(), original.1.bias[2].to_bits());

    let stored = u32::from_le_bytes(bytes[LEN - 4..].try_into().unwrap());
    assert_eq!(stored, fnv1a32(&bytes[..LEN - 4]));

    // f64: scalar code 2 and 8 bytes per value.
    let mut bytes64 = [0u8; saved_len::<f64, Net64>()];
    save(&net64(1), &mut bytes64).unwrap();
    assert_eq!(&bytes64[..8], &[b'T', b'G', b'R', b'D', 2, 0, 2, 0]);
    assert_eq!(&bytes64[16..DATA], &header[16..]);
}

#[test]
fn file_round_trip() {
    use typegrad::persist::{load_file, save_file};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("typegrad-persist-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("net.tgrd");

    let original: Net = net(9);
    save_file(&original, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), saved(&original));
    let mut restored = Net::default();
    load_file(&mut restored, &path).unwrap();
    assert_eq!(bits32(&restored), bits32(&original));

    // Overwriting works; a wrong network type is refused and left unchanged.
    let other: Net = net(10);
    save_file(&other, &path).unwrap();
    let mut narrow: Narrow = net(11);
    let before = bits32(&narrow);
    assert!(matches!(
        load_file(&mut narrow, &path),
        Err(PersistError::Shape { tensor: 2, .. })
    ));
    assert_eq!(bits32(&narrow), before);

    // A missing file is an I/O error naming the path; the network is unchanged.
    let missing = dir.join("missing.tgrd");
    let before = bits32(&restored);
    match load_file(&mut restored, &missing) {
        Err(PersistError::Io { message }) => {
            assert!(message.contains("missing.tgrd"), "{message}");
            assert!(message.starts_with("could not read"), "{message}");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert_eq!(bits32(&restored), before);
    // Writing into a directory that does not exist is an I/O error too.
    let err = save_file(&original, dir.join("no/such/dir/net.tgrd")).unwrap_err();
    assert!(matches!(err, PersistError::Io { .. }), "{err:?}");

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_truncation_is_a_length_error() {
    let bytes = saved(&net::<Net>(12));
    for n in 0..LEN {
        assert_rejected(
            &bytes[..n],
            PersistError::Length {
                expected: LEN,
                found: n,
            },
        );
    }
}

#[test]
fn one_extra_byte_is_a_length_error() {
    let mut bytes = saved(&net::<Net>(13));
    bytes.push(0);
    assert_rejected(
        &bytes,
        PersistError::Length {
            expected: LEN,
            found: LEN + 1,
        },
    );
}

#[test]
fn wrong_magic() {
    let good = saved(&net::<Net>(14));
    for (i, b) in [b'X', b'g', b'r', 0].into_iter().enumerate() {
        let mut bytes = good.clone();
        bytes[i] = b;
        reseal(&mut bytes);
        assert_rejected(&bytes, PersistError::Magic);
    }
    // Even a short file that is not ours says so.
    assert_rejected(b"PK\x03\x04 a zip file", PersistError::Magic);
    assert_rejected(&[0; 400], PersistError::Magic);
}

#[test]
fn wrong_version() {
    let mut bytes = saved(&net::<Net>(15));
    bytes[4] = 1;
    reseal(&mut bytes);
    assert_rejected(&bytes, PersistError::Version { found: 1 });
    bytes[4] = 3;
    reseal(&mut bytes);
    assert_rejected(&bytes, PersistError::Version { found: 3 });
    bytes[4] = 0;
    bytes[5] = 1;
    reseal(&mut bytes);
    assert_rejected(&bytes, PersistError::Version { found: 256 });
}

#[test]
fn wrong_scalar_type() {
    // An f64 file into an f32 network (it is also longer; the scalar type is named first).
    let mut bytes64 = [0u8; saved_len::<f64, Net64>()];
    save(&net64(16), &mut bytes64).unwrap();
    let err = PersistError::Scalar {
        expected: "f32",
        found: 2,
    };
    assert_rejected(&bytes64, err.clone());
    assert_eq!(
        err.to_string(),
        "the file stores f64 parameters but the network uses f32"
    );

    // An f32 file into an f64 network.
    let bytes32 = saved(&net::<Net>(16));
    let mut target = net64(17);
    let before = bits64(&target);
    assert_eq!(
        load(&mut target, &bytes32),
        Err(PersistError::Scalar {
            expected: "f64",
            found: 1
        })
    );
    assert_eq!(bits64(&target), before);

    // An unknown code.
    let mut bytes = bytes32.clone();
    bytes[6] = 7;
    reseal(&mut bytes);
    let err = PersistError::Scalar {
        expected: "f32",
        found: 7,
    };
    assert_rejected(&bytes, err.clone());
    assert!(err.to_string().contains("unknown code 7"), "{err}");
}

#[test]
fn reserved_byte_must_be_zero() {
    let mut bytes = saved(&net::<Net>(18));
    bytes[7] = 1;
    reseal(&mut bytes);
    assert_rejected(&bytes, PersistError::Reserved);
}

#[test]
fn a_network_with_other_layer_sizes_is_named() {
    // 4-16-3 into 4-8-3: the first tensor differs.
    let wide = saved(&net::<Wide>(19));
    let err = PersistError::Shape {
        tensor: 0,
        expected: TensorSpec::parameter("weight", &[8, 4]),
        found: Dims::new(&[16, 4]),
    };
    assert_rejected(&wide, err.clone());
    assert_eq!(
        err.to_string(),
        "tensor 0 (layer 0 weight) has shape [16, 4] in the file but [8, 4] in the network"
    );

    // 4-8-3 into 4-8-2: the third tensor (the second layer's weights) differs.
    let bytes = saved(&net::<Net>(20));
    let mut narrow: Narrow = net(21);
    let before = bits32(&narrow);
    let err = load(&mut narrow, &bytes).unwrap_err();
    assert_eq!(
        err,
        PersistError::Shape {
            tensor: 2,
            expected: TensorSpec::parameter("weight", &[2, 8]).after(1),
            found: Dims::new(&[3, 8]),
        }
    );
    assert_eq!(
        err.to_string(),
        "tensor 2 (layer 1 weight) has shape [3, 8] in the file but [2, 8] in the network"
    );
    assert_eq!(bits32(&narrow), before);

    // 4-8-8-3 into 4-8-3 and back: another number of tensors.
    let deep = saved(&net::<Deep>(22));
    assert_rejected(
        &deep,
        PersistError::TensorCount {
            expected: 4,
            found: 6,
        },
    );
    let mut target: Deep = net(23);
    let before = bits32(&target);
    assert_eq!(
        load(&mut target, &bytes),
        Err(PersistError::TensorCount {
            expected: 6,
            found: 4
        })
    );
    assert_eq!(bits32(&target), before);

    // Transposed layer sizes: 8 × 4 weights are not 4 × 8.
    type Transposed = seq![Dense<f32, 8, 4, Relu>, Dense<f32, 4, 3>];
    let mut target: Transposed = Transposed::default();
    assert_eq!(
        load(&mut target, &bytes),
        Err(PersistError::Shape {
            tensor: 0,
            expected: TensorSpec::parameter("weight", &[4, 8]),
            found: Dims::new(&[8, 4]),
        })
    );
}

#[test]
fn a_wrong_parameter_count_is_reported() {
    let mut bytes = saved(&net::<Net>(24));
    bytes[12] = 66;
    reseal(&mut bytes);
    assert_rejected(
        &bytes,
        PersistError::ValueCount {
            expected: 67,
            found: 66,
        },
    );
    bytes[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    reseal(&mut bytes);
    assert_rejected(
        &bytes,
        PersistError::ValueCount {
            expected: 67,
            found: u32::MAX as usize,
        },
    );
}

#[test]
fn a_flipped_bit_is_caught() {
    let good = saved(&net::<Net>(25));
    let stored = u32::from_le_bytes(good[LEN - 4..].try_into().unwrap());
    for i in 0..LEN {
        for bit in [0, 3, 7] {
            let mut bytes = good.clone();
            bytes[i] ^= 1 << bit;
            let mut target: Net = net(26);
            let before = bits32(&target);
            let err = load(&mut target, &bytes).unwrap_err();
            assert_eq!(bits32(&target), before);
            if i >= DATA {
                // In the values or the checksum itself: the checksum does not match.
                let found = u32::from_le_bytes(bytes[LEN - 4..].try_into().unwrap());
                let expected = fnv1a32(&bytes[..LEN - 4]);
                assert_ne!(expected, found);
                assert_eq!(err, PersistError::Checksum { expected, found });
                if i < LEN - 4 {
                    assert_eq!(found, stored);
                }
            }
        }
    }
    let mut bytes = good.clone();
    bytes[DATA + 10] ^= 0x10;
    let err = load(&mut Net::default(), &bytes).unwrap_err();
    assert!(err.to_string().contains("corrupted"), "{err}");
}

#[test]
fn a_nan_or_infinite_value_is_refused() {
    let good = saved(&net::<Net>(27));
    for (index, value) in [
        (0, f32::NAN),
        (5, -f32::NAN),
        (33, f32::INFINITY),
        (66, f32::NEG_INFINITY),
    ] {
        let mut bytes = good.clone();
        let at = DATA + 4 * index;
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        reseal(&mut bytes);
        assert_rejected(&bytes, PersistError::NonFinite { index });
    }
    // With two bad values, the first one is named.
    let mut bytes = good.clone();
    bytes[DATA + 4 * 7..DATA + 4 * 8].copy_from_slice(&f32::NAN.to_le_bytes());
    bytes[DATA + 4 * 3..DATA + 4 * 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
    reseal(&mut bytes);
    assert_rejected(&bytes, PersistError::NonFinite { index: 3 });
}

#[test]
fn random_garbage_never_panics_and_is_refused() {
    let mut rng = Rng::new(0x7467_7264);
    let good = saved(&net::<Net>(28));
    let mut random = |n: usize| -> Vec<u8> { (0..n).map(|_| rng.next_u64() as u8).collect() };
    for n in (0..=700).chain([1000, 4096]) {
        // Entirely random.
        assert!(load(&mut net::<Net>(29), &random(n)).is_err());
    }
    for n in 0..=700 {
        // A valid header followed by random bytes: never a panic, always an error, the
        // network unchanged.
        let mut bytes = random(n);
        let keep = n.min(DATA);
        bytes[..keep].copy_from_slice(&good[..keep]);
        let mut target: Net = net(30);
        let before = bits32(&target);
        assert!(load(&mut target, &bytes).is_err(), "length {n}");
        assert_eq!(bits32(&target), before);
    }
    let (mut accepted, mut refused) = (0, 0);
    for seed in 0..200 {
        // Random values with a valid header and checksum: accepted only if all are finite.
        let mut bytes = random(LEN);
        bytes[..DATA].copy_from_slice(&good[..DATA]);
        if seed % 2 == 0 {
            // Random but finite values.
            for i in 0..67 {
                let at = DATA + 4 * i;
                bytes[at + 3] &= 0x7F; // exponent below all-ones: finite
                bytes[at + 3] |= (seed as u8) & 0x80;
            }
        }
        reseal(&mut bytes);
        let mut target: Net = net(31);
        let before = bits32(&target);
        match load(&mut target, &bytes) {
            Ok(()) => {
                assert!(
                    bits32(&target)
                        .iter()
                        .all(|&b| f32::from_bits(b).is_finite())
                );
                assert_eq!(saved(&target), bytes);
                accepted += 1;
            }
            Err(PersistError::NonFinite { .. }) => {
                assert_eq!(bits32(&target), before);
                refused += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        accepted >= 100 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn save_needs_a_large_enough_buffer() {
    let original: Net = net(32);
    let mut small = [0xAAu8; LEN - 1];
    assert_eq!(
        save(&original, &mut small),
        Err(PersistError::BufferTooSmall {
            needed: LEN,
            available: LEN - 1,
        })
    );
    assert!(small.iter().all(|&b| b == 0xAA), "nothing is written");
    assert_eq!(
        save(&original, &mut []),
        Err(PersistError::BufferTooSmall {
            needed: LEN,
            available: 0,
        })
    );

    // A larger buffer: only the first `saved_len` bytes are written.
    let mut large = [0xAAu8; LEN + 10];
    assert_eq!(save(&original, &mut large), Ok(LEN));
    assert!(large[LEN..].iter().all(|&b| b == 0xAA));
    assert_eq!(&large[..LEN], &saved(&original)[..]);
}

#[test]
fn save_refuses_a_non_finite_network() {
    let mut original: Net = net(33);
    original.1.bias[1] = f32::NAN;
    let mut buf = [0u8; LEN];
    assert_eq!(
        save(&original, &mut buf),
        Err(PersistError::NonFinite { index: 65 })
    );
    assert!(buf.iter().all(|&b| b == 0), "nothing is written");
}

#[test]
fn hyper_parameters_are_kept_from_the_target() {
    type Leaky = seq![Dense<f32, 4, 8, LeakyRelu>, Dense<f32, 8, 3>];
    let mut original: Leaky = net(34);
    original.0.activation = LeakyRelu::new(0.2);
    let bytes = saved(&original);
    let mut target = Leaky::default();
    target.0.activation = LeakyRelu::new(0.05);
    load(&mut target, &bytes).unwrap();
    assert_eq!(bits32(&target), bits32(&original));
    assert_eq!(target.0.activation, LeakyRelu::new(0.05));
    // The same parameters load into a network with another activation of the same sizes.
    let mut relu = Net::default();
    load(&mut relu, &bytes).unwrap();
    assert_eq!(bits32(&relu), bits32(&original));
}

#[test]
fn errors_read_as_sentences() {
    let cases = [
        (
            PersistError::BufferTooSmall {
                needed: 320,
                available: 100,
            },
            "the buffer has 100 bytes but the saved parameters need 320",
        ),
        (
            PersistError::Length {
                expected: 320,
                found: 319,
            },
            "the file has 319 bytes but a file of this network has exactly 320",
        ),
        (
            PersistError::Version { found: 1 },
            "the file was written by an older format (version 1) than this library reads \
             (version 2): load it with the typegrad release that wrote it and save it again \
             with this one, or train the network again",
        ),
        (
            PersistError::TensorCount {
                expected: 4,
                found: 6,
            },
            "the file has 6 tensors but the network has 4",
        ),
        (
            PersistError::ValueCount {
                expected: 67,
                found: 66,
            },
            "the file has 66 values but the network has 67",
        ),
        (
            PersistError::NonFinite { index: 3 },
            "value 3 (counting from 0: the parameters in visiting order, then the buffers) is \
             NaN or infinite",
        ),
        (
            PersistError::Checksum {
                expected: 0x1234_5678,
                found: 0xdead_beef,
            },
            "the checksum does not match: the file stores 0xdeadbeef but its contents give \
             0x12345678, so the file is corrupted",
        ),
    ];
    for (err, text) in cases {
        assert_eq!(err.to_string(), text);
    }
    assert!(PersistError::Magic.to_string().contains("TGRD"));
    assert!(PersistError::Reserved.to_string().contains("reserved"));
    let err: Box<dyn std::error::Error> = Box::new(PersistError::Magic);
    assert!(err.to_string().starts_with("not a typegrad parameter file"));
}

#[test]
fn fnv1a32_matches_known_values() {
    assert_eq!(fnv1a32(b""), 0x811c_9dc5);
    assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
    assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
}

#[test]
fn a_malformed_tensor_description_is_refused() {
    let good = saved(&net::<Net>(30));
    // Tensor 1 (the first bias) starts at byte 16 + 20.
    let at = 16 + 20;
    for (offset, value) in [(1, 5u8), (2, 1), (3, 9), (4 + 4 * 3, 1)] {
        let mut bytes = good.clone();
        bytes[at + offset] = value;
        reseal(&mut bytes);
        assert_rejected(&bytes, PersistError::Malformed { tensor: 1 });
    }
    // A parameter described as a buffer, and an unknown kind.
    let mut bytes = good.clone();
    bytes[at] = 1;
    reseal(&mut bytes);
    let expected = TensorSpec::parameter("bias", &[8]);
    let err = PersistError::Kind {
        tensor: 1,
        expected,
        found: 1,
    };
    assert_rejected(&bytes, err.clone());
    assert_eq!(
        err.to_string(),
        "tensor 1 (layer 0 bias [8]) is a buffer in the file but a parameter in the network"
    );
    bytes[at] = 7;
    reseal(&mut bytes);
    assert_rejected(
        &bytes,
        PersistError::Kind {
            tensor: 1,
            expected,
            found: 7,
        },
    );
    // A bias stored as [8, 1] (the old rows × columns) is a shape error.
    let mut bytes = good.clone();
    bytes[at + 1] = 2;
    bytes[at + 8] = 1;
    reseal(&mut bytes);
    assert_rejected(
        &bytes,
        PersistError::Shape {
            tensor: 1,
            expected,
            found: Dims::new(&[8, 1]),
        },
    );
}
