//! Sets `cfg(typegrad_arm_dsp)` on targets whose cores have the Armv7E-M DSP instructions
//! (`thumbv7em-*`: Cortex-M4, Cortex-M7), where the int8 kernels use them
//! (src/kernels/arm.rs). Stable Rust does not report Arm target features to `cfg`, so the
//! target's name decides; `RUSTFLAGS="--cfg typegrad_arm_dsp"` turns it on for another Arm
//! target whose core has the DSP extension (e.g. a Cortex-M33 built for `thumbv8m.main-*`
//! with `-C target-feature=+dsp`).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(typegrad_arm_dsp)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7em-") {
        println!("cargo::rustc-cfg=typegrad_arm_dsp");
    }
}
