#!/usr/bin/env bash
# Runs the benchmark report (benches/report.rs): W1–W4 of benches/WORKLOADS.md, typegrad
# against nalgebra and ndarray, interleaved, single thread pinned to one core — once for the
# default x86-64 build and once with -C target-cpu=native. Prints markdown tables.
#   scripts/bench_report.sh            full run (several minutes)
#   scripts/bench_report.sh --quick    smoke run (seconds; numbers not for publishing)
# With FMA=1, then the default build once more with typegrad's opt-in `fma` feature; last,
# W3 in JAX (benches/jax_w3.py), pinned to the same core, if a Python with jax is found
# ($JAX_PYTHON, else python3; `pip install "jax[cpu]"`).
#   FMA=1 JAX_PYTHON=/path/to/venv/bin/python scripts/bench_report.sh | tee docs/bench-latest.md
set -euo pipefail
cd "$(dirname "$0")/.."
export RAYON_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)

echo "# typegrad benchmark report — $(date -u +%Y-%m-%d)"
echo
cpu_field() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2 | sed "s/^ //"; }
isa=$(grep -m1 flags /proc/cpuinfo | grep -oE "\b(avx512f|avx2|fma)\b" | sort -u | tr '\n' ' ' | sed 's/ $//')
echo "machine: $(cpu_field "model name") (family $(cpu_field "cpu family"), model $(cpu_field "model\s")), $isa, $(nproc --all) cores, the benchmark pinned to core 1"
echo "compiler: $(rustc --version)"
echo
cargo build --release -p typegrad-bench --bench report --quiet
"${pin[@]}" cargo bench --quiet -p typegrad-bench --bench report -- "$@"
echo
CARGO_TARGET_DIR=target/native RUSTFLAGS="-C target-cpu=native" cargo build --release -p typegrad-bench --bench report --quiet
CARGO_TARGET_DIR=target/native RUSTFLAGS="-C target-cpu=native" "${pin[@]}" cargo bench --quiet -p typegrad-bench --bench report -- "$@"
if [ "${FMA:-0}" = 1 ]; then
  echo
  CARGO_TARGET_DIR=target/fma cargo build --release -p typegrad-bench --features fma --bench report --quiet
  CARGO_TARGET_DIR=target/fma "${pin[@]}" cargo bench --quiet -p typegrad-bench --features fma --bench report -- "$@"
fi
echo
py=${JAX_PYTHON:-python3}
if "$py" -c "import jax" 2>/dev/null; then
  "${pin[@]}" "$py" benches/jax_w3.py "$@"
  "${pin[@]}" "$py" benches/jax_w6.py "$@"
else
  echo "(JAX not found: \`pip install \"jax[cpu]\"\` and rerun for the W3 and W6 comparisons with JAX)"
fi
