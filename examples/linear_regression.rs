//! Linear regression on the classic `y = 4 + 3x + noise` data (100 points), fitted three ways —
//! full-batch gradient descent, single-sample SGD and mini-batch SGD — and compared with the
//! closed-form least-squares solution. Writes a plot of the data and the fitted lines.
//!
//! Run: `cargo run --release --example linear_regression`

mod common;

use std::error::Error;

use typegrad::Vector;
use typegrad::data::Dataset;
use typegrad::loss::Mse;
use typegrad::nn::Dense;
use typegrad::optim::{Settings, Sgd};
use typegrad::train::{Data, FitConfig, Trainer};

/// `ŷ = w·x + b`: one input, one output, no activation.
type Line = Dense<f64, 1, 1>;

/// Fits a line with SGD in batches of `B`; returns (intercept, slope, final training MSE).
fn fit_line<const B: usize>(
    xs: &[Vector<f64, 1>],
    ys: &[Vector<f64, 1>],
    epochs: usize,
    learning_rate: f64,
) -> Result<(f64, f64, f64), Box<dyn Error>> {
    let mut line = Line::default(); // w = 0, b = 0
    let sgd = Sgd::new(Settings::new(learning_rate));
    let mut order = vec![0; xs.len()];
    let mut last_loss = f64::NAN;
    let config = FitConfig::<B> {
        epochs,
        shuffle: true,
        seed: 7,
        divergence: None,
    };
    Trainer::new(&line, sgd, Mse).fit(
        &mut line,
        Data::new(xs, ys),
        None,
        &mut order,
        config,
        |r, _| last_loss = r.loss,
    )?;
    Ok((line.bias[0], line.weights[(0, 0)], last_loss))
}

fn main() -> Result<(), Box<dyn Error>> {
    let data =
        Dataset::<f64, 1>::load_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/linear_toy.csv"))?;
    let xs = &data.features;
    let ys: Vec<Vector<f64, 1>> = data.targets.iter().map(|&y| Vector::new([y])).collect();

    // Closed form: slope = cov(x, y) / var(x), intercept = ȳ − slope·x̄.
    let n = xs.len() as f64;
    let x_mean = xs.iter().map(|x| x[0]).sum::<f64>() / n;
    let y_mean = data.targets.iter().sum::<f64>() / n;
    let cov: f64 = xs
        .iter()
        .zip(&data.targets)
        .map(|(x, y)| (x[0] - x_mean) * (y - y_mean))
        .sum();
    let var: f64 = xs.iter().map(|x| (x[0] - x_mean).powi(2)).sum();
    let slope = cov / var;
    let intercept = y_mean - slope * x_mean;

    let full = fit_line::<100>(xs, &ys, 2000, 0.1)?; // full batch: all 100 points per step
    let single = fit_line::<1>(xs, &ys, 100, 0.01)?; // single-sample SGD
    let mini = fit_line::<10>(xs, &ys, 300, 0.05)?; // mini-batches of 10

    println!("{} points of y = 4 + 3x + noise\n", xs.len());
    println!(
        "{:<28} {:>10} {:>10} {:>12}",
        "method", "intercept", "slope", "train MSE"
    );
    println!(
        "{:<28} {:>10.4} {:>10.4} {:>12}",
        "closed-form least squares", intercept, slope, ""
    );
    for (name, (b, w, mse)) in [
        ("batch gradient descent", full),
        ("single-sample SGD", single),
        ("mini-batch SGD (10)", mini),
    ] {
        println!("{name:<28} {b:>10.4} {w:>10.4} {mse:>12.4}");
    }

    let path = common::plot_path("linear_regression.svg")?;
    let points: Vec<(f64, f64)> = xs
        .iter()
        .zip(&data.targets)
        .map(|(x, &y)| (x[0], y))
        .collect();
    common::scatter_with_lines(
        &path,
        "y = 4 + 3x + noise",
        &points,
        &[
            ("closed-form least squares", intercept, slope),
            ("batch gradient descent", full.0, full.1),
            ("single-sample SGD", single.0, single.1),
            ("mini-batch SGD (10)", mini.0, mini.1),
        ],
    )?;
    println!("\nplot written to {}", path.display());
    Ok(())
}
