#!/usr/bin/env python3
"""The RAM MLPerf Tiny's four int8 models take on the Cortex-M4F board, typegrad beside
TFLite Micro, written into docs/firmware.md (between `<!-- arena:start -->` and
`<!-- arena:end -->`), so the figures are the ones measured:

    bash scripts/footprint.sh        # runs the boards (embedded/target/run_all/)
    python3 scripts/mlperf_memory.py

typegrad's columns come from the firmware's own output (`arena_bytes`: the compile-time
`QLayer::ARENA_BYTES`, the activation buffers of `run_in`, input and output included;
`stack_used_bytes`: the measured high-water mark of a whole inference, the arena included,
as the firmware keeps it on the stack). TFLite Micro's arena
is what its RecordingMicroAllocator reports for the same file (`pip install tflite-micro`):
tensors planned to share memory, plus the interpreter's own structures.
"""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = [
    ("kws_int8", "kws_ref_model", "DS-CNN (KWS)"),
    ("ad01_int8", "ad01_int8", "autoencoder (AD01)"),
    ("resnet8_int8", "pretrainedResnet_quant", "ResNet-8 (IC)"),
    ("vww_int8", "vww_96_int8", "MobileNetV1 0.25 (VWW)"),
]


def arena(stem):
    """TFLite Micro's arena for a file: its allocator's total, in bytes."""
    code = ("from tflite_micro.python.tflite_micro import runtime\n"
            f"runtime.Interpreter.from_file('{ROOT}/tests/fixtures/mlperf_tiny/{stem}.tflite')"
            ".print_allocations()\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    out = run.stdout + run.stderr
    return int(re.search(r"Arena allocation total (\d+) bytes", out).group(1))


def value(key, text):
    return int(re.search(rf"\b{key}=(\d+)", text).group(1))


def main():
    rows = ["| model | typegrad `ARENA_BYTES` (compile time) | typegrad stack high-water mark (measured, arena included) | TFLite Micro arena (same file) | `ARENA_BYTES` / TFLite Micro arena |",
            "|---|---:|---:|---:|---:|"]
    for program, stem, name in MODELS:
        out = (ROOT / "embedded/target/run_all" / f"thumbv7em-none-eabihf-{program}.txt").read_text()
        act, stack, a = value("arena_bytes", out), value("stack_used_bytes", out), arena(stem)
        rows.append(f"| {name} | {act:,} B | {stack:,} B | {a:,} B | {act / a:.2f}× |")
    table = "\n".join(rows)
    print(table)
    doc = ROOT / "docs" / "firmware.md"
    text, n = re.subn(r"(<!-- arena:start -->\n)(?:.*?\n)?(<!-- arena:end -->)",
                      lambda m: m.group(1) + table + "\n" + m.group(2), doc.read_text(), flags=re.S)
    if n != 1:
        sys.exit("docs/firmware.md has no arena markers")
    doc.write_text(text)


if __name__ == "__main__":
    main()
