//! Importing `.tflite` files into typed int8 networks (`quant::tflite::load`): the four MLPerf
//! Tiny reference int8 models (`tests/fixtures/mlperf_tiny/`, Apache-2.0, from
//! mlcommons/tiny) load into the int8 types of the architectures in
//! `examples/common/mlperf.rs` and give TFLite Micro's outputs on 256 seeded inputs each
//! (`scripts/reference_fixture.py` recorded them); typegrad's own files load back into the
//! network that wrote them; files of another architecture are errors naming the operator.

#[cfg(not(debug_assertions))]
use crate::autoencoder;
use crate::recorded::{self, on_a_big_stack};
use crate::{generated, mlperf};
use typegrad::quant::{QLayer, QSample, Quantize};

/// [`recorded::check_reference_file`], a failure a panic.
fn check<Q>(file: &str, samples: usize)
where
    Q: typegrad::quant::tflite::Load + QLayer,
    Q::In: QSample,
    Q::Out: QSample,
{
    if let Err(e) = recorded::check_reference_file::<Q>(file, samples) {
        panic!("{e}");
    }
}

/// Every recorded input in optimized builds, the rows kept in full in debug builds.
const SAMPLES: usize = if cfg!(debug_assertions) { 8 } else { 256 };

// The network types `declare` wrote from each file (the generate path).

#[test]
fn the_keyword_spotting_ds_cnn_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        check::<<generated::kws::Kws as Quantize>::Quantized>("kws_ref_model", SAMPLES)
    });
}

/// The type `declare` wrote for the hybrid float file: its `DynamicQuant` layers are nothing
/// in int8, so the int8 file loads into it as well.
#[test]
fn the_hybrid_keyword_spotting_type_loads_the_int8_file() {
    on_a_big_stack(|| {
        check::<<generated::kws_hybrid::KwsHybrid as Quantize>::Quantized>("kws_ref_model", 8);
        assert_eq!(
            <<generated::kws_hybrid::KwsHybrid as Quantize>::Quantized as QLayer>::ARENA_BYTES,
            <<generated::kws::Kws as Quantize>::Quantized as QLayer>::ARENA_BYTES
        );
    });
}

#[test]
fn the_resnet8_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        check::<<generated::resnet8::ResNet8 as Quantize>::Quantized>(
            "pretrainedResnet_quant",
            SAMPLES,
        )
    });
}

#[test]
fn the_mobilenet_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        check::<<generated::vww::Vww as Quantize>::Quantized>("vww_96_int8", SAMPLES)
    });
}

#[test]
fn the_autoencoder_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| check::<<generated::ad01::Ad01 as Quantize>::Quantized>("ad01_int8", 256));
}

/// The network types written by hand (`examples/common/mlperf.rs`: `Pad<0>` where the file
/// says `SAME` for a 1 × 1 kernel) load the same files (the check path; optimized builds).
#[cfg(not(debug_assertions))]
#[test]
fn hand_written_types_load_the_four_files_too() {
    on_a_big_stack(|| {
        check::<<mlperf::DsCnnSoftmax as Quantize>::Quantized>("kws_ref_model", 256);
        check::<<mlperf::ResNet8Softmax as Quantize>::Quantized>("pretrainedResnet_quant", 256);
        check::<<mlperf::MobileNetSoftmax as Quantize>::Quantized>("vww_96_int8", 256);
        check::<<autoencoder::Autoencoder as Quantize>::Quantized>("ad01_int8", 256);
    });
}

#[test]
fn declarations_are_what_declare_writes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/");
    for (file, name) in [
        ("kws_ref_model", "Kws"),
        ("pretrainedResnet_quant", "ResNet8"),
        ("vww_96_int8", "Vww"),
        ("ad01_int8", "Ad01"),
        ("kws_ref_model_float32", "KwsHybrid"),
    ] {
        let bytes = std::fs::read(format!("{dir}fixtures/mlperf_tiny/{file}.tflite")).unwrap();
        let source = typegrad::quant::tflite::declare(&bytes, name).unwrap();
        let path = format!("{dir}generated/{file}.rs");
        if std::env::var_os("TYPEGRAD_BLESS").is_some() {
            std::fs::write(&path, &source).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            source,
            "{path} is not what declare writes (TYPEGRAD_BLESS=1 rewrites it)"
        );
    }
}

mod round_trip {
    use typegrad::activation::{Relu, Relu6, Softmax};
    use typegrad::block;
    use typegrad::init::{Init, Rng};
    use typegrad::nn::{
        ActivationLayer, AvgPool2d, Conv2d, Dense, DepthwiseConv2d, Flatten, Input, Kernel, Layer,
        MaxPool2d, Pad, Projected, Residual, Same, Stride,
    };
    use typegrad::quant::tflite::{Describe, Load, load, to_tflite};
    use typegrad::quant::{QLayer, QSample, Quantize, quantize};
    use typegrad::shape::{Image, Port, Size, VectorOf};

    typegrad::network! {
        type Mlp = [
            Dense<f32, 4, 8, Relu>,
            Dense<f32, 8, 8>,
            Relu6,
            Dense<f32, 8, 3>,
            ActivationLayer<Softmax, Size<3>>,
        ];
    }

    typegrad::network! {
        type Cnn = [
            Input<Image<2, 9, 8>>,
            Conv2d<f32, 2, 6, Kernel<3>, Stride<1>, Pad<1>>,
            Relu,
            MaxPool2d<Kernel<2, 1>, Stride<2, 1>, Same>,
            DepthwiseConv2d<f32, 6, Kernel<3, 2>, Stride<2, 1>, Same>,
            Relu6,
            Conv2d<f32, 6, 5, Kernel<1>>,
            AvgPool2d<Kernel<1, 2>>,
            Flatten,
            Dense<f32, 60, 4>,
        ];
    }

    typegrad::network! {
        type ResNet = [
            Input<Image<3, 8, 8>>,
            Conv2d<f32, 3, 4, Kernel<3>, Stride<1>, Same>,
            Relu,
            Residual<block![
                Conv2d<f32, 4, 4, Kernel<3>, Stride<1>, Same>,
                Relu,
                Conv2d<f32, 4, 4, Kernel<3>, Stride<1>, Same>,
            ]>,
            Relu,
            Projected<
                block![Conv2d<f32, 4, 6, Kernel<3>, Stride<2>, Same>, Relu, Conv2d<f32, 6, 6, Kernel<3>, Stride<1>, Same>],
                Conv2d<f32, 4, 6, Kernel<1>, Stride<2>>,
            >,
            Relu,
            AvgPool2d<Kernel<4>>,
            Flatten,
            Dense<f32, 6, 3>,
        ];
    }

    /// Quantizes `net` (He-initialized from `seed`) on 32 pseudo-random samples, writes it,
    /// loads the file back: the same int8 network, the same outputs.
    fn same_after_writing_and_loading<N>(seed: u64)
    where
        N: Quantize + Layer<f32> + Default,
        N::Quantized: Describe + Load + PartialEq + core::fmt::Debug,
        <N::Quantized as QLayer>::In: QSample<Real = VectorOf<f32, N::In>>,
        <N::Quantized as QLayer>::Out: QSample + PartialEq + core::fmt::Debug,
        N::In: Port,
    {
        let mut net = N::default();
        net.init(&mut Rng::new(seed), Init::HeUniform);
        let mut rng = Rng::new(seed + 1);
        let samples: Vec<VectorOf<f32, N::In>> = (0..32)
            .map(|_| <N::In as Port>::sample(|_| rng.uniform(-1.0f32, 1.0)))
            .collect();
        let q = quantize(&net, &samples);
        let bytes = to_tflite(&q);
        let back: N::Quantized = load(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, q);
        // And `declare` writes a declaration for typegrad's own file.
        typegrad::quant::tflite::declare(&bytes, "Net").unwrap_or_else(|e| panic!("{e}"));
        for x in &samples {
            let x = q.quantize_input(x);
            assert_eq!(back.predict(&x), q.predict(&x));
        }
    }

    typegrad::network! {
        type Signal1d = [
            Input<typegrad::shape::Signal<3, 20>>,
            typegrad::nn::Conv1d<f32, 3, 4, 5, 2, 2>,
            Relu,
            typegrad::nn::MaxPool1d<2>,
            typegrad::nn::Conv1d<f32, 4, 4, 3, 1, 1>,
            Relu,
            typegrad::nn::AvgPool1d<2>,
            Flatten,
            Dense<f32, 8, 5, Relu>,
            Dense<f32, 5, 2>,
        ];
    }

    typegrad::network! {
        type Motions = [
            Input<typegrad::shape::Signal<6, 100>>,
            typegrad::nn::Conv1d<f32, 6, 8, 5, 2, 2>,
            Relu,
            typegrad::nn::MaxPool1d<2>,
            typegrad::nn::Conv1d<f32, 8, 8, 5, 1, 2>,
            Relu,
            typegrad::nn::GlobalAvgPool1d,
            Dense<f32, 8, 4>,
        ];
    }

    #[test]
    fn one_dimensional_networks() {
        same_after_writing_and_loading::<Signal1d>(6);
        same_after_writing_and_loading::<Motions>(7);
    }

    #[test]
    fn an_mlp_with_relu6_and_softmax() {
        same_after_writing_and_loading::<Mlp>(3);
    }

    #[test]
    fn a_cnn_with_explicit_and_same_padding_depthwise_and_same_pools() {
        same_after_writing_and_loading::<Cnn>(4);
    }

    #[test]
    fn a_resnet_with_identity_and_projection_shortcuts() {
        same_after_writing_and_loading::<ResNet>(5);
    }
}

mod errors {
    use super::mlperf;
    use typegrad::activation::Relu;
    use typegrad::nn::{
        AvgPool2d, Conv2d, Dense, DepthwiseConv2d, Flatten, Input, Kernel, Same, Stride,
    };
    use typegrad::quant::Quantize;
    use typegrad::quant::tflite::{Model, Problem, load};

    const KWS: &[u8] = include_bytes!("../fixtures/mlperf_tiny/kws_ref_model.tflite");

    typegrad::network! {
        /// The DS-CNN's front with 32 filters instead of 64.
        type Narrow = [
            Input<typegrad::shape::Image<1, 49, 10>>,
            Conv2d<f32, 1, 32, Kernel<10, 4>, Stride<2>, Same>,
            Relu,
            DepthwiseConv2d<f32, 32, Kernel<3>, Stride<1>, Same>,
            Relu,
            AvgPool2d<Kernel<25, 5>>,
            Flatten,
            Dense<f32, 32, 12>,
        ];
    }

    fn message<Q: typegrad::quant::tflite::Load>(bytes: &[u8]) -> String
    where
        Q::In: typegrad::quant::QSample,
    {
        match load::<Q>(bytes) {
            Ok(_) => panic!("loaded a file of another architecture"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn another_architecture_names_the_operator_and_what_differs() {
        assert_eq!(
            message::<<Narrow as Quantize>::Quantized>(KWS),
            "operator 0 (CONV_2D): the file's CONV_2D gives 1 × 25 × 5 × 64, the network's \
             layer 0 gives 1 × 25 × 5 × 32"
        );
        assert_eq!(
            message::<<mlperf::ResNet8Softmax as Quantize>::Quantized>(KWS),
            "the file's input is 1 × 49 × 10 × 1, the network needs 1 × 32 × 32 × 3"
        );
    }

    #[test]
    fn an_unsupported_option_names_the_operator_and_the_field() {
        // Operator 1's DepthwiseConv2DOptions.depth_multiplier (1 in the file) set to 2.
        let m = Model::parse(KWS).unwrap();
        assert!(m.operator(1).is_ok());
        let mut bytes = KWS.to_vec();
        let at = find_depth_multiplier(&bytes);
        bytes[at] = 2;
        let e = Model::parse(&bytes).unwrap().operator(1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "operator 1 (DEPTHWISE_CONV_2D): depth_multiplier 2 is not supported"
        );
        assert_eq!(e.operator, Some((1, 4)));
        assert_eq!(
            e.problem,
            Problem::Unsupported {
                what: "depth_multiplier",
                value: 2
            }
        );
    }

    /// The byte of operator 1's `depth_multiplier` (field 3 of its options table), found by
    /// reading the flatbuffer by hand.
    fn find_depth_multiplier(b: &[u8]) -> usize {
        let u32_at = |p: usize| u32::from_le_bytes(b[p..p + 4].try_into().unwrap()) as usize;
        let table = |p: usize| {
            let vt =
                (p as i64 - i32::from_le_bytes(b[p..p + 4].try_into().unwrap()) as i64) as usize;
            move |id: usize| {
                let off =
                    u16::from_le_bytes(b[vt + 4 + 2 * id..vt + 6 + 2 * id].try_into().unwrap());
                p + off as usize
            }
        };
        let deref = |p: usize| p + u32_at(p);
        let root = table(u32_at(0));
        let subgraphs = deref(root(2));
        let graph = table(deref(subgraphs + 4));
        let ops = deref(graph(3));
        let op1 = table(deref(ops + 4 + 4));
        let options = table(deref(op1(4)));
        options(3)
    }

    #[test]
    fn cut_or_corrupted_files_are_errors_never_panics() {
        super::on_a_big_stack(cut_or_corrupted);
    }

    fn cut_or_corrupted() {
        type Kws = <mlperf::DsCnnSoftmax as Quantize>::Quantized;
        for len in (0..KWS.len()).step_by(61) {
            assert!(
                load::<Kws>(&KWS[..len]).is_err(),
                "a file cut at {len} bytes loaded"
            );
        }
        // Every byte of the first 512 (the root table, vtables, offsets) and some of the rest
        // (the fuzz target `tflite` covers more).
        let mut bytes = KWS.to_vec();
        let positions = (0..512).chain((512..KWS.len()).step_by(199));
        for at in positions {
            for flip in [0x01u8, 0x80] {
                bytes[at] ^= flip;
                let _ = load::<Kws>(&bytes);
                if let Ok(m) = Model::parse(&bytes) {
                    for i in 0..m.operator_count().min(64) {
                        let _ = m.operator(i);
                    }
                }
                bytes[at] ^= flip;
            }
        }
    }
}

/// Multiply-accumulates per inference, by hand for the DS-CNN: the 10 × 4 convolution
/// (25 · 5 · 64 outputs × 40 taps), four depthwise 3 × 3 (8,000 outputs × 9), four pointwise
/// (8,000 × 64) and the last dense layer (64 · 12).
#[test]
fn multiply_accumulates_are_counted_per_layer() {
    type Kws = <generated::kws::Kws as Quantize>::Quantized;
    assert_eq!(
        <Kws as QLayer>::MACS,
        25 * 5 * 64 * 40 + 4 * 8000 * 9 + 4 * 8000 * 64 + 64 * 12
    );
    // The autoencoder: 640-128-128-128-128-8-128-128-128-128-640.
    type Ad01 = <generated::ad01::Ad01 as Quantize>::Quantized;
    assert_eq!(
        <Ad01 as QLayer>::MACS,
        2 * 640 * 128 + 6 * 128 * 128 + 2 * 128 * 8
    );
}
