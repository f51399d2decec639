//! The `.tflite` reader on the MLPerf Tiny reference files (tests/fixtures/mlperf_tiny/): every
//! operator, option and tensor reads, and what it reads is what the files' README lists.

use typegrad::quant::tflite::{Builtin, Model, Options, Padding};

const KWS: &[u8] = include_bytes!("fixtures/mlperf_tiny/kws_ref_model.tflite");
const RESNET: &[u8] = include_bytes!("fixtures/mlperf_tiny/pretrainedResnet_quant.tflite");
const VWW: &[u8] = include_bytes!("fixtures/mlperf_tiny/vww_96_int8.tflite");
const AD01: &[u8] = include_bytes!("fixtures/mlperf_tiny/ad01_int8.tflite");

/// How many operators of each kind, every tensor of every operator read.
fn census(bytes: &[u8]) -> Vec<(Builtin, usize)> {
    let m = Model::parse(bytes).unwrap();
    let mut counts: Vec<(Builtin, usize)> = Vec::new();
    for i in 0..m.operator_count() {
        let op = m.operator(i).unwrap();
        op.options().unwrap();
        for k in 0..op.input_count() {
            let t = op.input(k).unwrap();
            if t >= 0 {
                let t = m.tensor(t).unwrap();
                t.dims().unwrap();
            }
        }
        match counts.iter_mut().find(|(b, _)| *b == op.builtin) {
            Some((_, n)) => *n += 1,
            None => counts.push((op.builtin, 1)),
        }
    }
    counts
}

#[test]
fn the_four_models_read_as_their_readme_lists_them() {
    use Builtin::*;
    assert_eq!(
        census(KWS),
        [
            (Conv2d, 5),
            (DepthwiseConv2d, 4),
            (AveragePool2d, 1),
            (Reshape, 1),
            (FullyConnected, 1),
            (Softmax, 1)
        ]
    );
    assert_eq!(
        census(RESNET),
        [
            (Conv2d, 9),
            (Add, 3),
            (AveragePool2d, 1),
            (Reshape, 1),
            (FullyConnected, 1),
            (Softmax, 1)
        ]
    );
    assert_eq!(
        census(VWW),
        [
            (Conv2d, 14),
            (DepthwiseConv2d, 13),
            (AveragePool2d, 1),
            (Reshape, 1),
            (FullyConnected, 1),
            (Softmax, 1)
        ]
    );
    assert_eq!(census(AD01), [(FullyConnected, 10)]);
}

#[test]
fn the_keyword_models_first_convolution_is_10_by_4_stride_2_same_with_relu() {
    let m = Model::parse(KWS).unwrap();
    let op = m.operator(0).unwrap();
    assert_eq!(op.builtin, Builtin::Conv2d);
    assert_eq!(
        op.options().unwrap(),
        Options::Conv2d {
            padding: Padding::Same,
            stride: [2, 2],
            activation: typegrad::quant::tflite::Activation::Relu,
        }
    );
    let filter = m.tensor(op.input(1).unwrap()).unwrap();
    assert_eq!(filter.dims().unwrap().as_slice(), [64, 10, 4, 1]);
    assert_eq!(
        (filter.scale_count(), filter.quantized_dimension()),
        (64, 0)
    );
    let input = m.tensor(m.input()).unwrap();
    assert_eq!(input.dims().unwrap().as_slice(), [1, 49, 10, 1]);
    assert_eq!(
        input.params().unwrap().zero_point,
        input.zero_point(0).unwrap() as i32
    );
}
