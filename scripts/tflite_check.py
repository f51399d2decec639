#!/usr/bin/env python3
"""Checks typegrad's int8 inference against TFLite's interpreter, bit for bit.

Reads a quantized network exported by typegrad (`cargo run --release --example int8_digits`
writes target/int8_digits.json: per layer int8 weights, int32 biases, per-channel weight
scales, input/output scale and zero point, fused ReLU; plus int8 test inputs and typegrad's
int8 outputs), writes it as a .tflite file (FULLY_CONNECTED operators, int8 weights quantized
per output channel, int32 biases) with the `tflite` package's generated builders and
`flatbuffers`, runs every test input through the official interpreter (`ai-edge-litert`) with
its reference kernels (OpResolverType.BUILTIN_REF: the arithmetic TFLite Micro runs, not
XNNPACK), and compares each output with typegrad's. Exit status 0 only if all are identical.

    pip install ai-edge-litert tflite flatbuffers numpy
    python3 scripts/tflite_check.py [--model target/int8_digits.json] [--tflite out.tflite]
        [--fixture tests/fixtures/int8_digits_tflite.json]   # also write a fixture for cargo test

The fixture holds the model, the first 60 test inputs and the interpreter's outputs for them;
tests/quant.rs checks that typegrad, given that model, computes those outputs.
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
    """The .tflite bytes of a chain of int8 FULLY_CONNECTED layers."""
    b = flatbuffers.Builder(1 << 16)

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
        s = b.EndVector()
        tflite.QuantizationParametersStartZeroPointVector(b, len(zps))
        for v in reversed(zps):
            b.PrependInt64(int(v))
        z = b.EndVector()
        tflite.QuantizationParametersStart(b)
        tflite.QuantizationParametersAddScale(b, s)
        tflite.QuantizationParametersAddZeroPoint(b, z)
        tflite.QuantizationParametersAddQuantizedDimension(b, axis)
        return tflite.QuantizationParametersEnd(b)

    def tensor(name, shape, ttype, buf, q):
        n = b.CreateString(name)
        sh = vec_i32(shape, tflite.TensorStartShapeVector)
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, sh)
        tflite.TensorAddType(b, ttype)
        tflite.TensorAddBuffer(b, buf)
        tflite.TensorAddName(b, n)
        tflite.TensorAddQuantization(b, q)
        return tflite.TensorEnd(b)

    buffers = [buffer(None)]  # buffer 0: empty, by convention
    tensors = []

    def activation(name, size, scale, zp):
        buffers.append(buffer(None))
        tensors.append(tensor(name, [1, size], TensorType.INT8, len(buffers) - 1, quant([scale], [zp])))
        return len(tensors) - 1

    x = activation("input", layers[0]["inputs"], layers[0]["input_scale"], layers[0]["input_zero_point"])
    ops = []
    for k, layer in enumerate(layers):
        w = np.array(layer["weights"], dtype=np.int8)
        bias = np.array(layer["bias"], dtype=np.int32)
        ws = layer["weight_scales"]
        buffers.append(buffer(w))
        tensors.append(tensor(f"w{k}", list(w.shape), TensorType.INT8, len(buffers) - 1,
                              quant(ws, [0] * len(ws))))
        wi = len(tensors) - 1
        # Bias scales: input scale × weight scale per channel, as float32 (what TFLite checks).
        bs = [float(np.float32(layer["input_scale"]) * np.float32(s)) for s in ws]
        buffers.append(buffer(bias))
        tensors.append(tensor(f"b{k}", [len(bias)], TensorType.INT32, len(buffers) - 1,
                              quant(bs, [0] * len(bs))))
        bi = len(tensors) - 1
        y = activation(f"y{k}", layer["outputs"], layer["output_scale"], layer["output_zero_point"])
        tflite.FullyConnectedOptionsStart(b)
        tflite.FullyConnectedOptionsAddFusedActivationFunction(
            b, ActivationFunctionType.RELU if layer["relu"] else ActivationFunctionType.NONE)
        fco = tflite.FullyConnectedOptionsEnd(b)
        ins = vec_i32([x, wi, bi], tflite.OperatorStartInputsVector)
        outs = vec_i32([y], tflite.OperatorStartOutputsVector)
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, 0)
        tflite.OperatorAddInputs(b, ins)
        tflite.OperatorAddOutputs(b, outs)
        tflite.OperatorAddBuiltinOptionsType(b, BuiltinOptions.FullyConnectedOptions)
        tflite.OperatorAddBuiltinOptions(b, fco)
        ops.append(tflite.OperatorEnd(b))
        x = y

    tflite.SubGraphStartTensorsVector(b, len(tensors))
    for t in reversed(tensors):
        b.PrependUOffsetTRelative(t)
    tv = b.EndVector()
    gi = vec_i32([0], tflite.SubGraphStartInputsVector)
    go = vec_i32([x], tflite.SubGraphStartOutputsVector)
    tflite.SubGraphStartOperatorsVector(b, len(ops))
    for op in reversed(ops):
        b.PrependUOffsetTRelative(op)
    ov = b.EndVector()
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, tv)
    tflite.SubGraphAddInputs(b, gi)
    tflite.SubGraphAddOutputs(b, go)
    tflite.SubGraphAddOperators(b, ov)
    sg = tflite.SubGraphEnd(b)
    tflite.OperatorCodeStart(b)
    tflite.OperatorCodeAddBuiltinCode(b, BuiltinOperator.FULLY_CONNECTED)
    tflite.OperatorCodeAddDeprecatedBuiltinCode(b, BuiltinOperator.FULLY_CONNECTED)
    # Version 5: per-channel int8 weights (the interpreter accepts any version it knows).
    tflite.OperatorCodeAddVersion(b, 5)
    oc = tflite.OperatorCodeEnd(b)
    tflite.ModelStartOperatorCodesVector(b, 1)
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


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=root / "target" / "int8_digits.json")
    p.add_argument("--tflite", default=root / "target" / "int8_digits.tflite")
    p.add_argument("--fixture", default=None)
    args = p.parse_args()
    model = json.loads(pathlib.Path(args.model).read_text())
    data = build(model["layers"])
    pathlib.Path(args.tflite).write_bytes(data)

    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_content=data, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    same, outputs = 0, []
    for x, ours in zip(model["test_inputs"], model["typegrad_outputs"]):
        it.set_tensor(inp, np.array([x], dtype=np.int8))
        it.invoke()
        y = it.get_tensor(out)[0].astype(int).tolist()
        outputs.append(y)
        same += int(y == ours)
    n = len(model["test_inputs"])
    diff = [abs(a - b) for ys, os in zip(outputs, model["typegrad_outputs"]) for a, b in zip(ys, os)]
    print(f"{args.tflite}: {len(data)} bytes; TFLite interpreter (reference kernels) vs typegrad: "
          f"{same}/{n} outputs bit-identical (largest difference {max(diff)})")
    if args.fixture:
        fixture = {"layers": model["layers"], "inputs": model["test_inputs"][:60],
                   "tflite_outputs": outputs[:60]}
        pathlib.Path(args.fixture).write_text(json.dumps(fixture) + "\n")
        print(f"fixture written to {args.fixture}")
    sys.exit(0 if same == n else 1)


if __name__ == "__main__":
    main()
