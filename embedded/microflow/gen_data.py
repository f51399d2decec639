#!/usr/bin/env python3
"""Prepares the MicroFlow firmware's inputs (needs the packages of scripts/tflite_check.py).

    python3 embedded/microflow/gen_data.py --json target/int8_digits.json \
        --tflite target/int8_digits.tflite [--fw embedded/microflow] [--data data]

1. Copies the .tflite that scripts/tflite_check.py wrote from typegrad's export (per-channel
   int8 weights) to models/digits_pc.tflite.
2. Writes models/digits_pt.tflite: the same network with ONE weight scale per layer (what
   MicroFlow's FULLY_CONNECTED accepts). Per layer: s = max_c(s_c * max|w_c|) / 127 (TFLite's
   symmetric per-tensor rule applied to the dequantized per-channel weights w_c * s_c), weights
   requantized round(w * s_c / s) (|.| <= 127), biases round(b * s_c / s) (bias scale
   input_scale * s), input/output scales and zero points unchanged. Written with
   tflite_check.build(), i.e. the same writer as the original file.
3. Runs both files on the 450 int8 test inputs in the TFLite interpreter with reference kernels
   (OpResolverType.BUILTIN_REF, as tflite_check.py does) and checks that the per-channel file
   still reproduces the given .tflite byte for byte and typegrad's outputs.
4. Writes gen/data_gen.rs: inputs, labels (data/digits.csv + digits_split.txt, test rows in
   order), typegrad's int8 outputs and the interpreter's outputs for both files.
"""

import argparse
import copy
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import tflite_check  # noqa: E402  (build(): the .tflite writer of typegrad's check)


def per_tensor(layers):
    out = []
    for l in layers:
        w = np.array(l["weights"], dtype=np.int64)  # [O][I]
        sc = np.array(l["weight_scales"], dtype=np.float64)
        s = float(np.float32(max(sc[c] * np.abs(w[c]).max() for c in range(len(sc))) / 127.0))
        wq = np.clip(np.round(w * (sc[:, None] / s)), -127, 127).astype(int)
        bq = np.round(np.array(l["bias"], dtype=np.float64) * sc / s).astype(int)
        m = copy.deepcopy(l)
        m["weights"] = wq.tolist()
        m["bias"] = bq.tolist()
        m["weight_scales"] = [s] * len(sc)  # equal; written as one scale below
        out.append(m)
    return out


def build_per_tensor(layers):
    """The .tflite bytes of layers whose weight scales are all equal, with ONE scale and zero
    point for each weight and bias tensor (as a per-tensor converter writes them).

    Written by tflite_check.build() (the writer of typegrad's own check; it writes one scale
    per output channel, here all equal), then each weight/bias tensor's `scale` and
    `zero_point` vectors are shortened to their first element by rewriting the vectors' length
    prefixes in place (a valid flatbuffer: the other entries become unreferenced bytes)."""
    import struct
    import tflite
    data = bytearray(tflite_check.build(layers))
    model = tflite.Model.GetRootAsModel(data, 0)
    sg = model.Subgraphs(0)
    patched = 0
    for t in range(sg.TensorsLength()):
        tensor = sg.Tensors(t)
        q = tensor.Quantization()
        if q is None or q.ScaleLength() <= 1:
            continue
        scales = q.ScaleAsNumpy()
        assert np.all(scales == scales[0]), "per-tensor variant needs equal scales"
        for field in (8, 10):  # vtable offsets of `scale` and `zero_point`
            o = q._tab.Offset(field)
            start = q._tab.Vector(o)  # first element; the u32 length sits just before it
            struct.pack_into("<I", data, start - 4, 1)
        patched += 1
    data = bytes(data)
    m2 = tflite.Model.GetRootAsModel(data, 0).Subgraphs(0)
    for t in range(m2.TensorsLength()):
        q = m2.Tensors(t).Quantization()
        assert q is None or (q.ScaleLength() == 1 and q.ZeroPointLength() == 1)
    assert patched == 2 * len(layers)
    return data


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
    rebuilt = tflite_check.build(model["layers"])
    print(f"per-channel file {a.tflite}: {len(pc)} bytes; rebuilt from the JSON identical: {rebuilt == pc}")
    (fw / "models" / "digits_pc.tflite").write_bytes(pc)

    pt_layers = per_tensor(model["layers"])
    pt = build_per_tensor(pt_layers)
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
    for k, l in enumerate(pt_layers):
        print(f"  per-tensor layer {k}: weight scale {l['weight_scales'][0]:.9g} "
              f"(per-channel scales {min(model['layers'][k]['weight_scales']):.4g}.."
              f"{max(model['layers'][k]['weight_scales']):.4g})")

    def arr(name, rows, ty, n, doc):
        body = ",\n".join("    [" + ",".join(str(v) for v in r) + "]" for r in rows)
        return f"/// {doc}\npub static {name}: [[{ty}; {n}]; ROWS] = [\n{body},\n];\n"

    l0 = model["layers"][0]
    rs = ["// Generated by gen_data.py; do not edit.\n",
          "/// Test images.\npub const ROWS: usize = 450;\n",
          f"/// Scale of the int8 input tensor.\npub const INPUT_SCALE: f32 = {float(np.float32(l0['input_scale']))!r};\n",
          f"/// Zero point of the int8 input tensor.\npub const INPUT_ZERO_POINT: i8 = {l0['input_zero_point']};\n",
          arr("INPUTS", inputs, "i8", 64, "The int8 test inputs (typegrad's quantization of the pixels / 16)."),
          "/// Digit of each test image.\npub static LABELS: [u8; ROWS] = [" + ",".join(map(str, lab)) + "];\n",
          arr("TYPEGRAD_OUT", tg, "i8", 10, "typegrad's int8 outputs (int8_digits example)."),
          arr("TFLITE_PC_OUT", y_pc, "i8", 10, "TFLite interpreter (BUILTIN_REF) on models/digits_pc.tflite."),
          arr("TFLITE_PT_OUT", y_pt, "i8", 10, "TFLite interpreter (BUILTIN_REF) on models/digits_pt.tflite.")]
    (fw / "gen" / "data_gen.rs").write_text("\n".join(rs))
    print(f"wrote {fw / 'gen' / 'data_gen.rs'}")


if __name__ == "__main__":
    main()
