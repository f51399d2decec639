use typegrad::Batch;

fn main() {
    let predictions = Batch::<f32, 32, 10>::zeros();
    let targets = Batch::<f32, 16, 10>::zeros();
    let _err = predictions - targets; // batches of 32 and 16 samples
}
