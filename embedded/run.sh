#!/usr/bin/env bash
# Cargo runner for the firmware: runs an ELF on the QEMU board of its target.
#
#   run.sh path/to/ELF [args ignored]
#
# The target comes from $TYPEGRAD_EMBEDDED_TARGET if set, else from the ELF's path
# (target/<triple>/<profile>/<name>). The program's semihosting exit status becomes this
# script's status (0 pass, 1 fail); 124 means it ran out of time (timeout 120 s).
set -euo pipefail

elf=${1:?usage: run.sh ELF}
target=${TYPEGRAD_EMBEDDED_TARGET:-}
if [[ -z $target ]]; then
    for t in thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
        if [[ $elf == *"/$t/"* ]]; then
            target=$t
        fi
    done
fi

case $target in
    # -icount shift=0: one instruction per virtual nanosecond, so minstret (RV32) and SysTick
    # in virtual time (Cortex-M, src/icount.rs) count instructions exactly.
    thumbv6m-none-eabi) qemu=(qemu-system-arm -cpu cortex-m0 -machine microbit -icount shift=0) ;;
    thumbv7em-none-eabihf) qemu=(qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -icount shift=0) ;;
    riscv32imac-unknown-none-elf) qemu=(qemu-system-riscv32 -machine virt -bios none -icount shift=0) ;;
    *)
        echo "run.sh: no QEMU board for target '${target}' (ELF $elf); set TYPEGRAD_EMBEDDED_TARGET" >&2
        exit 2
        ;;
esac

exec timeout 120 "${qemu[@]}" -nographic -monitor none -semihosting-config enable=on,target=native -kernel "$elf"
