#!/usr/bin/env python3
"""W6 of benches/WORKLOADS.md in JAX: one SGD training step of MLPerf Tiny's DS-CNN and
ResNet-8 (batch 32), jitted, on the CPU, one thread, the steps of a run inside one
`jax.lax.scan`. Same parameters (seed 42, PyTorch's layouts), data (seed 7) and check values
as the Rust report (benches/report.rs, `w6`). NCHW activations, OIHW filters: measured on
JAX 0.10.2 (2-core AMD EPYC), the same steps with NHWC activations and HWIO filters (Flax's
layout) ran slower — DS-CNN 28 against 112 samples/s, ResNet-8 17.5 against 28 — so the
faster layout is the one timed. TensorFlow's `SAME` padding (more after than before), as
typegrad's `Same`.

    python3 benches/jax_w6.py            (needs `pip install "jax[cpu]"`)
    python3 benches/jax_w6.py --quick    (fewer runs; numbers not for publishing)
"""

import os
import sys
import time

# One thread for XLA's CPU backend (set before jax is imported).
os.environ.setdefault(
    "XLA_FLAGS",
    "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
)

import numpy as np  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jax_w3 import SplitMix64  # noqa: E402

BATCH = 32
DN = ("NCHW", "OIHW", "NCHW")


def conv(x, w, b, stride=1, padding="SAME", groups=1):
    y = lax.conv_general_dilated(
        x, w, (stride, stride), padding, dimension_numbers=DN, feature_group_count=groups
    )
    return y + b[None, :, None, None]


# Each model: its parameter shapes in typegrad's order (weight, bias per layer; a residual
# block's layers before its shortcut's) and its forward pass over the flat parameter list.

DSCNN_SHAPES = [(64, 1, 10, 4), (64,)]
for _ in range(4):
    DSCNN_SHAPES += [(64, 1, 3, 3), (64,), (64, 64, 1, 1), (64,)]
DSCNN_SHAPES += [(12, 64), (12,)]


def dscnn(p, x):
    h = jax.nn.relu(conv(x, p[0], p[1], stride=2))
    for i in range(4):
        w, b, v, c = p[2 + 4 * i : 6 + 4 * i]
        h = jax.nn.relu(conv(h, w, b, groups=64))
        h = jax.nn.relu(conv(h, v, c, padding="VALID"))
    h = jnp.mean(h, axis=(2, 3))
    return h @ p[18].T + p[19]


RESNET8_SHAPES = [
    (16, 3, 3, 3), (16,),
    (16, 16, 3, 3), (16,), (16, 16, 3, 3), (16,),
    (32, 16, 3, 3), (32,), (32, 32, 3, 3), (32,), (32, 16, 1, 1), (32,),
    (64, 32, 3, 3), (64,), (64, 64, 3, 3), (64,), (64, 32, 1, 1), (64,),
    (10, 64), (10,),
]  # fmt: skip


def resnet8(p, x):
    h = jax.nn.relu(conv(x, p[0], p[1]))
    y = conv(jax.nn.relu(conv(h, p[2], p[3])), p[4], p[5])
    h = jax.nn.relu(h + y)
    for k in (6, 12):
        y = conv(jax.nn.relu(conv(h, p[k], p[k + 1], stride=2)), p[k + 2], p[k + 3])
        s = conv(h, p[k + 4], p[k + 5], stride=2, padding="VALID")
        h = jax.nn.relu(y + s)
    h = jnp.mean(h, axis=(2, 3))
    return h @ p[18].T + p[19]


def params(shapes):
    rng = SplitMix64(42)
    out = []
    for k, shape in enumerate(shapes):
        w = shapes[k - k % 2]
        fan_in = int(np.prod(w)) // w[0]
        s = np.float32(1) / np.sqrt(np.float32(fan_in))
        out.append(jnp.asarray(rng.vec(int(np.prod(shape)), s).reshape(shape)))
    return out


def data(chw, classes):
    rng = SplitMix64(7)
    n = int(np.prod(chw))
    x = rng.vec(4 * BATCH * n, 1).reshape((4, BATCH) + chw)
    labels = (rng.next_u64(4 * BATCH) % np.uint64(classes)).astype(np.int32)
    return jnp.asarray(x), jnp.asarray(labels.reshape(4, BATCH))


def make_run(model, steps):
    def loss_fn(p, x, y):
        logp = jax.nn.log_softmax(model(p, x))
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def run(p, xs, ys, k0):
        def step(p, k):
            i = k % 4
            loss, grads = jax.value_and_grad(loss_fn)(p, xs[i], ys[i])
            p = jax.tree_util.tree_map(lambda a, g: a - 0.01 * g, p, grads)
            return p, loss

        return lax.scan(step, p, k0 + jnp.arange(steps))

    return run


def bench(name, model, shapes, chw, classes, macs, runs, steps, check):
    p = params(shapes)
    xs, ys = data(chw, classes)
    losses = make_run(model, 20)(p, xs, ys, 0)[1]
    got = (float(losses[0]), float(losses[19]))
    print(f"#### {name} (JAX {jax.__version__}, jit, {steps} steps in one lax.scan)")
    print()
    print(f"check: loss step 1 {got[0]:.6f}, step 20 {got[1]:.6f}")
    print()
    assert abs(got[0] - check[0]) < 1e-4 and abs(got[1] - check[1]) < 1e-4, (name, got, check)
    run = make_run(model, steps)
    p, _ = make_run(model, 5)(p, xs, ys, 0)
    jax.block_until_ready(run(p, xs, ys, 5))  # compiles
    rates = []
    k = 5
    for _ in range(runs):
        t = time.perf_counter()
        p, losses = run(p, xs, ys, k)
        jax.block_until_ready(losses)
        rates.append(steps * BATCH / (time.perf_counter() - t))
        k += steps
    rates.sort()
    med = rates[len(rates) // 2]
    gflops = 3 * 2 * macs * med / 1e9
    print("| implementation | samples/s (median) | min – max | GFLOP/s (3 × 2 per MAC) |")
    print("|---|---:|---:|---:|")
    print(f"| jax | {med:.1f} | {rates[0]:.1f} – {rates[-1]:.1f} | {gflops:.2f} |")
    print()


def main():
    quick = "--quick" in sys.argv
    jax.config.update("jax_platforms", "cpu")
    runs, steps = (1, 3) if quick else (5, 20)
    print(f"### JAX {jax.__version__} on the CPU, one thread")
    print()
    bench("W6(a) DS-CNN training step (1 × 49 × 10 → 12), batch 32", dscnn, DSCNN_SHAPES,
          (1, 49, 10), 12, 2_656_768, runs, steps, (2.500733, 2.497657))
    bench("W6(b) ResNet-8 training step (3 × 32 × 32 → 10), batch 32", resnet8,
          RESNET8_SHAPES, (3, 32, 32), 10, 12_501_632, runs, steps, (2.320871, 2.304949))


if __name__ == "__main__":
    main()
