#!/usr/bin/env python3
"""Checks typegrad's int8 inference against TFLite Micro's interpreter, bit for bit.

Reads what an int8 example wrote (`cargo run --release --example int8_digits` writes
target/int8_digits.json: the path of the `.tflite` file typegrad's Rust writer made of the
quantized network, the input shape, the int8 test inputs and typegrad's int8 outputs), runs
every test input through TFLite Micro's own interpreter (`tflite-micro`: what microcontrollers
run; typegrad's default arithmetic, `quant::Rounding::Micro`) and through the desktop
interpreter (`ai-edge-litert`) with its reference kernels (OpResolverType.BUILTIN_REF, whose
FULLY_CONNECTED rounds once: `Rounding::Reference`), and compares each output with typegrad's.
Exit status 0 only if typegrad equals TFLite Micro on all of them; the desktop interpreter's
count is reported beside it. (typegrad's inputs are channel-major; they are given to the
interpreters in NHWC order.)

    pip install tflite-micro ai-edge-litert numpy
    python3 scripts/tflite_check.py [--model target/int8_digits.json]
    python3 scripts/tflite_check.py --model target/int8_cnn_digits.json   # the 2-D CNN
    python3 scripts/tflite_check.py --model target/int8_motions.json      # the 1-D CNN
        [--fixture tests/fixtures/int8_digits_tflite.json]   # also write a fixture for cargo test

The fixture holds the hash of the file, the first 60 test inputs and both interpreters'
outputs for them (`tflm_outputs`, `reference_outputs`) and hashes of all; tests/quant.rs and
the examples check that typegrad computes the first with its default rounding and the second
with `Rounding::Reference`.
"""

import argparse
import json
import pathlib
import sys

import numpy as np


def fnv(rows):
    """FNV-1a (64-bit) of the int8 values of `rows` (lists of ints, or bytes), as a hex
    string: what tests compare when a fixture does not keep every value."""
    h = 0xcbf29ce484222325
    for row in rows:
        for v in row:
            h ^= v & 0xff
            h = (h * 0x100000001b3) & 0xffffffffffffffff
    return f"{h:016x}"


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=root / "target" / "int8_digits.json")
    p.add_argument("--fixture", default=None)
    p.add_argument("--fixture-rows", type=int, default=60,
                   help="inputs and outputs kept in full in the fixture (all are hashed)")
    args = p.parse_args()
    model = json.loads(pathlib.Path(args.model).read_text())
    signal = "input_shape" in model
    # The file typegrad's Rust writer (typegrad::quant::tflite) wrote: the one judged.
    tflite_path = model["tflite"]
    data = pathlib.Path(tflite_path).read_bytes()
    print(f"judging {tflite_path}, written by typegrad ({len(data)} bytes)")

    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    from tflite_micro.python.tflite_micro import runtime
    it = Interpreter(model_content=data, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    micro = runtime.Interpreter.from_bytes(data)
    inp, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    same, outputs, same_ref, ref_outputs = 0, [], 0, []
    for x, ours in zip(model["test_inputs"], model["typegrad_outputs"]):
        if signal and len(model["input_shape"]) == 3:
            c, h, w = model["input_shape"]  # ours: NCHW; TFLite: NHWC
            x = np.array(x, dtype=np.int8).reshape(c, h, w).transpose(1, 2, 0).reshape(1, h, w, c)
        elif signal and len(model["input_shape"]) == 1:
            x = np.array([x], dtype=np.int8)
        elif signal:
            c, length = model["input_shape"]  # ours: channel after channel; TFLite: NHWC
            x = np.array(x, dtype=np.int8).reshape(c, length).T.reshape(1, 1, length, c)
        else:
            x = np.array([x], dtype=np.int8)
        it.set_tensor(inp, x)
        it.invoke()
        r = it.get_tensor(out).reshape(-1).astype(int).tolist()
        ref_outputs.append(r)
        same_ref += int(r == ours)
        micro.set_input(x, 0)
        micro.invoke()
        y = micro.get_output(0).reshape(-1).astype(int).tolist()
        outputs.append(y)
        same += int(y == ours)
    n = len(model["test_inputs"])
    diff = [abs(a - b) for ys, os in zip(outputs, model["typegrad_outputs"]) for a, b in zip(ys, os)]
    micro_vs_ref = sum(int(a == b) for a, b in zip(outputs, ref_outputs))
    print(f"{tflite_path}: {len(data)} bytes; TFLite Micro vs typegrad: {same}/{n} outputs "
          f"bit-identical (largest difference {max(diff)}); desktop interpreter (reference "
          f"kernels) vs typegrad: {same_ref}/{n}; TFLite Micro vs desktop: {micro_vs_ref}/{n}")
    if args.fixture:
        keep = args.fixture_rows
        fixture = {k: v for k, v in model.items()
                   if k not in ("test_inputs", "typegrad_outputs", "tflite")}
        fixture.update({"inputs": model["test_inputs"][:keep], "tflm_outputs": outputs[:keep],
                        "reference_outputs": ref_outputs[:keep], "samples": n,
                        "inputs_fnv": fnv(model["test_inputs"]), "tflm_outputs_fnv": fnv(outputs),
                        "reference_outputs_fnv": fnv(ref_outputs), "tflite_fnv": fnv([data])})
        pathlib.Path(args.fixture).write_text(json.dumps(fixture) + "\n")
        print(f"fixture written to {args.fixture}")
    sys.exit(0 if same == n else 1)


if __name__ == "__main__":
    main()
