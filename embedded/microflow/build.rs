//! Writes `memory.x` for the board of the compilation target into OUT_DIR (the same table as
//! typegrad's embedded/build.rs) and `board_gen.rs` with the board's name and CPU clock.
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

// The boards of embedded/ (memory maps, CPU clocks).
include!("../boards.rs");

fn main() {
    let target = env::var("TARGET").unwrap();
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../boards.rs");
    for f in [
        "gen/data_gen.rs",
        "models/digits_pc.tflite",
        "models/digits_pt.tflite",
    ] {
        println!("cargo:rerun-if-changed={f}");
        assert!(
            std::path::Path::new(f).exists(),
            "{f} is missing: run embedded/microflow/run.sh (gen_data.py writes it)"
        );
    }
    let (name, ram, cpu_hz) = match BOARDS.iter().find(|b| b.target == target) {
        Some(b) => {
            fs::write(out.join("memory.x"), memory_x(b)).unwrap();
            println!("cargo:rustc-link-search={}", out.display());
            (b.name, b.ram.1 as usize, b.cpu_hz)
        }
        None => ("host", 1usize << 30, 0),
    };
    fs::write(
        out.join("board_gen.rs"),
        format!(
            "/// The board this firmware is built for.\npub const BOARD: &str = {name:?};\n\
             /// RAM of the board.\npub const RAM_BYTES: usize = {ram};\n\
             /// QEMU's CPU clock of the board (0: not a Cortex-M board).\npub const CPU_HZ: u32 = {cpu_hz};\n"
        ),
    )
    .unwrap();
}
