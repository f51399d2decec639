#!/usr/bin/env bash
# Footprint of the firmware in embedded/: for each board and program, flash (text + rodata),
# static RAM (data + bss), the measured stack high-water mark and, for training, steps per
# second under QEMU.
#
#   bash scripts/footprint.sh        (from the repository root)
#
# Runs embedded/run_all.sh first (which installs QEMU, the targets and llvm-tools if missing,
# builds everything in release and runs it), then reads the release ELFs with llvm-size and
# the programs' outputs from embedded/target/run_all/. Exits with run_all.sh's status.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
bash embedded/run_all.sh || status=$?

host=$(rustc -vV | sed -n 's/^host: //p')
llvm_size="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-size"
if [[ ! -x $llvm_size ]]; then
    echo "footprint: $llvm_size not found (rustup component add llvm-tools)" >&2
    exit 1
fi

LOG=embedded/target/run_all
value() {
    sed -n "s/^$1=\([^/ ]*\).*/\1/p" "$2" 2>/dev/null | head -n 1
}

# Sums the sizes of an ELF's sections: prints "flash ram".
#  flash: code and read-only data (.vector_table, .text, .init*, .trap, .rodata, .srodata,
#         .eh_frame); ram: .data, .sdata, .bss, .sbss, .uninit. The .stack and .heap regions
#         of the linker scripts are reservations, not program data, and are not counted.
sizes() {
    "$llvm_size" -A "$1" | awk '
        $1 ~ /^\.(vector_table|text|init|init\.rust|trap|rodata|srodata|eh_frame)$/ { flash += $2 }
        $1 ~ /^\.(data|sdata|bss|sbss|uninit)$/ { ram += $2 }
        END { print flash + 0, ram + 0 }'
}

declare -A BOARD=(
    [thumbv6m-none-eabi]="microbit, Cortex-M0 (no FPU): 256 KiB flash, 16 KiB RAM"
    [thumbv7em-none-eabihf]="mps2-an386, Cortex-M4F: 4 MiB flash, 4 MiB RAM"
    [riscv32imac-unknown-none-elf]="virt, RV32IMAC (no FPU): 16 MiB RAM (the program runs from RAM)"
)

echo
echo "## Firmware footprint (release: opt-level \"s\", LTO, codegen-units 1)"
echo
echo "Times are QEMU's on this host, not the hardware's: QEMU translates instructions and does"
echo "not model the real clock, so steps per second say how fast the emulation ran, nothing"
echo "about a real Cortex-M0 at 16 MHz or a Cortex-M4F at 25 MHz. Instructions are exact: every"
echo "board runs under -icount shift=0 (RV32: minstret; Cortex-M: SysTick in virtual time,"
echo "embedded/src/icount.rs) — instructions executed, not cycles of a real chip."
for t in thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
    echo
    echo "### $t (${BOARD[$t]})"
    echo
    echo "| program | flash (text+rodata) | static RAM (data+bss) | stack high-water mark | result | QEMU time | training steps/s (QEMU) |"
    echo "|---|---:|---:|---:|---|---:|---:|"
    for b in train_iris train_iris_fixed digits_infer digits_int8 motions_infer motions_int8 train_motions kws_int8 ad01_int8 resnet8_int8 vww_int8; do
        elf="embedded/target/$t/release/$b"
        out="$LOG/$t-$b.txt"
        if [[ ! -f $elf || ! -f $out ]]; then
            if [[ $t == thumbv6m-none-eabi && $b == train_motions ]]; then
                echo "| $b | does not build: training state exceeds the 16 KiB of RAM (by design, checked) | | | | | |"
            elif [[ $t == thumbv6m-none-eabi && ( $b == kws_int8 || $b == resnet8_int8 || $b == vww_int8 ) ]]; then
                echo "| $b | does not build: the activations exceed the 16 KiB of RAM (checked) | | | | | |"
            elif [[ $t == thumbv6m-none-eabi && $b == ad01_int8 ]]; then
                echo "| $b | does not build: the weights exceed the 256 KiB of flash (checked) | | | | | |"
            elif [[ $b == train_motions ]]; then
                echo "| $b | not run on this board | | | | | |"
            else
                echo "| $b | not built | | | | | |"
            fi
            continue
        fi
        read -r flash ram < <(sizes "$elf")
        stack=$(value stack_used_bytes "$out")
        correct=$(sed -n 's/^test_correct=\([0-9]*\/[0-9]*\).*/\1/p' "$out" 2>/dev/null | head -n 1)
        verdict=$(grep -qx PASS "$out" 2>/dev/null && echo "PASS, test $correct" || echo "FAIL")
        rate="—"
        time_col="—"
        if [[ $b == train_* ]]; then
            steps=$(value steps "$out")
            us=$(value fit_us "$out")
            if [[ -n $steps && -n $us && $us -gt 0 ]]; then
                rate=$((steps * 1000000 / us))
                time_col="fit: $((us / 1000)) ms for $steps steps"
            fi
            # Every board runs under -icount: exact instruction counts (deterministic).
            inst=$(value instructions_per_step "$out")
            if [[ -n $inst ]]; then
                time_col="$time_col; $inst instructions per step"
            fi
        elif [[ $b == kws_int8 || $b == ad01_int8 || $b == resnet8_int8 || $b == vww_int8 ]]; then
            # MLPerf Tiny's published model on seeded inputs; instructions are per inference.
            verdict="PASS, $(value inputs "$out") inputs: outputs = host = TFLite Micro"
            grep -qx PASS "$out" || verdict=FAIL
            time_col="$(value instructions "$out") instructions per inference"
        else
            us=$(value infer_us "$out")
            n=450
            if [[ $b == motions_infer || $b == motions_int8 ]]; then n=40; fi
            if [[ -n $us ]]; then
                time_col="$n inferences: $((us / 1000)) ms"
            fi
            # Every board runs under -icount: exact instruction counts (deterministic).
            inst=$(value instructions "$out")
            if [[ -n $inst ]]; then
                time_col="$time_col; $((inst / n)) instructions per inference"
            fi
        fi
        echo "| $b | $flash B | $ram B | ${stack:-?} B | $verdict | $time_col | $rate |"
    done
done

# --- side by side: f32 vs int8 vs MicroFlow (digits inference), f32 vs Q16.16 (iris training)
llvm_nm="$(dirname "$llvm_size")/llvm-nm"
# Bytes of the symbols of an ELF whose demangled names match a regex (the test data in flash).
symbol_bytes() {
    local total=0 size
    while read -r size; do
        total=$((total + 16#$size))
    done < <("$llvm_nm" --print-size -C "$1" | awk -v re="$2" '$4 ~ re { print $2 }')
    echo "$total"
}
MF=embedded/target/microflow
echo
echo "## Side by side (instructions: QEMU -icount shift=0, exact; flash without the test data in it)"
for t in thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
    echo
    echo "### $t (${BOARD[$t]})"
    echo
    echo "| task | program | flash | flash without test data | static RAM | stack high-water mark | instructions | result |"
    echo "|---|---|---:|---:|---:|---:|---:|---|"
    for b in digits_infer digits_int8 digits_cmsis microflow motions_int8 motions_cmsis train_iris train_iris_fixed; do
        case $b in
            microflow)
                elf=embedded/microflow/target/$t/release/mf_pertensor
                out=$MF/$t-mf_pertensor.txt
                data='data::(INPUTS|LABELS|TYPEGRAD_OUT|TFLITE_P[CT]_OUT)' ;;
            digits_*)
                elf=embedded/target/$t/release/$b
                out=$LOG/$t-$b.txt
                data='data::DIGITS_TEST_(PIXELS|LABELS)' ;;
            motions_*)
                elf=embedded/target/$t/release/$b
                out=$LOG/$t-$b.txt
                data='data::MOTIONS_TEST_(Q|Y)' ;;
            *)
                elf=embedded/target/$t/release/$b
                out=$LOG/$t-$b.txt
                data='data::IRIS_(TRAIN|TEST)_(X|XQ|Y)' ;;
        esac
        [[ -f $elf && -f $out ]] || continue
        read -r flash ram < <(sizes "$elf")
        without=$((flash - $(symbol_bytes "$elf" "$data")))
        stack=$(value stack_used_bytes "$out")
        correct=$(sed -n 's/^test_correct=\([0-9]*\/[0-9]*\).*/\1/p' "$out" | head -n 1)
        case $b in
            digits_infer) task="digits inference"; what="typegrad f32"; inst="$(( $(value instructions "$out") / 450 )) per inference"; result="test $correct" ;;
            digits_int8) task="digits inference"; what="typegrad int8"; inst="$(( $(value instructions "$out") / 450 )) per inference"; result="test $correct; 450/450 outputs = TFLite Micro" ;;
            digits_cmsis) task="digits inference"; what="CMSIS-NN v7.0.0 int8 (C, gcc 12 -O2)"; inst="$(( $(value instructions "$out") / 450 )) per inference"; result="test $correct; 450/450 outputs = typegrad's" ;;
            motions_int8) task="motions inference (1-D CNN)"; what="typegrad int8"; inst="$(( $(value instructions "$out") / 40 )) per inference"; result="test $correct; 40/40 outputs = TFLite Micro" ;;
            motions_cmsis) task="motions inference (1-D CNN)"; what="CMSIS-NN v7.0.0 int8 (C, gcc 12 -O2)"; inst="$(( $(value instructions "$out") / 40 )) per inference"; result="test $correct; 40/40 outputs = typegrad's" ;;
            microflow)
                task="digits inference"; what="MicroFlow 0.1.3 int8 (per-tensor model)"
                inst="$(value per_inference <(sed -n 's/^instructions_loop=[0-9]* //p' "$out")) per inference"
                same=$(sed -n 's/^identical_to_tflite_pertensor=\([0-9]*\/[0-9]*\).*/\1/p' "$out")
                tg=$(sed -n 's/^identical_to_typegrad=\([0-9]*\/[0-9]*\).*/\1/p' "$out")
                result="test $correct; $same outputs = desktop TFLite interpreter on its model, $tg = typegrad's" ;;
            train_iris) task="iris training (batch 8, Adam)"; what="typegrad f32"; inst="$(value instructions_per_step "$out") per step"; result="test $correct" ;;
            train_iris_fixed) task="iris training (batch 8, Adam)"; what="typegrad Q16.16 (I16F16)"; inst="$(value instructions_per_step "$out") per step"; result="test $correct" ;;
        esac
        macs=$(value macs "$out")
        if [[ $task == "digits inference" ]]; then macs=2368; fi # 64·32 + 32·10 (also the f32 and MicroFlow runs)
        if [[ -n $macs && $inst =~ ^([0-9]+)\ per\ inference$ ]]; then
            inst="$inst ($(awk -v n="${BASH_REMATCH[1]}" -v m="$macs" 'BEGIN { printf "%.1f", n / m }') per MAC)"
        fi
        echo "| $task | $what | $flash B | $without B | $ram B | ${stack:-?} B | $inst | $result |"
    done
done
echo
echo "### MLPerf Tiny's int8 models: typegrad beside CMSIS-NN (thumbv7em-none-eabihf, ${BOARD[thumbv7em-none-eabihf]})"
echo
echo "| model | program | instructions per inference | per MAC | activation RAM | stack high-water mark | flash | outputs |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
t=thumbv7em-none-eabihf
for m in kws ad01 resnet8 vww; do
    for kind in int8 cmsis; do
        b=${m}_$kind
        elf=embedded/target/$t/release/$b
        out=$LOG/$t-$b.txt
        [[ -f $elf && -f $out ]] || continue
        read -r flash _ < <(sizes "$elf")
        inst=$(value instructions "$out")
        macs=$(value macs "$out")
        per=$(awk -v i="$inst" -v m="$macs" 'BEGIN { printf "%.2f", i / m }')
        if [[ $kind == int8 ]]; then
            what="typegrad"
            ram="$(sed -n 's/.*arena_bytes=\([0-9]*\).*/\1/p' "$out") B (ARENA_BYTES)"
            result="= TFLite Micro"
        else
            what="CMSIS-NN v7.0.0"
            ram="$(( $(value cmsis_buffers_bytes "$out") + $(sed -n 's/.*scratch_bytes=\([0-9]*\).*/\1/p' "$out") )) B (2 buffers + scratch)"
            result="= typegrad's"
        fi
        echo "| $m ($macs MACs) | $what | $inst | $per | $ram | $(value stack_used_bytes "$out") B | $flash B | $(value inputs "$out") inputs, $result |"
    done
done
echo
echo "The CMSIS-NN programs (embedded/src/cmsis.rs) run the network typegrad loaded (its weights"
echo "already in TFLite's order, which CMSIS-NN reads); CMSIS-NN's RAM is its activation buffers"
echo "(the largest activation, twice; three with residual blocks) and its scratch buffer. typegrad's"
echo "is its arena (QLayer::ARENA_BYTES, the same buffers, known at compile time, on the stack: the"
echo "stack mark includes it); neither counts the input, which both write into the first buffer."
echo
echo "CMSIS-NN: ARM's int8 kernels (embedded/cmsis-nn/, v7.0.0, arm-none-eabi-gcc 12 -O2, the DSP"
echo "path on the Cortex-M4F, pure C on the M0) called by embedded/src/bin/digits_cmsis.rs on"
echo "typegrad's quantized digits network (arm_fully_connected_per_channel_s8), measured around the"
echo "same loop as digits_int8 (pixel table, argmax and checksum included); kws_cmsis, ad01_cmsis and"
echo "vww_cmsis run MLPerf Tiny's models (convolution, depthwise, average pooling, fully connected and"
echo "softmax kernels) on the same seeded inputs as the *_int8 programs."
if [[ -f $MF/build.txt ]]; then
    echo
    echo "MicroFlow on the model exactly as typegrad exports it: $(sed -n 's/^perchannel=//p' "$MF/build.txt")."
    echo "Its closest accepted model (one weight scale per layer, embedded/microflow/gen_data.py): $(grep -m1 'interpreter, per-tensor' "$MF/gen_data.txt")."
fi
echo
echo "Stack high-water mark: bytes from the top of the stack down to the lowest word whose"
echo "painted pattern was overwritten (embedded/src/stack.rs). train_iris trains a 4-8-3"
echo "network (67 parameters, batch 8, Adam) in f32, train_iris_fixed the same in Q16.16"
echo "(typegrad::fixed::I16F16, integer operations only); digits_infer holds the 64-32-10 network (2,410"
echo "parameters, 9,640 bytes) on the stack after loading it from flash. motions_infer runs the"
echo "host-trained 1-D CNN of conv1d_motions (612 parameters) on 40 recordings of 6 × 100 values"
echo "in flash; train_motions trains that CNN on the device (batch 8, Adam, 30 epochs). digits_int8"
echo "and motions_int8 run the same networks quantized to int8 with TFLite Micro's arithmetic (integer"
echo "operations only, no float routine or FPU instruction linked). kws_int8, ad01_int8, resnet8_int8"
echo "and vww_int8 run MLPerf Tiny's published int8 models (kws_ref_model.tflite: DS-CNN, 2.66 M"
echo "multiply-adds; ad01_int8.tflite: autoencoder, 264 k; pretrainedResnet_quant.tflite: ResNet-8,"
echo "12.5 M; vww_96_int8.tflite: MobileNetV1 0.25, 7.49 M), loaded into their typegrad types (the"
echo "declarations quant::tflite::declare wrote, tests/generated/) by embedded/build.rs and kept in"
echo "flash, on 4 seeded inputs each; their outputs equal the host's, which equal TFLite Micro's."
exit $status
