//! Sets `cfg(typegrad_arm_dsp)` on targets whose cores have the Armv7E-M DSP instructions
//! (`thumbv7em-*`: Cortex-M4, Cortex-M7), where the int8 kernels use them
//! (src/kernels/arm.rs). Stable Rust does not report Arm target features to `cfg`, so the
//! target's name decides; `RUSTFLAGS="--cfg typegrad_arm_dsp"` turns it on for another Arm
//! target whose core has the DSP extension (e.g. a Cortex-M33 built for `thumbv8m.main-*`
//! with `-C target-feature=+dsp`).
//!
//! Sets `cfg(typegrad_avx512)` when the compiler is Rust 1.89 or later, where the AVX-512
//! target features and intrinsics are stable: the AVX-512 kernels (src/kernels/x86/avx512.rs)
//! exist only then, so the MSRV stays 1.85 (as matrixmultiply does it).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(typegrad_arm_dsp)");
    println!("cargo::rustc-check-cfg=cfg(typegrad_avx512)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7em-") {
        println!("cargo::rustc-cfg=typegrad_arm_dsp");
    }
    if rustc_minor().is_some_and(|minor| minor >= 89) {
        println!("cargo::rustc-cfg=typegrad_avx512");
    }
}

/// The minor version of the compiler cargo runs (`rustc 1.95.0 (…)` → 95), if it says.
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var_os("RUSTC")?;
    let out = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}
