#!/usr/bin/env python3
"""Writes tests/fixtures/conv_expected.json: reference values for typegrad's 1-D
convolution and pooling layers, computed with numpy (pip install numpy) by loops written
from PyTorch's documented formulas, independently of typegrad's kernels.

    python3 scripts/conv_fixture.py             # writes tests/fixtures/conv_expected.json
    python3 scripts/conv_fixture.py --out FILE  # elsewhere

For each case: a batch `x` [B, C, L], the layer's parameters (`weight` [O, C, K], `bias`
[O] for convolutions), the output `y`, an upstream gradient `dy` (same shape as `y`) and the
gradients numpy computes for it: `dx` and, for convolutions, `dweight` and `dbias`.

Conv1d (dilation 1, groups 1), with x padded by P zeros on each side into xp:
    y[b, o, t] = bias[o] + sum_c sum_k weight[o, c, k] * xp[b, c, t*S + k]
    L_out = (L + 2P - K) // S + 1
MaxPool1d(K, S): y[b, c, t] = max_k x[b, c, t*S + k]; the gradient goes to the first maximum.
AvgPool1d(K, S): y[b, c, t] = mean_k x[b, c, t*S + k].
Global average: y[b, c] = mean_t x[b, c, t].
Conv2d (square kernel K, stride S, padding P on every side), MaxPool2d / AvgPool2d (K, S).
BatchNorm (training, momentum 0.1, eps 1e-5) on (N, C), (N, C, L) and (N, C, H, W): the output, the
gradients, the running statistics after one update (unbiased variance) and the inference
output with them.

Every number is a float64 written with repr, so it reads back bit for bit.
"""

import argparse
import json
import pathlib

import numpy as np


def conv1d(x, w, b, s, p):
    bsz, c_in, length = x.shape
    c_out, _, k = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p)))
    l_out = (length + 2 * p - k) // s + 1
    y = np.zeros((bsz, c_out, l_out))
    for n in range(bsz):
        for o in range(c_out):
            for t in range(l_out):
                y[n, o, t] = b[o] + np.sum(w[o] * xp[n, :, t * s:t * s + k])
    return y


def conv1d_backward(x, w, dy, s, p):
    bsz, c_in, length = x.shape
    c_out, _, k = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = dy.sum(axis=(0, 2))
    for n in range(bsz):
        for o in range(c_out):
            for t in range(dy.shape[2]):
                window = xp[n, :, t * s:t * s + k]
                dw[o] += dy[n, o, t] * window
                dxp[n, :, t * s:t * s + k] += dy[n, o, t] * w[o]
    return dxp[:, :, p:p + length], dw, db


def max_pool1d(x, k, s):
    bsz, c, length = x.shape
    l_out = (length - k) // s + 1
    y = np.zeros((bsz, c, l_out))
    arg = np.zeros((bsz, c, l_out), dtype=int)
    for n in range(bsz):
        for ch in range(c):
            for t in range(l_out):
                win = x[n, ch, t * s:t * s + k]
                arg[n, ch, t] = t * s + int(np.argmax(win))  # the first maximum
                y[n, ch, t] = win.max()
    return y, arg


def max_pool1d_backward(x, arg, dy):
    dx = np.zeros_like(x)
    bsz, c, l_out = dy.shape
    for n in range(bsz):
        for ch in range(c):
            for t in range(l_out):
                dx[n, ch, arg[n, ch, t]] += dy[n, ch, t]
    return dx


def avg_pool1d(x, k, s):
    bsz, c, length = x.shape
    l_out = (length - k) // s + 1
    y = np.zeros((bsz, c, l_out))
    for t in range(l_out):
        y[:, :, t] = x[:, :, t * s:t * s + k].mean(axis=2)
    return y


def avg_pool1d_backward(x, dy, k, s):
    dx = np.zeros_like(x)
    for t in range(dy.shape[2]):
        dx[:, :, t * s:t * s + k] += dy[:, :, t:t + 1] / k
    return dx


def conv2d(x, w, b, s, p):
    bsz, c_in, h, wd = x.shape
    c_out, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    oh, ow = (h + 2 * p - k) // s + 1, (wd + 2 * p - k) // s + 1
    y = np.zeros((bsz, c_out, oh, ow))
    for n in range(bsz):
        for o in range(c_out):
            for i in range(oh):
                for j in range(ow):
                    y[n, o, i, j] = b[o] + np.sum(w[o] * xp[n, :, i * s:i * s + k, j * s:j * s + k])
    return y


def conv2d_backward(x, w, dy, s, p):
    bsz, c_in, h, wd = x.shape
    c_out, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(bsz):
        for o in range(c_out):
            for i in range(dy.shape[2]):
                for j in range(dy.shape[3]):
                    g = dy[n, o, i, j]
                    dw[o] += g * xp[n, :, i * s:i * s + k, j * s:j * s + k]
                    dxp[n, :, i * s:i * s + k, j * s:j * s + k] += g * w[o]
    return dxp[:, :, p:p + h, p:p + wd], dw, dy.sum(axis=(0, 2, 3))


def same_pads(length, k, s):
    """TensorFlow's SAME padding along one axis: (before, after)."""
    out = -(-length // s)
    total = max((out - 1) * s + k - length, 0)
    return total // 2, total - total // 2


def conv2d_general(x, w, b, stride, pads, groups):
    """A grouped 2-D convolution with per-axis strides and explicit (top, bottom, left,
    right) zero padding, as torch.nn.functional.conv2d after F.pad; its gradients by the
    transposed loops. Returns y and a function of dy giving (dx, dw, db)."""
    bsz, c_in, h, wd = x.shape
    c_out, per, kh, kw = w.shape
    sh, sw = stride
    pt, pb, pl, pr = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh, ow = (h + pt + pb - kh) // sh + 1, (wd + pl + pr - kw) // sw + 1
    out_per = c_out // groups
    y = np.zeros((bsz, c_out, oh, ow))
    for n in range(bsz):
        for o in range(c_out):
            g = o // out_per
            for i in range(oh):
                for j in range(ow):
                    patch = xp[n, g * per:(g + 1) * per, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    y[n, o, i, j] = b[o] + np.sum(w[o] * patch)

    def backward(dy):
        dxp, dw = np.zeros_like(xp), np.zeros_like(w)
        for n in range(bsz):
            for o in range(c_out):
                g = o // out_per
                for i in range(oh):
                    for j in range(ow):
                        v = dy[n, o, i, j]
                        rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                        dw[o] += v * xp[n, g * per:(g + 1) * per, rows, cols]
                        dxp[n, g * per:(g + 1) * per, rows, cols] += v * w[o]
        return dxp[:, :, pt:pt + h, pl:pl + wd], dw, dy.sum(axis=(0, 2, 3))
    return y, backward


def pool_axis(length, k, s, same):
    """Output positions and each window's [start, stop) inside the input along one axis:
    no padding, or TensorFlow's SAME (ceil(L / s) outputs, the padding left out of each
    window, as TensorFlow and TFLite count it)."""
    if not same:
        return [(i * s, i * s + k) for i in range((length - k) // s + 1)]
    out = -(-length // s)
    before = max(0, (out - 1) * s + k - length) // 2
    return [(max(0, i * s - before), min(length, i * s - before + k)) for i in range(out)]


def pool2d(x, k, s, kind, same=False):
    """Pooling over (kh, kw) windows moved by (sh, sw) (an int: both axes), no padding or
    SAME."""
    (kh, kw), (sh, sw) = (k, k) if isinstance(k, int) else k, (s, s) if isinstance(s, int) else s
    bsz, c, h, wd = x.shape
    rows, cols = pool_axis(h, kh, sh, same), pool_axis(wd, kw, sw, same)
    y = np.zeros((bsz, c, len(rows), len(cols)))
    arg = {}
    for n in range(bsz):
        for ch in range(c):
            for i, (r0, r1) in enumerate(rows):
                for j, (c0, c1) in enumerate(cols):
                    win = x[n, ch, r0:r1, c0:c1]
                    if kind == "max":
                        flat = int(np.argmax(win))  # the first maximum, row-major
                        arg[(n, ch, i, j)] = (r0 + flat // (c1 - c0), c0 + flat % (c1 - c0))
                        y[n, ch, i, j] = win.max()
                    else:
                        y[n, ch, i, j] = win.mean()
    return y, arg


def pool2d_backward(x, dy, k, s, kind, arg, same=False):
    (kh, kw), (sh, sw) = (k, k) if isinstance(k, int) else k, (s, s) if isinstance(s, int) else s
    dx = np.zeros_like(x)
    bsz, c, h, wd = x.shape
    rows, cols = pool_axis(h, kh, sh, same), pool_axis(wd, kw, sw, same)
    for n in range(bsz):
        for ch in range(c):
            for i, (r0, r1) in enumerate(rows):
                for j, (c0, c1) in enumerate(cols):
                    if kind == "max":
                        yy, xx = arg[(n, ch, i, j)]
                        dx[n, ch, yy, xx] += dy[n, ch, i, j]
                    else:
                        dx[n, ch, r0:r1, c0:c1] += dy[n, ch, i, j] / ((r1 - r0) * (c1 - c0))
    return dx


def batch_norm(x, gamma, beta, rm, rv, momentum=0.1, eps=1e-5):
    """PyTorch's BatchNorm1d in training mode on (N, C) or (N, C, L): output, the normalized
    input, and the running statistics after the update."""
    axes = (0,) if x.ndim == 2 else tuple([0] + list(range(2, x.ndim)))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    m = x.size // x.shape[1]
    mean = x.mean(axis=axes)
    var = ((x - mean.reshape(shape)) ** 2).mean(axis=axes)
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = gamma.reshape(shape) * xhat + beta.reshape(shape)
    rm2 = (1 - momentum) * rm + momentum * mean
    rv2 = (1 - momentum) * rv + momentum * var * m / (m - 1)
    return y, xhat, var, rm2, rv2


def batch_norm_backward(dy, xhat, var, gamma, eps=1e-5):
    axes = (0,) if dy.ndim == 2 else tuple([0] + list(range(2, dy.ndim)))
    shape = (1, -1) + (1,) * (dy.ndim - 2)
    m = dy.size // dy.shape[1]
    dgamma = (dy * xhat).sum(axis=axes)
    dbeta = dy.sum(axis=axes)
    dxhat = dy * gamma.reshape(shape)
    # The textbook form, written independently of typegrad's:
    # dx = (1/m) / sqrt(var + eps) * (m dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))
    dx = (1.0 / m) / np.sqrt(var.reshape(shape) + eps) * (
        m * dxhat - dxhat.sum(axis=axes).reshape(shape)
        - xhat * (dxhat * xhat).sum(axis=axes).reshape(shape))
    return dx, dgamma, dbeta


def batch_norm_eval(x, gamma, beta, rm, rv, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return gamma.reshape(shape) * (x - rm.reshape(shape)) / np.sqrt(rv.reshape(shape) + eps) \
        + beta.reshape(shape)


def tolist(a):
    return [float(v) if np.ndim(v) == 0 else tolist(v) for v in a]


def main():
    parser = argparse.ArgumentParser()
    here = pathlib.Path(__file__).resolve().parent.parent
    parser.add_argument("--out", default=here / "tests" / "fixtures" / "conv_expected.json")
    args = parser.parse_args()
    rng = np.random.default_rng(20261202)
    cases = {}

    # (name, B, C_in, C_out, L, K, S, P)
    for name, bsz, c_in, c_out, length, k, s, p in [
        ("conv_3_4_k3", 2, 3, 4, 10, 3, 1, 0),
        ("conv_2_3_k4_s2_p1", 2, 2, 3, 9, 4, 2, 1),
        ("conv_1_2_k5_s3_p2", 2, 1, 2, 7, 5, 3, 2),
    ]:
        x = rng.uniform(-1, 1, (bsz, c_in, length))
        w = rng.uniform(-0.5, 0.5, (c_out, c_in, k))
        b = rng.uniform(-0.2, 0.2, c_out)
        y = conv1d(x, w, b, s, p)
        dy = rng.uniform(-1, 1, y.shape)
        dx, dw, db = conv1d_backward(x, w, dy, s, p)
        cases[name] = {
            "x": tolist(x), "weight": tolist(w), "bias": tolist(b), "y": tolist(y),
            "dy": tolist(dy), "dx": tolist(dx), "dweight": tolist(dw), "dbias": tolist(db),
        }

    for name, (c, length, k, s) in {
        "max_pool_k2": (3, 10, 2, 2),
        "max_pool_k3_s2": (2, 9, 3, 2),
    }.items():
        x = rng.uniform(-1, 1, (2, c, length))
        y, arg = max_pool1d(x, k, s)
        dy = rng.uniform(-1, 1, y.shape)
        cases[name] = {"x": tolist(x), "y": tolist(y), "dy": tolist(dy),
                       "dx": tolist(max_pool1d_backward(x, arg, dy))}

    x = rng.uniform(-1, 1, (2, 2, 9))
    y = avg_pool1d(x, 3, 2)
    dy = rng.uniform(-1, 1, y.shape)
    cases["avg_pool_k3_s2"] = {"x": tolist(x), "y": tolist(y), "dy": tolist(dy),
                               "dx": tolist(avg_pool1d_backward(x, dy, 3, 2))}

    x = rng.uniform(-1, 1, (2, 3, 10))
    y = x.mean(axis=2)
    dy = rng.uniform(-1, 1, y.shape)
    cases["global_avg_pool"] = {"x": tolist(x), "y": tolist(y), "dy": tolist(dy),
                                "dx": tolist(np.repeat(dy[:, :, None] / 10, 10, axis=2))}

    for name, shape in {"batch_norm_flat": (4, 3), "batch_norm_signal": (3, 2, 5)}.items():
        c = shape[1]
        x = rng.uniform(-2, 2, shape)
        gamma = rng.uniform(0.5, 1.5, c)
        beta = rng.uniform(-0.5, 0.5, c)
        rm = rng.uniform(-0.3, 0.3, c)
        rv = rng.uniform(0.5, 2.0, c)
        y, xhat, var, rm2, rv2 = batch_norm(x, gamma, beta, rm, rv)
        dy = rng.uniform(-1, 1, shape)
        dx, dgamma, dbeta = batch_norm_backward(dy, xhat, var, gamma)
        cases[name] = {
            "x": tolist(x), "weight": tolist(gamma), "bias": tolist(beta),
            "running_mean": tolist(rm), "running_var": tolist(rv),
            "y": tolist(y), "dy": tolist(dy), "dx": tolist(dx),
            "dweight": tolist(dgamma), "dbias": tolist(dbeta),
            "running_mean_after": tolist(rm2), "running_var_after": tolist(rv2),
            "y_eval_after": tolist(batch_norm_eval(x, gamma, beta, rm2, rv2)),
        }

    # Conv2d: (name, B, C_in, C_out, H, W, K, S, P)
    for name, bsz, c_in, c_out, h, wd, k, s, p in [
        ("conv2d_2_3_k3", 2, 2, 3, 6, 5, 3, 1, 0),
        ("conv2d_1_2_k3_s2_p1", 2, 1, 2, 7, 6, 3, 2, 1),
    ]:
        x = rng.uniform(-1, 1, (bsz, c_in, h, wd))
        w = rng.uniform(-0.5, 0.5, (c_out, c_in, k, k))
        b = rng.uniform(-0.2, 0.2, c_out)
        y = conv2d(x, w, b, s, p)
        dy = rng.uniform(-1, 1, y.shape)
        dx, dw, db = conv2d_backward(x, w, dy, s, p)
        cases[name] = {
            "x": tolist(x), "weight": tolist(w), "bias": tolist(b), "y": tolist(y),
            "dy": tolist(dy), "dx": tolist(dx), "dweight": tolist(dw), "dbias": tolist(db),
        }
    for name, (c, h, wd, k, s, kind) in {
        "max_pool2d_k2": (2, 6, 4, 2, 2, "max"),
        "avg_pool2d_k3_s2": (2, 7, 5, 3, 2, "avg"),
    }.items():
        x = rng.uniform(-1, 1, (2, c, h, wd))
        y, arg = pool2d(x, k, s, kind)
        dy = rng.uniform(-1, 1, y.shape)
        cases[name] = {"x": tolist(x), "y": tolist(y), "dy": tolist(dy),
                       "dx": tolist(pool2d_backward(x, dy, k, s, kind, arg))}
    x = rng.uniform(-2, 2, (3, 2, 3, 4))
    gamma, beta = rng.uniform(0.5, 1.5, 2), rng.uniform(-0.5, 0.5, 2)
    rm, rv = rng.uniform(-0.3, 0.3, 2), rng.uniform(0.5, 2.0, 2)
    y, xhat, var, rm2, rv2 = batch_norm(x, gamma, beta, rm, rv)
    dy = rng.uniform(-1, 1, x.shape)
    dx, dgamma, dbeta = batch_norm_backward(dy, xhat, var, gamma)
    cases["batch_norm_image"] = {
        "x": tolist(x), "weight": tolist(gamma), "bias": tolist(beta),
        "running_mean": tolist(rm), "running_var": tolist(rv),
        "y": tolist(y), "dy": tolist(dy), "dx": tolist(dx),
        "dweight": tolist(dgamma), "dbias": tolist(dbeta),
        "running_mean_after": tolist(rm2), "running_var_after": tolist(rv2),
        "y_eval_after": tolist(batch_norm_eval(x, gamma, beta, rm2, rv2)),
    }

    # Windows per axis: (name, C_in, C_out, groups, H, W, (kh, kw), (sh, sw), padding), padding
    # "same" (TensorFlow's) or (top, bottom, left, right).
    for name, c_in, c_out, groups, h, wd, (kh, kw), stride, pad in [
        ("conv2d_k3x2_s2x1_same", 2, 3, 1, 7, 6, (3, 2), (2, 1), "same"),
        ("conv2d_k10x4_s2_same", 1, 2, 1, 13, 6, (10, 4), (2, 2), "same"),
        ("conv2d_k2x3_s1x2_p1x0", 2, 2, 1, 5, 7, (2, 3), (1, 2), (1, 1, 0, 0)),
        ("depthwise_k3_s1_same", 3, 3, 3, 5, 4, (3, 3), (1, 1), "same"),
        ("depthwise_k3_s2_same", 2, 2, 2, 7, 6, (3, 3), (2, 2), "same"),
        ("depthwise_k3x1_s1_p1x0", 2, 2, 2, 4, 5, (3, 1), (1, 1), (1, 1, 0, 0)),
    ]:
        if pad == "same":
            pad = same_pads(h, kh, stride[0]) + same_pads(wd, kw, stride[1])
        x = rng.uniform(-1, 1, (2, c_in, h, wd))
        w = rng.uniform(-0.5, 0.5, (c_out, c_in // groups, kh, kw))
        b = rng.uniform(-0.2, 0.2, c_out)
        y, backward = conv2d_general(x, w, b, stride, pad, groups)
        dy = rng.uniform(-1, 1, y.shape)
        dx, dw, db = backward(dy)
        cases[name] = {
            "x": tolist(x), "weight": tolist(w), "bias": tolist(b), "y": tolist(y),
            "dy": tolist(dy), "dx": tolist(dx), "dweight": tolist(dw), "dbias": tolist(db),
        }
    for name, (c, h, wd, k, s, kind) in {
        "avg_pool2d_k3x2_s1x2": (2, 5, 6, (3, 2), (1, 2), "avg"),
        "max_pool2d_k2x3": (2, 4, 6, (2, 3), (2, 3), "max"),
    }.items():
        x = rng.uniform(-1, 1, (2, c, h, wd))
        y, arg = pool2d(x, k, s, kind)
        dy = rng.uniform(-1, 1, y.shape)
        cases[name] = {"x": tolist(x), "y": tolist(y), "dy": tolist(dy),
                       "dx": tolist(pool2d_backward(x, dy, k, s, kind, arg))}
    # SAME pooling: the padding is left out of each window (its maximum, its mean).
    for name, (c, h, wd, k, s, kind) in {
        "avg_pool2d_k3_s2_same": (2, 7, 6, 3, 2, "avg"),
        "max_pool2d_k3x2_s2x1_same": (2, 5, 4, (3, 2), (2, 1), "max"),
    }.items():
        x = rng.uniform(-1, 1, (2, c, h, wd))
        y, arg = pool2d(x, k, s, kind, same=True)
        dy = rng.uniform(-1, 1, y.shape)
        cases[name] = {"x": tolist(x), "y": tolist(y), "dy": tolist(dy),
                       "dx": tolist(pool2d_backward(x, dy, k, s, kind, arg, same=True))}

    pathlib.Path(args.out).write_text(json.dumps(cases, indent=1) + "\n")
    print(f"wrote {args.out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
