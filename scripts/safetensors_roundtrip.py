#!/usr/bin/env python3
"""Checks that a .safetensors file written by typegrad reads in Python's official
`safetensors` package (pip install safetensors numpy) with the expected tensors.

    python3 scripts/safetensors_roundtrip.py FILE.safetensors EXPECTED.json [FILE EXPECTED ...]

EXPECTED.json maps every tensor name to its dtype, shape and values (row-major, as numbers
that are exact in the dtype):

    {"0.weight": {"dtype": "F32", "shape": [8, 4], "values": [0.5, ...]}, ...}

The file must hold exactly these tensors, with these dtypes and shapes, and values equal
bit for bit. Several FILE EXPECTED pairs may be given. Prints what differs and exits with
status 1 if anything does (2 for wrong arguments); exits 0 and prints one line per file
otherwise. tests/safetensors.rs runs it on files the Rust side wrote.
"""

import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64}


def check(path, expected_path):
    with open(expected_path) as f:
        expected = json.load(f)
    tensors = load_file(path)
    problems = []
    if sorted(tensors) != sorted(expected):
        problems.append(f"tensor names: file has {sorted(tensors)}, expected {sorted(expected)}")
    for name, want in expected.items():
        if name not in tensors:
            continue
        got = tensors[name]
        dtype = np.dtype(DTYPES[want["dtype"]])
        if got.dtype != dtype:
            problems.append(f"{name}: dtype {got.dtype}, expected {dtype}")
            continue
        if list(got.shape) != want["shape"]:
            problems.append(f"{name}: shape {list(got.shape)}, expected {want['shape']}")
            continue
        values = np.array(want["values"], dtype=np.float64).astype(dtype).reshape(want["shape"])
        if not np.array_equal(got, values):
            bad = np.argwhere(got != values)[0]
            problems.append(
                f"{name}: at {bad.tolist()} the file has {got[tuple(bad)]!r}, "
                f"expected {values[tuple(bad)]!r}"
            )
    # The header is also readable lazily, tensor by tensor, as PyTorch users read it.
    with safe_open(path, framework="np") as f:
        keys = sorted(f.keys())
    if keys != sorted(expected):
        problems.append(f"safe_open keys: {keys}")
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{path}: {len(expected)} tensors as expected")
    return 1 if problems else 0


def main():
    args = sys.argv[1:]
    if not args or len(args) % 2 != 0:
        print(__doc__, file=sys.stderr)
        return 2
    # Every pair is checked (no stopping at the first failure), in one Python start-up.
    failed = [check(path, expected) for path, expected in zip(args[::2], args[1::2])]
    return 1 if any(failed) else 0


if __name__ == "__main__":
    sys.exit(main())
