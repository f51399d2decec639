//! Shows what a fuzz input decodes to, to triage a crash:
//!
//!     cd fuzz && cargo run --example decode -- serde_optimizer artifacts/serde_optimizer/crash-...

use serde::Serialize;
use serde::de::DeserializeOwned;
use typegrad::optim::{AdaGrad, Adam, Momentum, RmsProp, Sgd};
use typegrad_fuzz::{Format, NAMES, Net, known_net};

/// Prints the value as one line of JSON (NaN and infinities show as `null`; so do the
/// activations, which are unit structs), or the error.
fn show<V: DeserializeOwned + Serialize>(format: Format, bytes: &[u8]) {
    let value = match format {
        Format::Postcard => postcard::take_from_bytes::<V>(bytes)
            .map(|(v, _)| v)
            .map_err(|e| e.to_string()),
        Format::Json => serde_json::from_slice::<V>(bytes).map_err(|e| e.to_string()),
    };
    match value {
        Ok(v) => println!("{}", serde_json::to_string(&v).unwrap()),
        Err(e) => println!("error: {e}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, target, path] = &args[..] else {
        panic!("usage: decode TARGET FILE");
    };
    let data = std::fs::read(path).unwrap();
    match target.as_str() {
        "persist" => {
            let mut net = known_net(1);
            println!("{:?}", typegrad::persist::load(&mut net, &data));
        }
        "safetensors" => {
            if data.len() >= 8 {
                let n = u64::from_le_bytes(data[..8].try_into().unwrap());
                let end = (n as usize).saturating_add(8).min(data.len());
                println!(
                    "header length {n}: {}",
                    String::from_utf8_lossy(&data[8..end])
                );
            }
            let mut net = known_net(1);
            println!(
                "{:?}",
                typegrad::interop::safetensors::from_bytes(&mut net, NAMES, &data)
            );
        }
        "serde_network" | "serde_optimizer" => {
            let (&selector, rest) = data.split_first().unwrap();
            let format = Format::from_selector(selector);
            println!("{format:?}");
            if target == "serde_network" {
                return show::<Net>(format, rest);
            }
            if selector & 0x80 != 0 {
                return println!(
                    "mode 1 (valid hyper-parameters from the bytes): a failing input names \
                     them in its panic message; run the target binary on the file"
                );
            }
            match ((selector >> 1) & 7) % 5 {
                0 => show::<Sgd>(format, rest),
                1 => show::<Momentum<Net>>(format, rest),
                2 => show::<AdaGrad<Net>>(format, rest),
                3 => show::<RmsProp<Net>>(format, rest),
                _ => show::<Adam<Net>>(format, rest),
            }
        }
        "csv" => println!("{:?}", String::from_utf8_lossy(&data)),
        other => panic!("unknown target {other}"),
    }
}
