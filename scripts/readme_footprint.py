#!/usr/bin/env python3
"""Rewrites the firmware table of README.md from the output of scripts/footprint.sh, so the
README's flash, RAM and stack figures are the ones a run measured (never typed by hand).

    bash scripts/footprint.sh | tee /tmp/footprint.txt
    python3 scripts/readme_footprint.py /tmp/footprint.txt      # rewrites README.md in place

The table sits between the lines `<!-- footprint:start -->` and `<!-- footprint:end -->`.
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


def main():
    footprint = pathlib.Path(sys.argv[1]).read_text()
    rows = []
    target = None
    for line in footprint.splitlines():
        m = re.match(r"### (\S+) ", line)
        if m:
            target = m.group(1)
            continue
        if target and line.startswith("| ") and not line.startswith("| program") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            program = cells[0]
            if "does not build" in cells[1]:
                rows.append(f"| {BOARDS[target]} | {program} | — | — | — | does not build: training state exceeds the RAM (checked) | |")
                continue
            if cells[1] in ("not built", "not run on this board"):
                continue
            result = cells[4].replace("PASS, ", "")
            # Instructions are exact (RV32 under -icount); QEMU's times are not the hardware's.
            inst = cells[5].split("; ")[1] if "; " in cells[5] else ""
            rows.append(f"| {BOARDS[target]} | {program} | {num(cells[1])} | {num(cells[2])} | {num(cells[3])} | {result} | {inst} |")
    if not rows:
        sys.exit("no footprint rows found")
    table = "\n".join(
        ["| board | program | flash (text+rodata) | static RAM | stack high-water mark | result | instructions (exact, RV32) |",
         "|---|---|---:|---:|---:|---|---:|"] + rows)
    readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
    text = readme.read_text()
    new, n = re.subn(r"(<!-- footprint:start -->\n).*?(\n<!-- footprint:end -->)",
                     lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
    if n != 1:
        sys.exit("README.md has no footprint markers")
    readme.write_text(new)
    print(f"README.md: {len(rows)} firmware rows")


if __name__ == "__main__":
    main()
