#!/usr/bin/env python3
"""Rewrites the firmware tables of docs/firmware.md (the guide the README links to) from the
output of scripts/footprint.sh, so its flash, RAM and stack figures are the ones a run
measured (never typed by hand).

    bash scripts/footprint.sh | tee /tmp/footprint.txt
    python3 scripts/readme_footprint.py /tmp/footprint.txt      # rewrites docs/firmware.md in place

The table sits between the lines `<!-- footprint:start -->` and `<!-- footprint:end -->`; the
side-by-side table (f32 / int8 / CMSIS-NN / MicroFlow inference, f32 / Q16.16 training) between
`<!-- sidebyside:start -->` and `<!-- sidebyside:end -->`; MLPerf Tiny's models with typegrad
and CMSIS-NN between `<!-- cmsis:start -->` and `<!-- cmsis:end -->`.
"""

import pathlib
import re
import sys

BOARDS = {
    "thumbv6m-none-eabi": "micro:bit, Cortex-M0, no FPU, 16 KiB RAM",
    "thumbv7em-none-eabihf": "MPS2-AN386, Cortex-M4F",
    "riscv32imac-unknown-none-elf": "QEMU virt, RV32IMAC, no FPU",
}


def num(text):
    """'39324 B' -> '39,324 B'."""
    m = re.match(r"(\d+) B", text.strip())
    return f"{int(m.group(1)):,} B" if m else text.strip()


def replace(text, marker, table):
    new, n = re.subn(rf"(<!-- {marker}:start -->\n)(?:.*?\n)?(<!-- {marker}:end -->)",
                     lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
    if n != 1:
        sys.exit(f"docs/firmware.md has no {marker} markers")
    return new


def main():
    footprint = pathlib.Path(sys.argv[1]).read_text()
    head, _, side = footprint.partition("## Side by side")
    side, _, mlperf = side.partition("### MLPerf Tiny's int8 models")
    rows = []
    target = None
    for line in head.splitlines():
        m = re.match(r"### (\S+) ", line)
        if m:
            target = m.group(1)
            continue
        if target and line.startswith("| ") and not line.startswith("| program") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            program = cells[0]
            if "does not build" in cells[1]:
                reason = cells[1].replace(" (by design, checked)", " (checked)")
                rows.append(f"| {BOARDS[target]} | {program} | — | — | — | {reason} | |")
                continue
            if cells[1] in ("not built", "not run on this board"):
                continue
            result = cells[4].replace("PASS, ", "")
            # Instructions are exact (QEMU -icount); QEMU's times are not the hardware's.
            inst = cells[5].split("; ")[-1] if "instructions" in cells[5] else ""
            rows.append(f"| {BOARDS[target]} | {program} | {num(cells[1])} | {num(cells[2])} | {num(cells[3])} | {result} | {inst} |")
    if not rows:
        sys.exit("no footprint rows found")
    table = "\n".join(
        ["| board | program | flash (text+rodata) | static RAM | stack high-water mark | result | instructions (QEMU -icount, exact) |",
         "|---|---|---:|---:|---:|---|---:|"] + rows)
    side_rows, notes = [], []
    target = None
    for line in side.splitlines():
        m = re.match(r"### (\S+) ", line)
        if m:
            target = m.group(1)
            continue
        if target and line.startswith("| ") and not line.startswith("| task") and not line.startswith("|---"):
            c = [x.strip() for x in line.strip("|").split("|")]
            side_rows.append(f"| {BOARDS[target]} | {c[0]} | {c[1]} | {num(c[2])} | {num(c[3])} | {num(c[5])} | {c[6]} | {c[7]} |")
        elif line.startswith("MicroFlow on the model") or line.startswith("Its closest"):
            notes.append(line)
    side_table = "\n".join(
        ["| board | task | program | flash | flash without test data | stack high-water mark | instructions (QEMU -icount, exact) | result |",
         "|---|---|---|---:|---:|---:|---:|---|"] + side_rows + ([""] + notes if notes else []))
    guide = pathlib.Path(__file__).resolve().parent.parent / "docs" / "firmware.md"
    text = replace(guide.read_text(), "footprint", table)
    if side_rows:
        text = replace(text, "sidebyside", side_table)
    # typegrad beside CMSIS-NN on MLPerf Tiny's models: the table as footprint.sh wrote it.
    mlperf_rows = [line for line in mlperf.splitlines() if line.startswith("|")]
    if len(mlperf_rows) > 2:
        text = replace(text, "cmsis", "\n".join(mlperf_rows))
    guide.write_text(text)
    print(f"docs/firmware.md: {len(rows)} firmware rows, {len(side_rows)} side-by-side rows")


if __name__ == "__main__":
    main()
