//! The `.tflite` reader on the MLPerf Tiny reference files and on the writer's own output.

use typegrad::quant::tflite::Model;

const MODELS: [(&str, &[u8]); 4] = [
    (
        "kws",
        include_bytes!("fixtures/mlperf_tiny/kws_ref_model.tflite"),
    ),
    (
        "resnet",
        include_bytes!("fixtures/mlperf_tiny/pretrainedResnet_quant.tflite"),
    ),
    (
        "vww",
        include_bytes!("fixtures/mlperf_tiny/vww_96_int8.tflite"),
    ),
    (
        "ad01",
        include_bytes!("fixtures/mlperf_tiny/ad01_int8.tflite"),
    ),
];

#[test]
fn dump() {
    for (name, bytes) in MODELS {
        let m = Model::parse(bytes).unwrap();
        println!(
            "== {name}: {} ops, {} tensors, in {} out {}",
            m.operator_count(),
            m.tensor_count(),
            m.input(),
            m.output()
        );
        for i in 0..m.operator_count() {
            let op = m.operator(i).unwrap();
            let ins: Vec<String> = (0..op.input_count())
                .map(|k| {
                    let t = op.input(k).unwrap();
                    if t < 0 {
                        return "-".into();
                    }
                    let tt = m.tensor(t).unwrap();
                    format!(
                        "t{t}[{}]{:?}s{}d{}",
                        tt.dims().unwrap(),
                        tt.ty,
                        tt.scale_count(),
                        tt.quantized_dimension()
                    )
                })
                .collect();
            let out = m.tensor(op.output(0).unwrap()).unwrap();
            println!(
                "{i} {} {:?} in {:?} out t{}[{}] {:?}",
                op.builtin.name(),
                op.options().unwrap(),
                ins,
                out.index,
                out.dims().unwrap(),
                out.params()
            );
        }
    }
}
