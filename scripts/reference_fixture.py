#!/usr/bin/env python3
"""Records TFLite Micro's outputs for the MLPerf Tiny reference int8 models
(`tests/fixtures/mlperf_tiny/*.tflite`) on seeded pseudo-random int8 inputs, so that
`cargo test` checks typegrad's import of those files (`tests/tflite/import.rs`) without Python.

Input `k`, element `i` (in the file's NHWC order) is the top byte of SplitMix64's output for the
counter `k · n + i` (`n` elements per input): `tests/tflite/import.rs` generates the same.
Writes `tests/fixtures/mlperf_tiny/<model>_outputs.json`: the file's FNV-1a, the number of
inputs, the first rows of TFLite Micro's outputs in full, the FNV-1a of all of them and of the
desktop interpreter's (BUILTIN_REF), and how many outputs the two interpreters agree on.

    pip install tflite-micro ai-edge-litert numpy
    python3 scripts/reference_fixture.py [--samples 256]
    python3 scripts/reference_fixture.py --check    # CI: re-run, compare with the records
"""
import argparse
import json
import pathlib
import sys

import numpy as np

MODELS = ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8"]
FLOAT_MODELS = ["kws_ref_model_float32", "pretrainedResnet", "vww_96_float", "ad01_fp32"]


def inputs(k, n):
    """Input k of n int8 elements: SplitMix64 of the counters k·n … k·n + n − 1."""
    with np.errstate(over="ignore"):
        c = np.arange(k * n, (k + 1) * n, dtype=np.uint64)
        z = c * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(56)).astype(np.uint8).view(np.int8)


def float_inputs(k, n):
    """Input k of n float values in [-1, 1): (top 24 bits of the same SplitMix64 − 2^23) / 2^23,
    exact in f32."""
    with np.errstate(over="ignore"):
        c = np.arange(k * n, (k + 1) * n, dtype=np.uint64)
        z = c * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(40)).astype(np.int64) - 8388608).astype(np.float32) / np.float32(8388608)


def float_records(root, check, samples=8):
    """The float models: the desktop interpreter's (reference kernels) outputs on `samples`
    seeded float inputs, kept in full (as f32 values)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    failed = 0
    for name in FLOAT_MODELS:
        data = (root / f"{name}.tflite").read_bytes()
        ref = Interpreter(model_content=data,
                          experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        ref.allocate_tensors()
        i_det, o_det = ref.get_input_details()[0], ref.get_output_details()[0]
        shape = i_det["shape"]
        n = int(np.prod(shape))
        outputs = []
        for k in range(samples):
            ref.set_tensor(i_det["index"], float_inputs(k, n).reshape(shape))
            ref.invoke()
            outputs.append([float(v) for v in ref.get_tensor(o_det["index"]).reshape(-1)])
        record = {"file_fnv": fnv([np.frombuffer(data, dtype=np.int8)]),
                  "input_shape": [int(d) for d in shape], "samples": samples,
                  "reference_outputs": outputs}
        out = root / f"{name}_outputs.json"
        if check:
            same = json.loads(out.read_text()) == record
            failed += not same
            print(f"{name}: the desktop interpreter's float outputs "
                  f"{'equal' if same else 'DIFFER FROM'} the record {out.name}")
        else:
            out.write_text(json.dumps(record) + "\n")
            print(f"{name}: {samples} float inputs {record['input_shape']}; written to {out}")
    return failed


def fnv(rows):
    h = 0xcbf29ce484222325
    for row in rows:
        for v in bytes(np.asarray(row, dtype=np.int8).view(np.uint8)):
            h ^= v
            h = (h * 0x100000001b3) & 0xffffffffffffffff
    return f"{h:016x}"


def main():
    root = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mlperf_tiny"
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=256)
    p.add_argument("--keep", type=int, default=16, help="output rows kept in full")
    p.add_argument("--check", action="store_true",
                   help="compare with the recorded fixtures instead of writing them")
    args = p.parse_args()
    failed = 0
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    from tflite_micro.python.tflite_micro import runtime
    for name in MODELS:
        data = (root / f"{name}.tflite").read_bytes()
        ref = Interpreter(model_content=data,
                          experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        ref.allocate_tensors()
        micro = runtime.Interpreter.from_bytes(data)
        i_det, o_det = ref.get_input_details()[0], ref.get_output_details()[0]
        shape = i_det["shape"]
        n = int(np.prod(shape))
        tflm, desk = [], []
        for k in range(args.samples):
            x = inputs(k, n).reshape(shape)
            micro.set_input(x, 0)
            micro.invoke()
            tflm.append(micro.get_output(0).reshape(-1).astype(int).tolist())
            ref.set_tensor(i_det["index"], x)
            ref.invoke()
            desk.append(ref.get_tensor(o_det["index"]).reshape(-1).astype(int).tolist())
        agree = sum(int(a == b) for a, b in zip(tflm, desk))
        values_agree = sum(int(u == v) for a, b in zip(tflm, desk) for u, v in zip(a, b))
        record = {
            "file_fnv": fnv([np.frombuffer(data, dtype=np.int8)]),
            "input_shape": [int(d) for d in shape],
            "samples": args.samples,
            "inputs_fnv": fnv(inputs(k, n) for k in range(args.samples)),
            "tflm_outputs": tflm[:args.keep],
            "tflm_outputs_fnv": fnv(tflm),
            "reference_outputs_fnv": fnv(desk),
            "tflm_equals_reference_outputs": agree,
            "tflm_equals_reference_values": values_agree,
            "values": sum(len(a) for a in tflm),
        }
        out = root / f"{name}_outputs.json"
        summary = (f"{name}: {args.samples} inputs {record['input_shape']}; TFLite Micro = desktop "
                   f"interpreter on {agree}/{args.samples} outputs ({values_agree}/"
                   f"{record['values']} values)")
        if args.check:
            same = json.loads(out.read_text()) == record
            failed += not same
            print(f"{summary}; TFLite Micro's outputs "
                  f"{'equal' if same else 'DIFFER FROM'} the record {out.name}")
        else:
            out.write_text(json.dumps(record) + "\n")
            print(f"{summary}; written to {out}")
    failed += float_records(root, args.check)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
