//! What `quant::tflite::declare` writes for the four MLPerf Tiny int8 files and the hybrid float KWS (`cargo run --example
//! tflite_declare -- FILE NAME`); `tests/tflite/import.rs` keeps them so.

#[path = "ad01_int8.rs"]
pub mod ad01;
#[path = "kws_ref_model.rs"]
pub mod kws;
#[path = "kws_ref_model_float32.rs"]
pub mod kws_hybrid;
#[path = "pretrainedResnet_quant.rs"]
pub mod resnet8;
#[path = "vww_96_int8.rs"]
pub mod vww;
