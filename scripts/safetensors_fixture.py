#!/usr/bin/env python3
"""Writes the .safetensors fixtures that tests/safetensors.rs loads, with the official
Python `safetensors` and `numpy` packages (pip install safetensors numpy).

    python3 scripts/safetensors_fixture.py                  # writes tests/fixtures/
    python3 scripts/safetensors_fixture.py --out DIR        # the same files, elsewhere
    python3 scripts/safetensors_fixture.py --f16-table DIR  # every finite f16, for a test

The default run writes, from a fixed seed, the weights of a 4-8-3 multilayer perceptron named
like PyTorch's `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))` state dict
("0.weight" [8, 4], "0.bias" [8], "2.weight" [3, 8], "2.bias" [3]):

- mlp_4_8_3.safetensors      the weights as F32
- mlp_4_8_3_f16.safetensors  the same weights rounded to F16
- mlp_4_8_3_expected.json    5 inputs and the outputs numpy computes,
                             relu(x W1^T + b1) W2^T + b2, in float64 from the F32 weights
                             ("outputs") and from the F16 weights ("outputs_f16"), plus the
                             F16 weights as exact numbers ("weights_f16")

Every number in the JSON is a Python float (an IEEE double) written with repr, so it reads
back bit for bit; float32 and float16 values are exact in it.

--f16-table DIR writes f16_table_f16.safetensors and f16_table_f32.safetensors: a tensor
"t.weight" of shape [248, 256] holding the 63,488 finite float16 bit patterns 0x0000..0x7BFF
and 0x8000..0xFBFF in order (as F16 in the first file, converted to float32 by numpy in the
second) and a zero "t.bias" [248]. The test loads both and compares the conversions.
"""

import argparse
import json
import pathlib
import sys

import numpy as np
from safetensors.numpy import save_file

SEED = 20251122
FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def forward(weights, x):
    """The MLP in float64: relu(x W1^T + b1) W2^T + b2."""
    w = {name: value.astype(np.float64) for name, value in weights.items()}
    h = np.maximum(x.astype(np.float64) @ w["0.weight"].T + w["0.bias"], 0.0)
    return h @ w["2.weight"].T + w["2.bias"]


def mlp(out_dir):
    rng = np.random.default_rng(SEED)
    # PyTorch's nn.Linear(in, out) default: weight and bias uniform in ±1/sqrt(in).
    weights = {}
    for name, inputs, outputs in (("0", 4, 8), ("2", 8, 3)):
        bound = 1.0 / np.sqrt(inputs)
        weights[f"{name}.weight"] = rng.uniform(-bound, bound, (outputs, inputs)).astype(np.float32)
        weights[f"{name}.bias"] = rng.uniform(-bound, bound, (outputs,)).astype(np.float32)
    inputs = rng.normal(0.0, 1.0, (5, 4)).astype(np.float32)
    halves = {name: value.astype(np.float16) for name, value in weights.items()}

    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(out_dir / "mlp_4_8_3.safetensors"))
    save_file(halves, str(out_dir / "mlp_4_8_3_f16.safetensors"))
    expected = {
        "description": "scripts/safetensors_fixture.py: inputs and numpy's outputs of "
        "relu(x W1^T + b1) W2^T + b2 in float64, for the F32 weights (outputs) and the F16 "
        "weights (outputs_f16); weights_f16 are the F16 weights, row-major",
        "seed": SEED,
        "inputs": inputs.astype(np.float64).tolist(),
        "outputs": forward(weights, inputs).tolist(),
        "outputs_f16": forward(halves, inputs).tolist(),
        "weights_f16": {
            name: value.astype(np.float64).ravel().tolist() for name, value in halves.items()
        },
    }
    path = out_dir / "mlp_4_8_3_expected.json"
    path.write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {out_dir}/mlp_4_8_3.safetensors, mlp_4_8_3_f16.safetensors, {path.name}")


def f16_table(out_dir):
    bits = np.concatenate([np.arange(0x0000, 0x7C00), np.arange(0x8000, 0xFC00)]).astype(np.uint16)
    halves = bits.view(np.float16).reshape(248, 256)
    assert np.isfinite(halves).all()
    bias = np.zeros(248, dtype=np.float16)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file({"t.weight": halves, "t.bias": bias}, str(out_dir / "f16_table_f16.safetensors"))
    save_file(
        {"t.weight": halves.astype(np.float32), "t.bias": bias.astype(np.float32)},
        str(out_dir / "f16_table_f32.safetensors"),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=FIXTURES, help="output folder")
    parser.add_argument("--f16-table", type=pathlib.Path, metavar="DIR",
                        help="write only the float16 conversion table into DIR")
    args = parser.parse_args()
    if args.f16_table is not None:
        f16_table(args.f16_table)
    else:
        mlp(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
