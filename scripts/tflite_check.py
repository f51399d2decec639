#!/usr/bin/env python3
"""Checks typegrad's int8 inference against TFLite Micro's interpreter, bit for bit.

Reads a quantized network exported by typegrad (`cargo run --release --example int8_digits`
writes target/int8_digits.json: per layer int8 weights, int32 biases, per-channel weight
scales, input/output scale and zero point, fused ReLU; plus int8 test inputs and typegrad's
int8 outputs), writes it as a .tflite file (FULLY_CONNECTED operators, int8 weights quantized
per output channel, int32 biases) with the `tflite` package's generated builders and
`flatbuffers`, runs every test input through TFLite Micro's own interpreter (`tflite-micro`:
what microcontrollers run; typegrad's default arithmetic, `quant::Rounding::Micro`) and through
the desktop interpreter (`ai-edge-litert`) with its reference kernels (OpResolverType.BUILTIN_REF,
whose FULLY_CONNECTED rounds once: `Rounding::Reference`), and compares each output with
typegrad's. Exit status 0 only if typegrad equals TFLite Micro on all of them; the desktop
interpreter's count is reported beside it.

    pip install tflite-micro ai-edge-litert tflite flatbuffers numpy
    python3 scripts/tflite_check.py [--model target/int8_digits.json] [--tflite out.tflite]
    python3 scripts/tflite_check.py --model target/int8_cnn_digits.json   # the 2-D CNN
        (from `cargo run --release --example int8_cnn_digits`: PAD + CONV_2D, RELU,
        MAX_POOL_2D, RESHAPE, FULLY_CONNECTED on NHWC [1, 8, 8, 1])
    python3 scripts/tflite_check.py --model target/int8_motions.json   # the 1-D CNN
        (from `cargo run --release --example int8_motions`: PAD + CONV_2D, RELU,
        MAX_POOL_2D, AVERAGE_POOL_2D, FULLY_CONNECTED on NHWC [1, 1, steps, channels])
        [--fixture tests/fixtures/int8_digits_tflite.json]   # also write a fixture for cargo test

The fixture holds the model, the first 60 test inputs and both interpreters' outputs for them
(`tflm_outputs`, `reference_outputs`); tests/quant.rs checks that typegrad, given that model,
computes the first with its default rounding and the second with `Rounding::Reference`.
"""

import argparse
import json
import pathlib
import sys

import flatbuffers
import numpy as np
import tflite
from tflite.BuiltinOperator import BuiltinOperator
from tflite.BuiltinOptions import BuiltinOptions
from tflite.ActivationFunctionType import ActivationFunctionType
from tflite.TensorType import TensorType


def build(layers):
    """The .tflite bytes of a chain of int8 FULLY_CONNECTED layers (the int8_digits export,
    one dict per layer with flat scale and zero-point keys), written through build_graph."""
    def params(layer, side):
        return {"scale": layer[f"{side}_scale"], "zero_point": layer[f"{side}_zero_point"]}
    ops = [{"op": "fc", "outputs": l["outputs"], "weights": l["weights"], "bias": l["bias"],
            "weight_scales": l["weight_scales"], "input": params(l, "input"),
            "output": params(l, "output"), "relu": l["relu"]} for l in layers]
    return build_graph({"input_shape": [layers[0]["inputs"]], "layers": ops})


def build_graph(model):
    """The .tflite bytes of a network given as ops (conv1d, relu, maxpool1d, gap1d, fc) on flat
    features ([1, N]) or channels x steps (written NHWC as [1, 1, steps, channels]); a conv1d
    is PAD (with the zero point) then CONV_2D with a 1 x K filter, VALID."""
    b = flatbuffers.Builder(1 << 16)
    codes = []  # builtin operator codes, in opcode-index order

    def opcode(code):
        if code not in codes:
            codes.append(code)
        return codes.index(code)

    def vec_i32(vals, start):
        start(b, len(vals))
        for v in reversed(vals):
            b.PrependInt32(int(v))
        return b.EndVector()

    def buffer(data):
        if data is None:
            tflite.BufferStart(b)
            return tflite.BufferEnd(b)
        off = b.CreateByteVector(data.tobytes())
        tflite.BufferStart(b)
        tflite.BufferAddData(b, off)
        return tflite.BufferEnd(b)

    def quant(scales, zps, axis=0):
        tflite.QuantizationParametersStartScaleVector(b, len(scales))
        for v in reversed(scales):
            b.PrependFloat32(float(v))
        sv = b.EndVector()
        tflite.QuantizationParametersStartZeroPointVector(b, len(zps))
        for v in reversed(zps):
            b.PrependInt64(int(v))
        zv = b.EndVector()
        tflite.QuantizationParametersStart(b)
        tflite.QuantizationParametersAddScale(b, sv)
        tflite.QuantizationParametersAddZeroPoint(b, zv)
        tflite.QuantizationParametersAddQuantizedDimension(b, axis)
        return tflite.QuantizationParametersEnd(b)

    buffers = [buffer(None)]
    tensors = []

    def tensor(name, shape, ttype, data=None, q=None):
        buffers.append(buffer(data))
        n = b.CreateString(name)
        sh = vec_i32(shape, tflite.TensorStartShapeVector)
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, sh)
        tflite.TensorAddType(b, ttype)
        tflite.TensorAddBuffer(b, len(buffers) - 1)
        tflite.TensorAddName(b, n)
        if q is not None:
            tflite.TensorAddQuantization(b, q)
        tensors.append(tflite.TensorEnd(b))
        return len(tensors) - 1

    def act(name, shape, p):
        return tensor(name, shape, TensorType.INT8, None, quant([p["scale"]], [p["zero_point"]]))

    ops = []

    def operator(code, inputs, outputs, opt_type=None, opt=None):
        ins = vec_i32(inputs, tflite.OperatorStartInputsVector)
        outs = vec_i32(outputs, tflite.OperatorStartOutputsVector)
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, opcode(code))
        tflite.OperatorAddInputs(b, ins)
        tflite.OperatorAddOutputs(b, outs)
        if opt_type is not None:
            tflite.OperatorAddBuiltinOptionsType(b, opt_type)
            tflite.OperatorAddBuiltinOptions(b, opt)
        ops.append(tflite.OperatorEnd(b))

    def pool_options(kw, sw, kh=1, sh=1):
        tflite.Pool2DOptionsStart(b)
        tflite.Pool2DOptionsAddPadding(b, tflite.Padding.VALID)
        tflite.Pool2DOptionsAddStrideW(b, sw)
        tflite.Pool2DOptionsAddStrideH(b, sh)
        tflite.Pool2DOptionsAddFilterWidth(b, kw)
        tflite.Pool2DOptionsAddFilterHeight(b, kh)
        return tflite.Pool2DOptionsEnd(b)

    first = model["layers"][0]
    rows = 1  # images: height (NHWC [1, rows, length, channels]); signals: 1
    flat_from = None  # (channels, rows, columns) of an image flattened in typegrad's order
    if len(model["input_shape"]) == 1:  # flat features: [1, N]
        channels, length = model["input_shape"][0], 1
        x = act("input", [1, channels], first["input"])
    elif len(model["input_shape"]) == 2:  # channels x steps: [1, 1, steps, channels]
        channels, length = model["input_shape"]
        x = act("input", [1, 1, length, channels], first["input"])
    else:  # channels x rows x columns: [1, rows, columns, channels]
        channels, rows, length = model["input_shape"]
        x = act("input", [1, rows, length, channels], first["input"])
    for k, layer in enumerate(model["layers"]):
        op = layer["op"]
        if op == "conv2d":
            p, kk, st, o = layer["padding"], layer["kernel"], layer["stride"], layer["out_channels"]
            pads = tensor(f"pads{k}", [4, 2], TensorType.INT32,
                          np.array([[0, 0], [p, p], [p, p], [0, 0]], dtype=np.int32))
            xp = act(f"padded{k}", [1, rows + 2 * p, length + 2 * p, channels], layer["input"])
            operator(BuiltinOperator.PAD, [x, pads], [xp])
            w = np.array(layer["weights"], dtype=np.int8)  # [O][I][KH][KW]
            w = np.transpose(w, (0, 2, 3, 1)).copy()  # OHWI
            ws = layer["weight_scales"]
            wt = tensor(f"w{k}", [o, kk, kk, channels], TensorType.INT8, w, quant(ws, [0] * o))
            bs = [float(np.float32(layer["input"]["scale"]) * np.float32(s_)) for s_ in ws]
            bt = tensor(f"b{k}", [o], TensorType.INT32, np.array(layer["bias"], dtype=np.int32),
                        quant(bs, [0] * o))
            rows = (rows + 2 * p - kk) // st + 1
            length = (length + 2 * p - kk) // st + 1
            channels = o
            y = act(f"conv{k}", [1, rows, length, channels], layer["output"])
            tflite.Conv2DOptionsStart(b)
            tflite.Conv2DOptionsAddPadding(b, tflite.Padding.VALID)
            tflite.Conv2DOptionsAddStrideW(b, st)
            tflite.Conv2DOptionsAddStrideH(b, st)
            tflite.Conv2DOptionsAddDilationWFactor(b, 1)
            tflite.Conv2DOptionsAddDilationHFactor(b, 1)
            tflite.Conv2DOptionsAddFusedActivationFunction(b, ActivationFunctionType.NONE)
            operator(BuiltinOperator.CONV_2D, [xp, wt, bt], [y], BuiltinOptions.Conv2DOptions,
                     tflite.Conv2DOptionsEnd(b))
        elif op == "maxpool2d":
            kk, st = layer["kernel"], layer["stride"]
            rows = (rows - kk) // st + 1
            length = (length - kk) // st + 1
            y = act(f"pool{k}", [1, rows, length, channels], layer["params"])
            operator(BuiltinOperator.MAX_POOL_2D, [x], [y], BuiltinOptions.Pool2DOptions,
                     pool_options(kk, st, kk, st))
        elif op == "flatten":
            # NHWC flattens (row, column, channel); typegrad (channel, row, column): the next
            # FULLY_CONNECTED takes its weight columns in that order.
            flat_from = (channels, rows, length)
            n = channels * rows * length
            shape = tensor(f"shape{k}", [2], TensorType.INT32, np.array([1, n], dtype=np.int32))
            y = act(f"flat{k}", [1, n], layer["params"])
            tflite.ReshapeOptionsStart(b)
            opt = tflite.ReshapeOptionsEnd(b)
            operator(BuiltinOperator.RESHAPE, [x, shape], [y], BuiltinOptions.ReshapeOptions, opt)
            channels, rows, length = n, 1, 1
        elif op == "conv1d":
            p, kk, st, o = layer["padding"], layer["kernel"], layer["stride"], layer["out_channels"]
            pads = tensor(f"pads{k}", [4, 2], TensorType.INT32,
                          np.array([[0, 0], [0, 0], [p, p], [0, 0]], dtype=np.int32))
            xp = act(f"padded{k}", [1, 1, length + 2 * p, channels], layer["input"])
            operator(BuiltinOperator.PAD, [x, pads], [xp])
            w = np.array(layer["weights"], dtype=np.int8)  # [O][I][K]
            w = np.transpose(w, (0, 2, 1)).reshape(o, 1, kk, channels).copy()  # OHWI
            ws = layer["weight_scales"]
            wt = tensor(f"w{k}", [o, 1, kk, channels], TensorType.INT8, w, quant(ws, [0] * o))
            bs = [float(np.float32(layer["input"]["scale"]) * np.float32(s_)) for s_ in ws]
            bt = tensor(f"b{k}", [o], TensorType.INT32, np.array(layer["bias"], dtype=np.int32),
                        quant(bs, [0] * o))
            length = (length + 2 * p - kk) // st + 1
            channels = o
            y = act(f"conv{k}", [1, 1, length, channels], layer["output"])
            tflite.Conv2DOptionsStart(b)
            tflite.Conv2DOptionsAddPadding(b, tflite.Padding.VALID)
            tflite.Conv2DOptionsAddStrideW(b, st)
            tflite.Conv2DOptionsAddStrideH(b, 1)
            tflite.Conv2DOptionsAddDilationWFactor(b, 1)
            tflite.Conv2DOptionsAddDilationHFactor(b, 1)
            tflite.Conv2DOptionsAddFusedActivationFunction(b, ActivationFunctionType.NONE)
            operator(BuiltinOperator.CONV_2D, [xp, wt, bt], [y], BuiltinOptions.Conv2DOptions,
                     tflite.Conv2DOptionsEnd(b))
        elif op == "relu":
            y = act(f"relu{k}", [1, rows, length, channels], layer["params"])
            operator(BuiltinOperator.RELU, [x], [y])
        elif op == "maxpool1d":
            kk, st = layer["kernel"], layer["stride"]
            length = (length - kk) // st + 1
            y = act(f"pool{k}", [1, 1, length, channels], layer["params"])
            operator(BuiltinOperator.MAX_POOL_2D, [x], [y], BuiltinOptions.Pool2DOptions,
                     pool_options(kk, st))
        elif op == "gap1d":
            y = act(f"gap{k}", [1, 1, 1, channels], layer["params"])
            operator(BuiltinOperator.AVERAGE_POOL_2D, [x], [y], BuiltinOptions.Pool2DOptions,
                     pool_options(length, 1))
            length = 1
        elif op == "fc":
            w = np.array(layer["weights"], dtype=np.int8)
            if flat_from is not None:  # columns (c, h, w) -> (h, w, c)
                c_, h_, w_ = flat_from
                w = w.reshape(-1, c_, h_, w_).transpose(0, 2, 3, 1).reshape(w.shape[0], -1).copy()
                flat_from = None
            ws = layer["weight_scales"]
            wt = tensor(f"w{k}", list(w.shape), TensorType.INT8, w, quant(ws, [0] * len(ws)))
            bs = [float(np.float32(layer["input"]["scale"]) * np.float32(s_)) for s_ in ws]
            bt = tensor(f"b{k}", [len(ws)], TensorType.INT32, np.array(layer["bias"], dtype=np.int32),
                        quant(bs, [0] * len(ws)))
            y = act(f"fc{k}", [1, layer["outputs"]], layer["output"])
            tflite.FullyConnectedOptionsStart(b)
            tflite.FullyConnectedOptionsAddFusedActivationFunction(
                b, ActivationFunctionType.RELU if layer["relu"] else ActivationFunctionType.NONE)
            operator(BuiltinOperator.FULLY_CONNECTED, [x, wt, bt], [y],
                     BuiltinOptions.FullyConnectedOptions, tflite.FullyConnectedOptionsEnd(b))
        else:
            raise ValueError(f"unknown op {op}")
        x = y

    tflite.SubGraphStartTensorsVector(b, len(tensors))
    for t in reversed(tensors):
        b.PrependUOffsetTRelative(t)
    tv = b.EndVector()
    gi = vec_i32([0], tflite.SubGraphStartInputsVector)
    go = vec_i32([x], tflite.SubGraphStartOutputsVector)
    tflite.SubGraphStartOperatorsVector(b, len(ops))
    for op_ in reversed(ops):
        b.PrependUOffsetTRelative(op_)
    ov = b.EndVector()
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, tv)
    tflite.SubGraphAddInputs(b, gi)
    tflite.SubGraphAddOutputs(b, go)
    tflite.SubGraphAddOperators(b, ov)
    sg = tflite.SubGraphEnd(b)
    versions = {BuiltinOperator.PAD: 2, BuiltinOperator.CONV_2D: 3, BuiltinOperator.RELU: 2,
                BuiltinOperator.MAX_POOL_2D: 2, BuiltinOperator.AVERAGE_POOL_2D: 2,
                BuiltinOperator.FULLY_CONNECTED: 5, BuiltinOperator.RESHAPE: 1}
    ocs = []
    for code in codes:
        tflite.OperatorCodeStart(b)
        tflite.OperatorCodeAddBuiltinCode(b, code)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(b, code)
        tflite.OperatorCodeAddVersion(b, versions[code])
        ocs.append(tflite.OperatorCodeEnd(b))
    tflite.ModelStartOperatorCodesVector(b, len(ocs))
    for oc in reversed(ocs):
        b.PrependUOffsetTRelative(oc)
    ocv = b.EndVector()
    tflite.ModelStartSubgraphsVector(b, 1)
    b.PrependUOffsetTRelative(sg)
    sgv = b.EndVector()
    tflite.ModelStartBuffersVector(b, len(buffers))
    for x_ in reversed(buffers):
        b.PrependUOffsetTRelative(x_)
    bv = b.EndVector()
    desc = b.CreateString("typegrad int8")
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, 3)
    tflite.ModelAddOperatorCodes(b, ocv)
    tflite.ModelAddSubgraphs(b, sgv)
    tflite.ModelAddBuffers(b, bv)
    tflite.ModelAddDescription(b, desc)
    m = tflite.ModelEnd(b)
    b.Finish(m, file_identifier=b"TFL3")
    return bytes(b.Output())


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
    p.add_argument("--tflite", default=None)
    p.add_argument("--fixture", default=None)
    p.add_argument("--fixture-rows", type=int, default=60,
                   help="inputs and outputs kept in full in the fixture (all are hashed)")
    args = p.parse_args()
    model = json.loads(pathlib.Path(args.model).read_text())
    signal = "input_shape" in model
    if not model.get("layers"):
        built = None  # only typegrad's file (no layer list for this script's own writer)
    else:
        built = build_graph(model) if signal else build(model["layers"])
    if "tflite" in model:
        # The file typegrad's Rust writer (typegrad::quant::tflite) wrote: the one judged.
        rust_path = model["tflite"]
        data = pathlib.Path(rust_path).read_bytes()
        print(f"judging {rust_path}, written by typegrad ({len(data)} bytes)" +
              (f"; this script's own Python writer gives {len(built)} bytes for the same model"
               if built else ""))
    else:
        data = built
    tflite_path = args.tflite or str(pathlib.Path(args.model).with_suffix(".tflite"))
    pathlib.Path(tflite_path).write_bytes(data)

    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    from tflite_micro.python.tflite_micro import runtime
    it = Interpreter(model_content=data, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    micro = runtime.Interpreter.from_bytes(data)
    micro_py = runtime.Interpreter.from_bytes(built) if built and built != data else None
    same_py = 0
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
        if micro_py is not None:
            micro_py.set_input(x, 0)
            micro_py.invoke()
            same_py += int(micro_py.get_output(0).reshape(-1).astype(int).tolist() == y)
        outputs.append(y)
        same += int(y == ours)
    n = len(model["test_inputs"])
    diff = [abs(a - b) for ys, os in zip(outputs, model["typegrad_outputs"]) for a, b in zip(ys, os)]
    micro_vs_ref = sum(int(a == b) for a, b in zip(outputs, ref_outputs))
    print(f"{tflite_path}: {len(data)} bytes; TFLite Micro vs typegrad: {same}/{n} outputs "
          f"bit-identical (largest difference {max(diff)}); desktop interpreter (reference "
          f"kernels) vs typegrad: {same_ref}/{n}; TFLite Micro vs desktop: {micro_vs_ref}/{n}")
    if micro_py is not None:
        print(f"the Python-written file in TFLite Micro gives the same outputs as typegrad's file: "
              f"{same_py}/{n}")
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
