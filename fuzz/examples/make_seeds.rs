//! Writes the seed corpora in fuzz/seeds/<target>/ with the crate's own writers.
//!
//!     cd fuzz && cargo run --example make_seeds
//!
//! (An example, not a `[[bin]]`: the fuzz targets' build flags would break its link, and
//! `cargo fuzz build` builds every bin.)

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::interop::safetensors::to_bytes;
use typegrad::nn::{Dense, Layer, Parameters};
use typegrad::optim::{AdaGrad, Adam, Clip, Momentum, Optimizer, RmsProp, Schedule, Settings, Sgd};
use typegrad::persist::{save, saved_len};
use typegrad_fuzz::{Format, NAMES, Net, known_net};

type Net64 = typegrad::seq![Dense<f64, 4, 8, Relu>, Dense<f64, 8, 3>];

fn dir(target: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).unwrap();
}

/// A network whose weights make a varied gradient.
fn gradient(seed: u64) -> Net {
    let mut g = known_net(seed);
    g.visit_mut(&mut |s| s.iter_mut().for_each(|x| *x *= 0.1));
    g
}

/// `value` after two steps, as the optimizer seed for selector `kind` in both formats.
fn optimizer<O: Optimizer<f32, Net> + Serialize>(dir: &Path, kind: u8, name: &str, mut opt: O) {
    let mut net = known_net(11);
    for seed in [21, 22] {
        opt.step(&mut net, &gradient(seed)).unwrap();
    }
    for format in [Format::Postcard, Format::Json] {
        let mut bytes = vec![(kind << 1) | format.bit()];
        bytes.extend(format.to_bytes(&opt).unwrap());
        let ext = if format == Format::Json {
            "json"
        } else {
            "postcard"
        };
        write(dir, &format!("{name}.{ext}"), &bytes);
    }
}

/// The `.tflite` file of `F` quantized (He-initialized from `seed`, calibrated on 16
/// pseudo-random samples).
fn tflite_seed<F>(seed: u64) -> Vec<u8>
where
    F: typegrad::quant::Quantize + Layer<f32> + Default,
    F::Quantized: typegrad::quant::tflite::Describe,
    <F::Quantized as typegrad::quant::QLayer>::In: typegrad::quant::QSample,
    F::In: typegrad::shape::Port,
{
    use typegrad::shape::Port;
    let mut net = F::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    let mut rng = Rng::new(seed + 1);
    let samples: Vec<_> = (0..16)
        .map(|_| <F::In as Port>::sample(|_| rng.uniform(-1.0f32, 1.0)))
        .collect();
    typegrad::quant::tflite::to_tflite(&typegrad::quant::quantize(&net, &samples))
}

fn main() {
    // tflite: typegrad's writer on the three network types the target loads (scripts/fuzz.sh
    // adds the MLPerf Tiny reference files of tests/fixtures/mlperf_tiny).
    let d = dir("tflite");
    write(&d, "mlp.tflite", &tflite_seed::<typegrad_fuzz::tflite::FloatMlp>(1));
    write(&d, "cnn.tflite", &tflite_seed::<typegrad_fuzz::tflite::FloatCnn>(2));
    write(&d, "res.tflite", &tflite_seed::<typegrad_fuzz::tflite::FloatRes>(3));

    // persist
    let d = dir("persist");
    for seed in [1, 7] {
        let mut buf = [0u8; saved_len::<f32, Net>()];
        save(&known_net(seed), &mut buf).unwrap();
        write(&d, &format!("net_seed{seed}.tgrd"), &buf);
    }
    let mut zeros = [0u8; saved_len::<f32, Net>()];
    save(&Net::default(), &mut zeros).unwrap();
    write(&d, "net_zeros.tgrd", &zeros);

    // safetensors: typegrad's own f32 and f64 files, and the PyTorch fixtures.
    let d = dir("safetensors");
    write(
        &d,
        "net_f32.safetensors",
        &to_bytes(&known_net(3), NAMES).unwrap(),
    );
    let mut net64 = Net64::default();
    net64.init(&mut Rng::new(3), Init::HeUniform);
    write(&d, "net_f64.safetensors", &to_bytes(&net64, NAMES).unwrap());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    for entry in fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "safetensors") {
            fs::copy(&path, d.join(path.file_name().unwrap())).unwrap();
        }
    }

    // serde_network: selector byte, then the network.
    let d = dir("serde_network");
    for format in [Format::Postcard, Format::Json] {
        let mut bytes = vec![format.bit()];
        bytes.extend(format.to_bytes(&known_net(5)).unwrap());
        let ext = if format == Format::Json {
            "json"
        } else {
            "postcard"
        };
        write(&d, &format!("net.{ext}"), &bytes);
    }

    // serde_optimizer: selector byte (kind << 1 | format), then the optimizer, after two
    // steps, with a variety of settings.
    let d = dir("serde_optimizer");
    let net = known_net(11);
    let base = Settings::new(0.05);
    optimizer(&d, 0, "sgd", Sgd::new(base.with_clip(Clip::Value(0.5))));
    optimizer(
        &d,
        1,
        "momentum_nesterov",
        Momentum::nesterov(
            &net,
            base.with_weight_decay(1e-4).with_schedule(Schedule::Step {
                initial: 0.05,
                factor: 0.5,
                every: 1,
            }),
            0.9,
        ),
    );
    optimizer(
        &d,
        2,
        "adagrad",
        AdaGrad::new(
            &net,
            base.with_schedule(Schedule::Exponential {
                initial: 0.1,
                decay: 0.99,
            }),
        ),
    );
    optimizer(
        &d,
        3,
        "rmsprop",
        RmsProp::new(&net, base.with_clip(Clip::Norm(1.0))),
    );
    optimizer(
        &d,
        4,
        "adamw",
        Adam::adamw(
            &net,
            base.with_schedule(Schedule::Cosine {
                initial: 0.01,
                min: 0.001,
                steps: 100,
            }),
            0.01,
        ),
    );

    // serde_optimizer, mode 1 (selector bit 7): bytes that choose valid hyper-parameters
    // and gradients.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for kind in 0..5u8 {
        let mut bytes = vec![0x80 | (kind << 1) | (kind & 1)];
        bytes.extend((0..560).map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        }));
        write(&d, &format!("valid_{kind}.bin"), &bytes);
    }

    // csv: dataset text, NUL, split text (or one text for both).
    let d = dir("csv");
    let csv = "a,b,c,d,label\n5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,1\n6.3,3.3,6.0,2.5,2\n";
    write(
        &d,
        "iris_split.txt",
        format!("{csv}\0train\ntest\ntrain\n").as_bytes(),
    );
    write(
        &d,
        "crlf_split.txt",
        b"x1, x2 ,x3,x4,y\r\n1,2,3,4,5\r\n-1e-3,2.5e10,0,-0,1\r\n\r\n\0test\r\ntrain\r\n",
    );
    write(
        &d,
        "constant_column.txt",
        b"a,b,c,d,y\n1,1,2,-3,0\n1,2,2,-3,1\n1,3,2,-3,0\n\0train\ntrain\ntest\n",
    );
    write(&d, "header_only.txt", b"a,b,c,d,y\n");
    write(&d, "split_only.txt", b"train\ntest\n\n");
}
