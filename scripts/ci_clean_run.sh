#!/usr/bin/env bash
# Runs CI (`bash .ci/run`) the way CI does: on a fresh clone of the committed HEAD, with
# ../shared beside it. The log goes to target/ci-clean.log. With --readme, the elapsed time
# of a passing run is written into docs/building.md (the guide the README links to, between
# <!-- citime:start --> and <!-- citime:end -->) with the machine's CPU model and the date.
#   bash scripts/ci_clean_run.sh [--readme]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$root" "$work/main"
ln -s "$(cd "$root/.." && pwd)/shared" "$work/shared"
mkdir -p target
log="$root/target/ci-clean.log"
start=$(date +%s)
if (cd "$work/main" && bash .ci/run) >"$log" 2>&1; then rc=0; else rc=$?; fi
elapsed=$(( $(date +%s) - start ))
tail -n 3 "$log"
echo "ci_clean_run: rc=$rc after $elapsed s (log: $log)"
if [[ $rc -eq 0 && ${1:-} == --readme ]]; then
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') (family $(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
  line="The last full run on a fresh clone (\`scripts/ci_clean_run.sh --readme\`, $(date -u +%Y-%m-%d), $(nproc) × $cpu) took $(printf "%'d" "$elapsed") s, including what it installed (targets, toolchains, QEMU, Python packages) where they were missing."
  python3 - "$line" <<'PY'
import pathlib, re, sys
p = pathlib.Path("docs/building.md")
s, n = re.subn(r"(<!-- citime:start -->\n)(?:.*?\n)?(<!-- citime:end -->)",
               lambda m: m.group(1) + sys.argv[1] + "\n" + m.group(2), p.read_text(), flags=re.S)
if n != 1:
    sys.exit("docs/building.md has no citime markers")
p.write_text(s)
print("docs/building.md: CI time written")
PY
fi
exit $rc
