#!/usr/bin/env bash
# Installs what the firmware needs, if it is missing: QEMU (ARM and RISC-V system emulators),
# arm-none-eabi-gcc with newlib's headers (for CMSIS-NN),
# the three Rust targets and llvm-tools (llvm-size) for the pinned toolchain. Idempotent.
set -euo pipefail
cd "$(dirname "$0")" # so rustup sees the repository's rust-toolchain.toml (1.95.0)

if ! command -v qemu-system-arm >/dev/null || ! command -v qemu-system-riscv32 >/dev/null; then
    sudo=""
    if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        qemu-system-arm qemu-system-misc >/dev/null
fi

# arm-none-eabi-gcc and newlib's headers build CMSIS-NN (cmsis-nn/) for the digits_cmsis
# comparison.
if ! command -v arm-none-eabi-gcc >/dev/null || [[ ! -f /usr/lib/arm-none-eabi/include/string.h ]]; then
    sudo=""
    if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        gcc-arm-none-eabi libnewlib-arm-none-eabi >/dev/null
fi

installed=$(rustup target list --installed)
for t in thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
    if ! grep -qx "$t" <<<"$installed"; then
        rustup target add "$t"
    fi
done
if ! rustup component list --installed | grep -q '^llvm-tools'; then
    rustup component add llvm-tools
fi
