#!/usr/bin/env python3
"""W3 of benches/WORKLOADS.md in JAX: the MLP training step, jitted, on the CPU, one thread.

The 2,000 timed steps run inside one `jax.lax.scan` (as a JAX user writes a training loop:
one compiled program, no Python per step). Same data, same initial parameters and the same
check values as the Rust report (benches/report.rs). Prints a markdown table in the report's
format (samples/s, median and min-max over the runs).

    python3 benches/jax_w3.py            (needs `pip install "jax[cpu]"`)
    python3 benches/jax_w3.py --quick    (fewer runs; numbers not for publishing)

scripts/bench_report.sh runs it pinned to the same core as the Rust report.
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

MASK = (1 << 64) - 1


class SplitMix64:
    """The generator of WORKLOADS.md, vectorized with numpy's wrapping uint64 arithmetic."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self, n):
        with np.errstate(over="ignore"):
            steps = np.arange(1, n + 1, dtype=np.uint64)
            z = np.uint64(self.state) + steps * np.uint64(0x9E3779B97F4A7C15)
            self.state = (self.state + n * 0x9E3779B97F4A7C15) & MASK
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            return z ^ (z >> np.uint64(31))

    def vec(self, n, s):
        """`uniform() · s`, computed in f32 as the workload defines it."""
        u = (self.next_u64(n) >> np.uint64(40)).astype(np.float32) / np.float32(2**24)
        u = u * np.float32(2) - np.float32(1)
        return u * np.float32(s)


def workload(sizes):
    rng = SplitMix64(42)
    params = []
    for i, o in zip(sizes, sizes[1:]):
        s = np.float32(1) / np.sqrt(np.float32(i))
        w = rng.vec(o * i, s).reshape(o, i)
        b = rng.vec(o, s)
        params.append((jnp.asarray(w), jnp.asarray(b)))
    data = SplitMix64(7)
    x = data.vec(2048 * sizes[0], 1).reshape(64, 32, sizes[0])
    labels = (data.next_u64(2048) % np.uint64(10)).astype(np.int32).reshape(64, 32)
    return params, jnp.asarray(x), jnp.asarray(labels)


def loss_fn(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = jax.nn.relu(h @ w.T + b)
    w, b = params[-1]
    logits = h @ w.T + b
    logp = jax.nn.log_softmax(logits)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


def make_run(steps):
    """`steps` SGD steps (lr 0.01) from step `k0`, batch k mod 64; returns the losses."""

    @jax.jit
    def run(params, xs, ys, k0):
        def step(params, k):
            i = k % 64
            loss, grads = jax.value_and_grad(loss_fn)(params, xs[i], ys[i])
            params = jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads)
            return params, loss

        return jax.lax.scan(step, params, k0 + jnp.arange(steps))

    return run


def bench(name, sizes, runs, check):
    params, xs, ys = workload(sizes)
    losses = make_run(20)(params, xs, ys, 0)[1]
    got = (float(losses[0]), float(losses[19]))
    assert abs(got[0] - check[0]) < 1e-5 and abs(got[1] - check[1]) < 1e-5, (name, got)
    run = make_run(2000)
    warm = make_run(100)
    params, _ = warm(params, xs, ys, 0)
    jax.block_until_ready(run(params, xs, ys, 100))  # compiles
    rates = []
    k = 100
    for _ in range(runs):
        t = time.perf_counter()
        params, losses = run(params, xs, ys, k)
        jax.block_until_ready(losses)
        rates.append(2000 * 32 / (time.perf_counter() - t))
        k += 2000
    rates.sort()
    med = rates[len(rates) // 2]
    print(f"#### {name} (JAX {jax.__version__}, jit, 2,000 steps in one lax.scan)")
    print()
    print(f"check: loss step 1 {got[0]:.6f}, step 20 {got[1]:.6f}")
    print()
    print("| implementation | samples/s (median) | min – max |")
    print("|---|---:|---:|")
    print(f"| jax | {med:.0f} | {rates[0]:.0f} – {rates[-1]:.0f} |")
    print()


def main():
    quick = "--quick" in sys.argv
    jax.config.update("jax_platforms", "cpu")
    print(f"### JAX {jax.__version__} on the CPU, one thread")
    print()
    bench("W3(a) training step 64-32-10, batch 32", [64, 32, 10], 3 if quick else 9,
          (2.275840, 2.352347))
    bench("W3(b) training step 784-128-64-10, batch 32", [784, 128, 64, 10],
          2 if quick else 5, (2.325436, 2.284795))


if __name__ == "__main__":
    main()
