#!/usr/bin/env python3
"""Prepares the MicroFlow firmware's inputs (pip install tflite ai-edge-litert numpy).

    python3 embedded/microflow/gen_data.py --json target/int8_digits.json \
        --tflite target/int8_digits.tflite [--fw embedded/microflow] [--data data]

1. Copies the .tflite that typegrad's writer made of the int8 digits network (the int8_digits
   example writes it; per-channel int8 weights) to models/digits_pc.tflite.
2. Writes models/digits_pt.tflite: the same network with ONE weight scale per layer (what
   MicroFlow's FULLY_CONNECTED accepts), typegrad's file rewritten in place (`per_tensor`).
3. Runs both files on the 450 int8 test inputs in the TFLite interpreter with reference kernels
   (OpResolverType.BUILTIN_REF, as tflite_check.py does) and reports how many outputs equal
   typegrad's.
4. Writes gen/data_gen.rs: inputs, labels (data/digits.csv + digits_split.txt, test rows in
   order), typegrad's int8 outputs and the interpreter's outputs for both files.
"""

import argparse
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]


def fully_connected(data):
    """Per FULLY_CONNECTED operator of a .tflite file (`tflite` package): its input, weight
    and bias tensors."""
    import tflite
    from tflite.BuiltinOperator import BuiltinOperator
    model = tflite.Model.GetRootAsModel(data, 0)
    sg = model.Subgraphs(0)
    ops = []
    for k in range(sg.OperatorsLength()):
        op = sg.Operators(k)
        code = model.OperatorCodes(op.OpcodeIndex())
        if max(code.BuiltinCode(), code.DeprecatedBuiltinCode()) == BuiltinOperator.FULLY_CONNECTED:
            ops.append(tuple(sg.Tensors(op.Inputs(i)) for i in range(3)))
    return model, ops


def per_tensor(pc):
    """typegrad's per-channel file `pc` rewritten in place with ONE weight scale per layer
    (what MicroFlow's FULLY_CONNECTED accepts). Per layer: s = max_c(s_c * max|w_c|) / 127
    (TFLite's symmetric per-tensor rule on the dequantized per-channel weights w_c * s_c),
    weights requantized round(w * s_c / s) (|.| <= 127), biases round(b * s_c / s) (bias scale
    input_scale * s). The weight and bias data keep their size and place; each scale and
    zero-point vector gets length 1 (its length prefix rewritten: the other entries become
    unreferenced bytes, a valid flatbuffer), its first scale the new one."""
    import struct
    data = bytearray(pc)
    model, ops = fully_connected(pc)
    scales = []
    for x, w, b in ops:
        sc = w.Quantization().ScaleAsNumpy().astype(np.float64)
        wt = model.Buffers(w.Buffer()).DataAsNumpy().view(np.int8).astype(np.int64)
        wt = wt.reshape(len(sc), -1)
        bt = model.Buffers(b.Buffer()).DataAsNumpy().view(np.int32).astype(np.float64)
        s = float(np.float32(max(sc[c] * np.abs(wt[c]).max() for c in range(len(sc))) / 127.0))
        wq = np.clip(np.round(wt * (sc[:, None] / s)), -127, 127).astype(np.int8)
        bq = np.round(bt * sc / s).astype(np.int32)
        in_scale = float(x.Quantization().Scale(0))
        for tensor, values, scale in ((w, wq, s), (b, bq, in_scale * s)):
            buf = model.Buffers(tensor.Buffer())
            start = buf._tab.Vector(buf._tab.Offset(4))
            raw = values.tobytes()
            data[start:start + len(raw)] = raw
            q = tensor.Quantization()
            for field in (8, 10):  # vtable offsets of `scale` and `zero_point`
                o = q._tab.Offset(field)
                struct.pack_into("<I", data, q._tab.Vector(o) - 4, 1)
            struct.pack_into("<f", data, q._tab.Vector(q._tab.Offset(8)), scale)
        scales.append((s, sc.min(), sc.max()))
    data = bytes(data)
    _, ops2 = fully_connected(data)
    for _, w, b in ops2:
        for t in (w, b):
            assert t.Quantization().ScaleLength() == 1 and t.Quantization().ZeroPointLength() == 1
    return data, scales


def interpret(data, inputs):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=data, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    ys = []
    for x in inputs:
        it.set_tensor(inp, np.array([x], dtype=np.int8))
        it.invoke()
        ys.append(it.get_tensor(out).reshape(-1).astype(int).tolist())
    return ys


def labels(data_dir):
    rows = [l.strip() for l in (data_dir / "digits.csv").read_text().splitlines()[1:] if l.strip()]
    split = [l.strip() for l in (data_dir / "digits_split.txt").read_text().splitlines() if l.strip()]
    assert len(rows) == len(split)
    return [int(float(r.split(",")[-1])) for r, s in zip(rows, split) if s == "test"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json", required=True)
    p.add_argument("--tflite", required=True)
    p.add_argument("--fw", default=str(ROOT / "embedded" / "microflow"))
    p.add_argument("--data", default=str(ROOT / "data"))
    a = p.parse_args()
    model = json.loads(pathlib.Path(a.json).read_text())
    fw = pathlib.Path(a.fw)
    (fw / "models").mkdir(exist_ok=True)
    (fw / "gen").mkdir(exist_ok=True)
    inputs, tg = model["test_inputs"], model["typegrad_outputs"]
    lab = labels(pathlib.Path(a.data))
    assert len(lab) == len(inputs) == len(tg) == 450

    pc = pathlib.Path(a.tflite).read_bytes()
    print(f"per-channel file {a.tflite} (typegrad's writer): {len(pc)} bytes")
    (fw / "models" / "digits_pc.tflite").write_bytes(pc)

    pt, scales = per_tensor(pc)
    (fw / "models" / "digits_pt.tflite").write_bytes(pt)

    y_pc = interpret(pc, inputs)
    y_pt = interpret(pt, inputs)
    same_pc = sum(a_ == b_ for a_, b_ in zip(y_pc, tg))
    same_pt = sum(a_ == b_ for a_, b_ in zip(y_pt, tg))
    maxd_pt = max(abs(u - v) for a_, b_ in zip(y_pt, tg) for u, v in zip(a_, b_))
    acc = lambda ys: sum(int(np.argmax(y)) == l for y, l in zip(ys, lab))  # first max, as ours
    print(f"interpreter, per-channel file: {same_pc}/450 identical to typegrad; accuracy {acc(y_pc)}/450")
    print(f"interpreter, per-tensor file ({len(pt)} bytes): accuracy {acc(y_pt)}/450; "
          f"{same_pt}/450 identical to typegrad's per-channel outputs (max abs diff {maxd_pt})")
    print(f"typegrad int8 accuracy {acc(tg)}/450")
    for k, (s, lo, hi) in enumerate(scales):
        print(f"  per-tensor layer {k}: weight scale {s:.9g} (per-channel scales {lo:.4g}..{hi:.4g})")

    def arr(name, rows, ty, n, doc):
        body = ",\n".join("    [" + ",".join(str(v) for v in r) + "]" for r in rows)
        return f"/// {doc}\npub static {name}: [[{ty}; {n}]; ROWS] = [\n{body},\n];\n"

    import tflite
    m = tflite.Model.GetRootAsModel(pc, 0).Subgraphs(0)
    q_in = m.Tensors(m.Inputs(0)).Quantization()
    rs = ["// Generated by gen_data.py; do not edit.\n",
          "/// Test images.\npub const ROWS: usize = 450;\n",
          f"/// Scale of the int8 input tensor.\npub const INPUT_SCALE: f32 = {float(np.float32(q_in.Scale(0)))!r};\n",
          f"/// Zero point of the int8 input tensor.\npub const INPUT_ZERO_POINT: i8 = {int(q_in.ZeroPoint(0))};\n",
          arr("INPUTS", inputs, "i8", 64, "The int8 test inputs (typegrad's quantization of the pixels / 16)."),
          "/// Digit of each test image.\npub static LABELS: [u8; ROWS] = [" + ",".join(map(str, lab)) + "];\n",
          arr("TYPEGRAD_OUT", tg, "i8", 10, "typegrad's int8 outputs (int8_digits example)."),
          arr("TFLITE_PC_OUT", y_pc, "i8", 10, "TFLite interpreter (BUILTIN_REF) on models/digits_pc.tflite."),
          arr("TFLITE_PT_OUT", y_pt, "i8", 10, "TFLite interpreter (BUILTIN_REF) on models/digits_pt.tflite.")]
    (fw / "gen" / "data_gen.rs").write_text("\n".join(rs))
    print(f"wrote {fw / 'gen' / 'data_gen.rs'}")


if __name__ == "__main__":
    main()
