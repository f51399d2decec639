//! Softmax regression on Fisher's iris flowers: one dense layer 4 → 3 with softmax
//! cross-entropy, features standardized with the training rows' statistics, trained by
//! full-batch gradient descent with momentum on 100 of the 120 training rows; the other 20
//! (held out at random, seeded) are the validation set reported every 40 epochs.
//!
//! Run: `cargo run --release --example iris`

use std::error::Error;

use typegrad::data::{Dataset, Split, Standardizer};
use typegrad::loss::SoftmaxCrossEntropy;
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Momentum, Settings};
use typegrad::train::{Data, FitConfig, Trainer, evaluate};

/// Softmax regression: scores `z = W·x + b` for 3 species from 4 measurements; the softmax
/// lives in the loss (`SoftmaxCrossEntropy` takes logits).
type SoftmaxRegression = Dense<f64, 4, 3>;
const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];

fn main() -> Result<(), Box<dyn Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let iris = Dataset::<f64, 4>::load_csv(format!("{dir}/iris.csv"))?;
    let (train, mut test) = iris.split(&Split::load(format!("{dir}/iris_split.txt"))?)?;
    // 20 of the 120 training rows, chosen at random (seed 5), for validation.
    let (mut train, mut validation) = train.hold_out(20, 5)?;
    let scaler = Standardizer::fit(&train)?; // training rows only
    scaler.transform_dataset(&mut train);
    scaler.transform_dataset(&mut validation);
    scaler.transform_dataset(&mut test);
    let train_labels = train.class_labels::<3>()?;
    let (validation_labels, test_labels) =
        (validation.class_labels::<3>()?, test.class_labels::<3>()?);

    let mut model = SoftmaxRegression::default();
    let optimizer = Momentum::new(&model, Settings::new(0.1), 0.9);
    let mut order = vec![0; train.len()];
    let loss = SoftmaxCrossEntropy;
    // Full batch: all 100 training rows in every step.
    let config = FitConfig::<100> {
        epochs: 200,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    Trainer::new(&model, optimizer, loss).fit(
        &mut model,
        Data::new(&train.features, &train_labels),
        Some(Data::new(&validation.features, &validation_labels)),
        &mut order,
        config,
        |r, _| {
            if r.epoch % 40 == 0 {
                let v = r.validation.as_ref();
                println!(
                    "epoch {:>3}  loss {:.4}  train accuracy {:.4}  validation loss {:.4}  \
                     validation accuracy {:.4}",
                    r.epoch,
                    r.loss,
                    r.accuracy.unwrap_or(f64::NAN),
                    v.map_or(f64::NAN, |v| v.loss),
                    v.and_then(|v| v.accuracy).unwrap_or(f64::NAN)
                );
            }
        },
    )?;

    let test_eval = evaluate(&model, &loss, &test.features, &test_labels)?;
    let (test_loss, accuracy) = (test_eval.loss, test_eval.accuracy);
    println!(
        "\nconfusion matrix on the {} test flowers (rows: true, columns: predicted)",
        test.len()
    );
    let mut confusion = [[0usize; 3]; 3];
    for (x, label) in test.features.iter().zip(&test_labels) {
        confusion[label.index()][model.predict(x).argmax()] += 1;
    }
    for (name, row) in SPECIES.iter().zip(confusion) {
        println!("{name:>11} {:>3} {:>3} {:>3}", row[0], row[1], row[2]);
    }
    println!("test loss {test_loss:.4}");
    println!("test accuracy: {:.4}", accuracy.ok_or("no accuracy")?);
    Ok(())
}
