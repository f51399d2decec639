#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ and runs each for SECONDS (default 20), seeded from
# fuzz/seeds/<target>. Prints each target's exec count and exec/s; exits non-zero on any
# crash, printing the panic and the path of the crash input (fuzz/artifacts/<target>/).
#   scripts/fuzz.sh [SECONDS] [TARGET...]      all targets when none is named
# Inputs in fuzz/regressions/<target>/ (crashes found before) are run once first; a failing
# one makes the exit status non-zero too.
# Environment: FUZZ_FRESH=1 starts from the seeds alone (by default the scratch corpus in
# fuzz/corpus-runs/<target> is kept between runs and grows); CARGO_BUILD_JOBS (default 1).
#
# Needs no cargo-fuzz: it builds with the same flags `cargo fuzz build` uses (without its
# default AddressSanitizer, which safe Rust does not need), debug assertions and overflow
# checks on. With cargo-fuzz installed, `cargo +nightly fuzz run <target>` works too.
# A crash reproduces with: fuzz/target/fuzz-sh/<triple>/release/<target> <crash file>
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fuzz="$root/fuzz"

seconds=${1:-20}
[ $# -gt 0 ] && shift
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
    exit 2
fi
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in "$fuzz"/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi
for t in "${targets[@]}"; do
    if [ ! -f "$fuzz/fuzz_targets/$t.rs" ]; then
        echo "no fuzz target '$t' (fuzz/fuzz_targets/$t.rs)" >&2
        exit 2
    fi
done

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
triple=$(rustup run nightly rustc -vV | sed -n 's/^host: //p')

# cargo-fuzz's flags (src/project.rs), less -Zsanitizer=address.
flags=(
    -Cpasses=sancov-module
    -Cllvm-args=-sanitizer-coverage-level=4
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
    -Cllvm-args=-sanitizer-coverage-pc-table
    -Cllvm-args=-sanitizer-coverage-trace-compares
    --cfg fuzzing
    -Cllvm-args=-simplifycfg-branch-fold-threshold=0
    -Cdebug-assertions
    -Coverflow-checks
    -Ccodegen-units=${FUZZ_CGU:-1}
)
if [[ $triple == *-linux-* ]]; then flags+=(-Cllvm-args=-sanitizer-coverage-stack-depth); fi

export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$fuzz/target/fuzz-sh}"
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
bins=()
for t in "${targets[@]}"; do bins+=(--bin "$t"); done
start=$(date +%s)
# --target: the flags then reach neither build scripts nor proc macros (as in cargo-fuzz).
(cd "$fuzz" && RUSTFLAGS="${flags[*]} ${RUSTFLAGS:-}" \
    cargo +nightly build --release --target "$triple" "${bins[@]}")
echo "build: $(( $(date +%s) - start )) s"

status=0
# Known crash inputs, fuzz/regressions/<target>/*: each is run once before fuzzing.
for t in "${targets[@]}"; do
    for input in "$fuzz/regressions/$t"/*; do
        [ -f "$input" ] || continue
        if ! out=$("$CARGO_TARGET_DIR/$triple/release/$t" "$input" 2>&1); then
            status=1
            echo "regression FAILED: ${input#"$root"/}"
            grep -m1 -A1 "panicked at" <<<"$out" | sed 's/^/  /' || true
        fi
    done
done

for t in "${targets[@]}"; do
    corpus="$fuzz/corpus-runs/$t"
    artifacts="$fuzz/artifacts/$t"
    log="$fuzz/corpus-runs/$t.log"
    [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$corpus"
    mkdir -p "$corpus" "$artifacts"
    cp "$fuzz/seeds/$t"/* "$corpus"/
    # The MLPerf Tiny reference models seed the .tflite reader too.
    if [ "$t" = tflite ]; then cp "$root"/tests/fixtures/mlperf_tiny/*.tflite "$corpus"/; fi
    args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10
          -artifact_prefix="$artifacts/")
    [ -f "$fuzz/dicts/$t.dict" ] && args+=(-dict="$fuzz/dicts/$t.dict")
    rc=0
    t0=$(date +%s%N)
    "$CARGO_TARGET_DIR/$triple/release/$t" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    # libFuzzer's own stat::average_exec_per_sec counts whole seconds (0 for a quick crash).
    speed=?
    [ -n "$execs" ] && speed=$(( execs * 1000 / (ms > 0 ? ms : 1) ))
    files=$(find "$corpus" -type f | wc -l)
    printf '%-16s %10s execs %8s exec/s  corpus %s files\n' "$t" "${execs:-?}" "${speed:-?}" "$files"
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "  FAILED (exit $rc); log: $log"
        grep -m3 -E "panicked at|^invariant|assertion|ERROR: libFuzzer" "$log" | sed 's/^/  /' || true
        grep -E "Test unit written to|artifact_prefix" "$log" | sed 's/^/  /' || true
    fi
done
exit $status
