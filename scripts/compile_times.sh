#!/usr/bin/env bash
# Compile time is part of performance (issue 5): prints the first-run cost of the README's two
# commands on a fresh clone (empty target/, crates already downloaded), the clean build time of
# the library and of the test suite, and how the build time of a program grows with the depth
# of its network (a `seq![..]` of 16-wide dense layers, trained for one step and run once).
#   scripts/compile_times.sh            print the tables
#   scripts/compile_times.sh --readme   also write the first-run times into README.md
#                                       (between <!-- firstrun:start --> and <!-- firstrun:end -->)
#                                       and all the tables into docs/building.md
#                                       (between <!-- buildtimes:start --> and <!-- buildtimes:end -->)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Everything printed is also kept, for --readme.
exec > >(tee "$work/out.md")

seconds() { # runs "$@" and prints its wall time in seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l | xargs printf "%.1f"
}

echo "compiler: $(rustc --version)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs"
echo

# The README's two commands, one after the other, on a fresh clone of the committed tree.
git clone --quiet "$root" "$work/clone"
cargo fetch --quiet --manifest-path "$work/clone/Cargo.toml"
example=$(cd "$work/clone" && seconds cargo run --release --example mlp)
tests=$(cd "$work/clone" && seconds cargo test)
echo "| the README's commands on a fresh clone (empty target/, in this order) | seconds |"
echo "|---|---:|"
echo "| \`cargo run --release --example mlp\` | $example |"
echo "| then \`cargo test\` (compile-fail tests included) | $tests |"
echo
if [[ ${1:-} == --readme ]]; then
  firstrun=1
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //; s/ Processor//; s/ [0-9]*-Core//')
  line="First run on a fresh clone (crates already downloaded, empty \`target/\`, $(nproc) × $cpu, $(date -u +%Y-%m-%d), \`scripts/compile_times.sh\`): the example ${example%.*} s, then \`cargo test\` ${tests%.*} s."
  python3 - "$root/README.md" "$line" <<'PY'
import pathlib, re, sys
path, line = pathlib.Path(sys.argv[1]), sys.argv[2]
text, n = re.subn(r"(<!-- firstrun:start -->\n).*?(\n<!-- firstrun:end -->)",
                  lambda m: m.group(1) + line + m.group(2), path.read_text(), flags=re.S)
if n != 1:
    sys.exit("README.md has no firstrun markers")
path.write_text(text)
PY
  echo "README.md: first-run times written"
fi
echo "| build (from scratch, dependencies included) | seconds |"
echo "|---|---:|"
echo "| library, debug | $(CARGO_TARGET_DIR="$work/t1" seconds cargo build --lib) |"
echo "| library, release | $(CARGO_TARGET_DIR="$work/t2" seconds cargo build --lib --release) |"
echo "| test suite, \`cargo test --no-run\` | $(CARGO_TARGET_DIR="$work/t3" seconds cargo test --no-run) |"
echo

# One program per depth, built against the already compiled library: only the network's own
# code is timed.
mkdir -p "$work/depth/src"
cat > "$work/depth/Cargo.toml" <<TOML
[package]
name = "depth"
version = "0.0.0"
edition = "2024"
[dependencies]
typegrad = { path = "$root" }
[workspace]
TOML
echo "| network depth (16-wide dense layers) | release build of the program, seconds |"
echo "|---|---:|"
for depth in 2 8 32; do
  layers=$(printf 'Dense<f32, 16, 16, Relu>, %.0s' $(seq 1 $((depth - 1))))
  cat > "$work/depth/src/main.rs" <<RS
use typegrad::activation::{Identity, Relu};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Settings, Sgd};
use typegrad::{Batch, seq};
type Net = seq![${layers}Dense<f32, 16, 16, Identity>];
fn main() {
    let mut net = Net::default();
    net.init(&mut Rng::new(1), Init::HeUniform);
    let x = Batch::<f32, 8, 16>::from_fn(|s, i| (s + i) as f32 * 0.01);
    let t = [Class::<16>::new(3).unwrap(); 8];
    let sgd = Sgd::new(Settings::new(0.01));
    let mut trainer = typegrad::train::Trainer::new(&net, sgd, SoftmaxCrossEntropy);
    let loss = trainer.step(&mut net, &x, &t);
    println!("{loss:?} {:?}", net.predict(&x.sample(0)));
}
RS
  CARGO_TARGET_DIR="$work/dt" cargo build --release --manifest-path "$work/depth/Cargo.toml" >/dev/null 2>&1
  touch "$work/depth/src/main.rs"
  echo "| $depth | $(CARGO_TARGET_DIR="$work/dt" seconds cargo build --release --manifest-path "$work/depth/Cargo.toml") |"
done

if [[ ${firstrun:-0} == 1 ]]; then
  sleep 1 # let tee write the last lines
  python3 - "$root/docs/building.md" "$work/out.md" <<'PY'
import pathlib, re, sys
path, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text()
tables = "\n".join(l for l in out.splitlines() if not l.startswith("README.md")).strip()
text, n = re.subn(r"(<!-- buildtimes:start -->\n)(?:.*?\n)?(<!-- buildtimes:end -->)",
                  lambda m: m.group(1) + tables + "\n" + m.group(2), path.read_text(), flags=re.S)
if n != 1:
    sys.exit("docs/building.md has no buildtimes markers")
path.write_text(text)
PY
  echo "docs/building.md: build-time tables written" >&2
fi
