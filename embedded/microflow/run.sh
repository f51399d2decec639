#!/usr/bin/env bash
# MicroFlow (crates.io `microflow` 0.1.3) on the typegrad-exported digits model, on the three
# QEMU boards, measured as embedded/run_all.sh measures typegrad's digits_int8.
#
#   bash embedded/microflow/run.sh       (from anywhere; needs target/int8_digits.json from
#                                         `cargo run --release --example int8_digits` and the
#                                         Python packages of scripts/tflite_check.py)
#
# 1. scripts/tflite_check.py checks target/int8_digits.tflite (typegrad's model: per-channel
#    int8 weights, written by the int8_digits example) against the TFLite interpreter.
# 2. gen_data.py writes models/digits_pc.tflite (that file), models/digits_pt.tflite (the same
#    network with one weight scale per layer: what MicroFlow's FULLY_CONNECTED accepts), the
#    interpreter's outputs for both, and gen/data_gen.rs (inputs, labels, reference outputs).
# 3. mf_perchannel (MicroFlow on the file as exported) must fail to build with MicroFlow's
#    one-scale requirement; the script says so. mf_pertensor and calibrate are built for the
#    three boards and run under QEMU with -icount shift=0.
# 4. Results, as key=value lines, in embedded/target/microflow/ (scripts/footprint.sh and
#    scripts/readme_footprint.py read them). Exit status 0 only if MicroFlow's outputs equal the
#    interpreter's on every board and the counter calibrates.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
res=$root/embedded/target/microflow
mkdir -p "$res"
started=$SECONDS
json=$root/target/int8_digits.json
tfl=$root/target/int8_digits.tflite
[[ -f $json ]] || { echo "run.sh: $json missing (cargo run --release --example int8_digits)" >&2; exit 1; }

bash "$root/embedded/setup.sh" >/dev/null
python3 "$root/scripts/tflite_check.py" --model "$json" | tail -n 1
python3 "$here/gen_data.py" --json "$json" --tflite "$tfl" | tee "$res/gen_data.txt"

cd "$here"
mkdir -p target # microflow-macros writes target/microflow-expansion.rs relative to the crate
targets=(thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf)
t0=$SECONDS
for t in "${targets[@]}"; do
    cargo build --release --quiet --target "$t" --bin calibrate --bin mf_pertensor
done
echo "build_seconds=$((SECONDS - t0))" | tee "$res/build.txt"

if cargo build --release --quiet --target thumbv7em-none-eabihf --bin mf_perchannel \
    >"$res/mf_perchannel_build.txt" 2>&1; then
    echo "perchannel=accepted" | tee -a "$res/build.txt"
else
    # microflow 0.1.3, src/ops/fully_connected.rs: `weights: &Tensor2D<T, _, _, 1>` (one scale).
    if grep -qF 'expected reference `&Tensor2D<_, _, _, 1>`' "$res/mf_perchannel_build.txt"; then
        echo "perchannel=rejected: FULLY_CONNECTED takes weights with exactly one scale (Tensor2D<_, _, _, 1>), the export has one per output channel" | tee -a "$res/build.txt"
    else
        echo "perchannel=rejected for another reason (see $res/mf_perchannel_build.txt)" | tee -a "$res/build.txt"
        cat "$res/mf_perchannel_build.txt"
        exit 1
    fi
fi

tools="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
status=0
for t in "${targets[@]}"; do
    for b in calibrate mf_pertensor; do
        out=$res/$t-$b.txt
        if ! TYPEGRAD_EMBEDDED_TARGET=$t bash "$root/embedded/run.sh" "target/$t/release/$b" >"$out"; then
            echo "FAIL $t $b (exit status)"; cat "$out"; status=1
        fi
    done
    "$tools/llvm-size" -A "target/$t/release/mf_pertensor" >"$res/$t-mf_pertensor.size"
    same=$(sed -n 's/^identical_to_tflite_pertensor=\([0-9]*\)\/.*/\1/p' "$res/$t-mf_pertensor.txt")
    echo "$t: $(grep -E '^instructions_loop|^test_correct|^identical' "$res/$t-mf_pertensor.txt" | tr '\n' ' ')"
    [[ $same == 450 ]] || { echo "FAIL $t: MicroFlow differs from the interpreter on the per-tensor file"; status=1; }
done
echo "microflow run: $((SECONDS - started)) s"
exit $status
