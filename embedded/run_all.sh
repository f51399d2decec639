#!/usr/bin/env bash
# Builds and runs the firmware programs on the three emulated boards and on the host, and
# compares them. Exit status 0 only if every check passed; the last line is
# `embedded: N passed, M failed`.
#
#   bash embedded/run_all.sh        (from anywhere)
#
# 1. setup.sh: QEMU, the Rust targets, llvm-tools (installed only if missing).
# 2. The main crate's `mlp` example trains the digits MLP on the host and saves its weights;
#    they are copied to weights/digits_mlp.tgrd, with the host's test count in
#    weights/digits_mlp.txt; says whether the weights came out byte for byte as they were.
# 3. The host runs the same two programs (`--target host-tuple`, typegrad with libm as on the
#    boards): the reference outputs.
# 4. Each board runs each program under QEMU (through run.sh, timeout 120 s). A run passes if
#    it exits 0 (the program's own checks: iris test accuracy >= 0.9, digits count equal to
#    the mlp example's count) and agrees with the host: equal step and correct counts, losses
#    within a relative 1e-4 (the report also says whether they are bit-identical).
# 5. `TYPEGRAD_EMBEDDED_TOO_BIG=1` must make train_iris fail to build with the RAM message.
# On the Cortex-M boards every build has the feature `cmsis-nn` (digits_cmsis: ARM's CMSIS-NN
# on the same int8 network, which must give the same outputs).
#
# Outputs are kept in embedded/target/run_all/ (scripts/footprint.sh reads them).
set -euo pipefail
cd "$(dirname "$0")"
started=$SECONDS

bash ./setup.sh

TARGETS=(thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf)
# The host runs the programs whose results the boards are compared with; the MLPerf Tiny
# programs carry the host's checksum themselves (build.rs computed it, equal to TFLite Micro's).
BINS=(train_iris train_iris_fixed digits_infer digits_int8 motions_infer motions_int8 train_motions)
# The programs each board runs. train_motions trains a CNN on the device: on the Cortex-M4F
# and on the RV32 board (soft float); the M0's 16 KiB cannot hold its training state, and
# step 5 checks that its build stops with the RAM message. kws_int8, ad01_int8, resnet8_int8
# and vww_int8 run MLPerf Tiny's published int8 models; on the M0 the DS-CNN's, ResNet-8's
# and MobileNet's activations exceed the RAM and the autoencoder's weights the flash, and
# step 5 checks that their builds say so.
# The *_cmsis programs run the same int8 networks as the *_int8 ones with ARM's CMSIS-NN
# kernels (C, cmsis-nn/, feature cmsis-nn: the Cortex-M builds all have it, so no build
# rebuilds the crate for a feature) and must give typegrad's outputs bit for bit.
declare -A BOARD_BINS=(
    [thumbv6m-none-eabi]="train_iris train_iris_fixed digits_infer digits_int8 digits_cmsis motions_infer motions_int8 motions_cmsis"
    [thumbv7em-none-eabihf]="train_iris train_iris_fixed digits_infer digits_int8 digits_cmsis motions_infer motions_int8 motions_cmsis train_motions kws_int8 kws_cmsis ad01_int8 ad01_cmsis resnet8_int8 resnet8_cmsis vww_int8 vww_cmsis"
    [riscv32imac-unknown-none-elf]="train_iris train_iris_fixed digits_infer digits_int8 motions_infer motions_int8 train_motions kws_int8 ad01_int8 resnet8_int8 vww_int8"
)
# The features of every build for a target (CMSIS-NN exists for the Cortex-M boards only).
features() {
    case $1 in
        thumbv*) echo "--features=cmsis-nn" ;;
    esac
}
LOG=target/run_all
rm -rf "$LOG"
mkdir -p "$LOG"
passed=0
failed=0
pass() {
    passed=$((passed + 1))
    echo "ok    $*"
}
fail() {
    failed=$((failed + 1))
    echo "FAIL  $*"
}

# The value of `key=value` in a program's output (the part before any '/' or space).
value() {
    sed -n "s/^$1=\([^/ ]*\).*/\1/p" "$2" | head -n 1
}

# --- 2. host-trained weights -------------------------------------------------------------
old_weights=$(mktemp)
trap 'rm -f "$old_weights"' EXIT
if [[ -f weights/digits_mlp.tgrd ]]; then cp weights/digits_mlp.tgrd "$old_weights"; fi
echo "== the mlp example trains the digits MLP on the host and saves its weights (at $((SECONDS - started)) s)"
(cd .. && cargo run --release --quiet --example mlp) | tee "$LOG/host-mlp.txt"
cp ../target/digits_mlp.tgrd weights/digits_mlp.tgrd
counts=$(sed -n 's/.*; \([0-9]*\) of \([0-9]*\) test images correct$/\1 \2/p' "$LOG/host-mlp.txt")
read -r correct total <<<"$counts"
[[ -n ${correct:-} && -n ${total:-} ]] || { echo "could not read the mlp example's test count" >&2; exit 1; }
{
    echo "# Written by embedded/run_all.sh from the output of \`cargo run --release --example mlp\`,"
    echo "# which trained and saved digits_mlp.tgrd; read by embedded/build.rs."
    echo "test_correct=$correct"
    echo "test_total=$total"
} >weights/digits_mlp.txt
if [[ -s $old_weights ]] && cmp -s "$old_weights" weights/digits_mlp.tgrd; then
    echo "weights/digits_mlp.tgrd: reproduced byte for byte"
else
    echo "weights/digits_mlp.tgrd: NEW or CHANGED (commit it if the change is intended)"
fi

if [[ -f weights/motions_cnn.tgrd ]]; then cp weights/motions_cnn.tgrd "$old_weights"; else : >"$old_weights"; fi
echo "== the conv1d_motions example trains the 1-D CNN on the host and saves its weights"
(cd .. && cargo run --release --quiet --example conv1d_motions) | tee "$LOG/host-conv1d_motions.txt"
cp ../target/motions_cnn.tgrd weights/motions_cnn.tgrd
acc=$(sed -n 's/^test accuracy: \([0-9.]*\)$/\1/p' "$LOG/host-conv1d_motions.txt")
[[ -n ${acc:-} ]] || { echo "could not read the conv1d_motions example's test accuracy" >&2; exit 1; }
motions_correct=$(awk -v a="$acc" 'BEGIN { printf "%d", a * 40 + 0.5 }')
{
    echo "# Written by embedded/run_all.sh from the output of \`cargo run --release --example conv1d_motions\`,"
    echo "# which trained and saved motions_cnn.tgrd; read by embedded/build.rs."
    echo "test_correct=$motions_correct"
    echo "test_total=40"
} >weights/motions_cnn.txt
if [[ -s $old_weights ]] && cmp -s "$old_weights" weights/motions_cnn.tgrd; then
    echo "weights/motions_cnn.tgrd: reproduced byte for byte"
else
    echo "weights/motions_cnn.tgrd: NEW or CHANGED (commit it if the change is intended)"
fi

# --- 3. the host's reference runs ---------------------------------------------------------
echo "== host: the same programs, typegrad with libm (reference) (at $((SECONDS - started)) s)"
cargo build --release --quiet --target host-tuple $(printf -- '--bin %s ' "${BINS[@]}")
for b in "${BINS[@]}"; do
    if cargo run --release --quiet --target host-tuple --bin "$b" >"$LOG/host-$b.txt" 2>"$LOG/host-$b.err"; then
        pass "host $b: $(grep -m1 -E '^(test_correct|outputs_fnv)=' "$LOG/host-$b.txt")"
    else
        fail "host $b (see $LOG/host-$b.txt)"
        cat "$LOG/host-$b.txt" "$LOG/host-$b.err"
    fi
done

# --- 4. the boards -------------------------------------------------------------------------
# Compares a board's output with the host's; prints what differs, returns 1 if anything does.
compare() {
    local board=$1 host=$2 bin=${3/_cmsis/_int8} bad=0 k h d
    local exact=(test_correct)
    local close=()
    if [[ $bin == digits_int8 || $bin == motions_int8 ]]; then exact=(test_correct outputs_fnv); fi
    if [[ $bin == *_int8 && $bin != digits_int8 && $bin != motions_int8 ]]; then
        # MLPerf Tiny: the program printed the host's checksum (build.rs's) beside its own.
        h=$(value host_fnv "$board")
        d=$(value outputs_fnv "$board")
        if [[ -z $d || $d != "$h" ]]; then echo "      outputs_fnv: board '$d', host '$h'"; return 1; fi
        return 0
    fi
    if [[ $bin == motions_infer || $bin == train_motions ]]; then
        # Every output's bits (FNV-1a over the logits): bit-identical to the host or a failure.
        exact=(test_correct logits_fnv)
        if [[ $bin == train_motions ]]; then exact+=(steps loss_bits); fi
    fi
    if [[ $bin == train_iris_fixed ]]; then
        # Integer arithmetic: every board computes exactly what the host does.
        exact=(steps train_correct test_correct loss_bits)
    fi
    if [[ $bin == train_iris ]]; then
        exact=(steps train_correct test_correct)
        close=(last_epoch_loss_x1e6 train_loss_x1e6 test_loss_x1e6)
    fi
    for k in "${exact[@]}"; do
        h=$(value "$k" "$host")
        d=$(value "$k" "$board")
        if [[ -z $d || $d != "$h" ]]; then
            echo "      $k: board '$d', host '$h'"
            bad=1
        fi
    done
    for k in "${close[@]}"; do
        h=$(value "$k" "$host")
        d=$(value "$k" "$board")
        # Relative tolerance 1e-4 (at least 1 millionth: the values are rounded to millionths).
        if [[ -z $d || -z $h ]] || ! awk -v d="$d" -v h="$h" 'BEGIN {
                diff = d - h; if (diff < 0) diff = -diff
                tol = (h < 0 ? -h : h) * 1e-4; if (tol < 1) tol = 1
                exit !(diff <= tol) }'; then
            echo "      $k: board '$d', host '$h' (tolerance: relative 1e-4)"
            bad=1
        fi
    done
    if [[ $bin == train_iris ]]; then
        if [[ $(value loss_bits "$board") == "$(value loss_bits "$host")" ]]; then
            echo "      losses bit-identical to the host's ($(value loss_bits "$host"))"
        else
            echo "      losses differ from the host's in the last bits: board $(value loss_bits "$board"), host $(value loss_bits "$host")"
        fi
    fi
    return $bad
}

# Runs program $2 built for target $1 on its board; its output, stderr and exit status go to
# $LOG/$1-$2.{txt,err,rc}, with the emulator's wall time.
run_one() {
    local t=$1 b=$2 rc=0 t0 t1
    local out="$LOG/$t-$b.txt"
    t0=$(date +%s%N)
    TYPEGRAD_EMBEDDED_TARGET=$t bash ./run.sh "target/$t/release/$b" >"$out" 2>"$LOG/$t-$b.err" || rc=$?
    t1=$(date +%s%N)
    echo "qemu_wall_ms=$(((t1 - t0) / 1000000))" >>"$out"
    echo "$rc" >"$LOG/$t-$b.rc"
}
export -f run_one
export LOG

for t in "${TARGETS[@]}"; do
    echo "== $t: build (at $((SECONDS - started)) s)"
    # One cargo invocation for all of a board's programs: their LTO links run in parallel.
    cargo build --release --quiet --target "$t" $(features "$t") $(printf -- '--bin %s ' ${BOARD_BINS[$t]})
    echo "   built (at $((SECONDS - started)) s)"
    # Two boards' emulators at a time (QEMU runs on one core).
    printf '%s\n' ${BOARD_BINS[$t]} | xargs -P 2 -I{} bash -c "run_one $t {}"
    for b in ${BOARD_BINS[$t]}; do
        out="$LOG/$t-$b.txt"
        rc=$(cat "$LOG/$t-$b.rc")
        if [[ $rc != 0 ]]; then
            what="exit status $rc"
            if [[ $rc == 124 ]]; then what="timed out after 120 s"; fi
            fail "$t $b: $what"
            cat "$out" "$LOG/$t-$b.err"
        elif ! grep -qx PASS "$out"; then
            fail "$t $b: exit 0 but no PASS line"
            cat "$out"
        elif compare "$out" "$LOG/host-${b/_cmsis/_int8}.txt" "$b" >"$LOG/$t-$b.cmp"; then
            pass "$t $b: $(grep -m1 -E '^(test_correct|outputs_fnv)=' "$out"), $(grep -E '^stack_used_bytes=' "$out" | cut -d' ' -f1)"
            cat "$LOG/$t-$b.cmp"
        else
            fail "$t $b: differs from the host"
            cat "$LOG/$t-$b.cmp"
        fi
    done
done

echo "== iris trained in Q16.16 reaches the f32 test accuracy within one sample (at $((SECONDS - started)) s)"
fixed_correct=$(value test_correct "$LOG/host-train_iris_fixed.txt")
float_correct=$(value test_correct "$LOG/host-train_iris.txt")
if [[ -n $fixed_correct && -n $float_correct ]] && ((fixed_correct + 1 >= float_correct)); then
    pass "train_iris_fixed: $fixed_correct/30 test rows correct (f32 train_iris: $float_correct/30)"
else
    fail "train_iris_fixed: '$fixed_correct'/30 vs f32 '$float_correct'/30"
fi

echo "== the int8 and fixed-point programs must contain no floating-point operation (soft-float routines, FPU instructions) (at $((SECONDS - started)) s)"
tools="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
soft='__aeabi_[fd]|__(add|sub|mul|div)[sd]f3|__float|__fix|__(eq|ne|lt|le|gt|ge|unord)[sd]f2'
fpu='\sv(add|sub|mul|div|cvt|mla|mls|fma|fms|neg|abs|sqrt|cmp|cmpe)(\.[a-z0-9]+)*\.f(32|64)'
for pair in digits_int8:digits_infer motions_int8:motions_infer train_iris_fixed:train_iris; do
    int8=${pair%%:*} f32=${pair##*:}
    for t in thumbv6m-none-eabi riscv32imac-unknown-none-elf; do
        n=$("$tools/llvm-nm" "target/$t/release/$int8" | grep -cE "$soft" || true)
        f=$("$tools/llvm-nm" "target/$t/release/$f32" | grep -cE "$soft" || true)
        if [[ $n == 0 ]]; then
            pass "$t $int8: no soft-float routine linked (the f32 $f32 links $f)"
        else
            fail "$t $int8: $n soft-float routines linked"
            "$tools/llvm-nm" "target/$t/release/$int8" | grep -E "$soft"
        fi
    done
    n=$("$tools/llvm-objdump" -d "target/thumbv7em-none-eabihf/release/$int8" | grep -cE "$fpu" || true)
    f=$("$tools/llvm-objdump" -d "target/thumbv7em-none-eabihf/release/$f32" | grep -cE "$fpu" || true)
    if [[ $n == 0 ]]; then
        pass "thumbv7em-none-eabihf $int8: no FPU instruction (the f32 $f32 has $f)"
    else
        fail "thumbv7em-none-eabihf $int8: $n FPU instructions"
    fi
done

echo "== train_motions on the Cortex-M0 (16 KiB) must not build: its training state does not fit"
if cargo build --release --quiet --target thumbv6m-none-eabi $(features thumbv6m) --bin train_motions \
    >"$LOG/thumbv6m-none-eabi-train_motions-build.txt" 2>&1; then
    fail "thumbv6m-none-eabi train_motions: built, but its training memory exceeds the board's RAM"
elif grep -q "the network's training memory does not fit this board's RAM" "$LOG/thumbv6m-none-eabi-train_motions-build.txt"; then
    pass "thumbv6m-none-eabi train_motions: the build stops with \"the network's training memory does not fit this board's RAM\""
else
    fail "thumbv6m-none-eabi train_motions: failed for another reason"
    cat "$LOG/thumbv6m-none-eabi-train_motions-build.txt"
fi

echo "== MLPerf Tiny's models on the Cortex-M0 must not build: the CNNs' RAM, the autoencoder's flash (at $((SECONDS - started)) s)"
for pair in "kws_int8:does not fit this board's RAM" "ad01_int8:do not fit this board's flash" \
    "resnet8_int8:does not fit this board's RAM" "vww_int8:does not fit this board's RAM"; do
    b=${pair%%:*}
    message=${pair#*:}
    log="$LOG/thumbv6m-none-eabi-$b-build.txt"
    if cargo build --release --quiet --target thumbv6m-none-eabi $(features thumbv6m) --bin "$b" >"$log" 2>&1; then
        fail "thumbv6m-none-eabi $b: built, but it does not fit the board"
    elif grep -q "$message" "$log"; then
        pass "thumbv6m-none-eabi $b: the build stops with \"…$message\" ($(grep -m1 -o 'found one with a size of [0-9]*' "$log" | sed 's/.* of /short by /') bytes)"
    else
        fail "thumbv6m-none-eabi $b: failed for another reason"
        cat "$log"
    fi
done

# --- 5. a network too big for the board does not build ------------------------------------
echo "== too-big: train_iris with a network larger than the board's RAM must not build (at $((SECONDS - started)) s)"
for t in thumbv6m-none-eabi riscv32imac-unknown-none-elf; do
    # Last: the variable rebuilds the crate (not build.rs); nothing built after it needs that.
    if TYPEGRAD_EMBEDDED_TOO_BIG=1 cargo build --release --quiet --target "$t" $(features "$t") \
        --bin train_iris >"$LOG/$t-too-big.txt" 2>&1; then
        fail "$t too-big: built, but should not have"
    elif grep -q "the network's training memory does not fit this board's RAM" "$LOG/$t-too-big.txt"; then
        pass "$t too-big: the build stops with \"the network's training memory does not fit this board's RAM\""
    else
        fail "$t too-big: failed for another reason"
        cat "$LOG/$t-too-big.txt"
    fi
done

echo "embedded run: $((SECONDS - started)) s"
echo "embedded: $passed passed, $failed failed"
[[ $failed == 0 ]]
