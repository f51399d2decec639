//! Helpers shared by the examples: where plots go, and two small SVG charts (plotters, pure
//! Rust, no system libraries).

#![allow(dead_code)]

pub mod autoencoder;
pub mod int8_layers;
pub mod mlperf;
pub mod recorded;

use std::error::Error;
use std::path::PathBuf;

use plotters::prelude::*;

/// `target/plots/<name>`, created if needed.
pub fn plot_path(name: &str) -> Result<PathBuf, Box<dyn Error>> {
    output_path(&format!("plots/{name}"))
}

/// `target/<name>`, with its directory created if needed.
pub fn output_path(name: &str) -> Result<PathBuf, Box<dyn Error>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(name);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    Ok(path)
}

/// Colours that read well on white and apart from each other (matplotlib's first five).
const COLORS: [RGBColor; 5] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
];

/// The range of some values, padded by 5 %.
fn range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad)..(hi + pad)
}

/// Learning curves in two panels sharing the epoch axis: losses on top, accuracies below, each
/// panel with its own y axis; integer epoch ticks; the legends in the corner the curves leave
/// free (upper right for falling losses, lower right for rising accuracies).
pub fn learning_curves(
    path: &PathBuf,
    title: &str,
    losses: &[(&str, Vec<(f64, f64)>)],
    accuracies: &[(&str, Vec<(f64, f64)>)],
) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (800, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 24))?;
    let (top, bottom) = root.split_vertically(300);
    let epochs = losses
        .iter()
        .chain(accuracies)
        .flat_map(|(_, s)| s.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    let panels = [
        (&top, "loss", losses, SeriesLabelPosition::UpperRight, 0),
        (
            &bottom,
            "accuracy",
            accuracies,
            SeriesLabelPosition::LowerRight,
            losses.len(),
        ),
    ];
    for (area, y_label, series, corner, first_color) in panels {
        let ys = range(series.iter().flat_map(|(_, s)| s.iter().map(|p| p.1)));
        let mut chart = ChartBuilder::on(area)
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..epochs, ys)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(y_label)
            .x_labels(((epochs as usize).min(10)) + 1)
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .draw()?;
        for (i, (name, points)) in series.iter().enumerate() {
            let color = COLORS[(first_color + i) % COLORS.len()];
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(2),
                ))?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(corner)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// Scatter plot of data points with one or more fitted lines y = a + b·x (drawn dashed from the
/// second line on, so that lines on top of each other stay visible); the legend in the upper
/// left, which data rising to the right leave free.
pub fn scatter_with_lines(
    path: &PathBuf,
    title: &str,
    points: &[(f64, f64)],
    lines: &[(&str, f64, f64)],
) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let xs = range(points.iter().map(|p| p.0));
    let ys = range(points.iter().map(|p| p.1));
    let (x0, x1) = (xs.start, xs.end);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(xs, ys)?;
    chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 3, BLUE.mix(0.6).filled())),
        )?
        .label("data")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.filled()));
    for (i, &(name, a, b)) in lines.iter().enumerate() {
        let color = COLORS[(i + 1) % COLORS.len()];
        let style = color.stroke_width(if i == 0 { 3 } else { 2 });
        let line = [(x0, a + b * x0), (x1, a + b * x1)];
        let drawn = if i == 0 {
            chart.draw_series(LineSeries::new(line, style))?
        } else {
            // Dashes of a length that differs per line, so coinciding lines interleave.
            chart.draw_series(DashedLineSeries::new(line, 6 + 3 * i as u32, 6, style))?
        };
        drawn.label(name).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
        });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// [`QLayer::ARENA_BYTES`](typegrad::quant::QLayer::ARENA_BYTES) of a quantized network:
/// the activation memory of one inference in [`QLayer::predict_in`](typegrad::quant::QLayer::predict_in).
pub fn arena_bytes<Q: typegrad::quant::QLayer>(_: &Q) -> usize {
    Q::ARENA_BYTES
}

/// Writes the `.tflite` file typegrad wrote for a quantized model as `target/<name>.tflite`,
/// and its input shape, int8 test inputs and typegrad's outputs as `target/<name>.json` for
/// `scripts/tflite_check.py`; returns the path of the JSON.
pub fn write_model_json(
    name: &str,
    input_shape: &[usize],
    tflite: &[u8],
    inputs: Vec<Vec<i8>>,
    outputs: Vec<Vec<i8>>,
) -> Result<PathBuf, Box<dyn Error>> {
    let file = output_path(&format!("{name}.tflite"))?;
    std::fs::write(&file, tflite)?;
    let model = serde_json::json!({
        "input_shape": input_shape, "tflite": file,
        "test_inputs": inputs, "typegrad_outputs": outputs,
    });
    let path = output_path(&format!("{name}.json"))?;
    std::fs::write(&path, serde_json::to_vec(&model)?)?;
    Ok(path)
}
