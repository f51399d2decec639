//! The `.tflite` reader and importer on arbitrary bytes.
//!
//! Invariants:
//! - reading a file (`Model::parse`, every operator with its options, every tensor with its
//!   shape, quantization and data), declaring its network type (`declare`) and loading it
//!   into typed int8 networks never panics and
//!   never reads outside the bytes (`Err` for what is malformed);
//! - a network that loads computes (`predict` on a zero input) and writes back to a file that
//!   loads into the same network (`load(to_tflite(q)) == q`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use typegrad::quant::tflite::{Describe, Load, Model, declare, load, to_tflite};
use typegrad::quant::QSample;
use typegrad_fuzz::run;
use typegrad_fuzz::tflite::{Cnn, Mlp, Res};

fn read_everything(data: &[u8]) {
    let Ok(m) = Model::parse(data) else { return };
    for i in 0..m.operator_count().min(256) {
        let Ok(op) = m.operator(i) else { continue };
        let _ = op.options();
        for k in 0..op.input_count().min(8) {
            if let Ok(t) = op.input(k) {
                let _ = m.tensor(t);
            }
        }
    }
    for t in 0..m.tensor_count().min(512) {
        let Ok(t) = m.tensor(t as i32) else { continue };
        let _ = (t.dims(), t.elements(), t.params(), t.quantized_dimension());
        for k in 0..t.scale_count().min(4) {
            let _ = (t.scale(k), t.zero_point(k));
        }
        for i in 0..4 {
            let _ = (t.i8(i), t.i32(i), t.f32(i));
        }
    }
}

fn typed<Q>(data: &[u8])
where
    Q: Load + Describe + PartialEq + core::fmt::Debug,
    Q::In: QSample,
{
    if let Ok(q) = load::<Q>(data) {
        let _ = q.predict(&Q::In::zeros());
        let again: Q = load(&to_tflite(&q)).expect("invariant: a loaded network's file loads");
        assert_eq!(again, q, "invariant: load(to_tflite(q)) == q");
    }
}

fuzz_target!(|data: &[u8]| {
    run("tflite", data, || {
        read_everything(data);
        let _ = declare(data, "Model");
        typed::<Mlp>(data);
        typed::<Cnn>(data);
        typed::<Res>(data);
    })
});
