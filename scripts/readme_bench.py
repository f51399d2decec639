#!/usr/bin/env python3
"""Rewrites the benchmark table of docs/benchmarks.md (the guide the README links to) from the
output of scripts/bench_report.sh, so its figures, CPU model, peak and every "met" are the
ones a run measured on its machine.

    for i in 1 2 3; do FMA=1 bash scripts/bench_report.sh; done | tee docs/bench-latest.md
    python3 scripts/readme_bench.py docs/bench-latest.md     # rewrites docs/benchmarks.md in place

Several runs (in one file or several) are combined cell by cell: the median over the runs.

The table sits between `<!-- bench:start -->` and `<!-- bench:end -->`. Targets (issue 25,
default build): W1 N >= 64 at least ndarray's speed, N = 256 >= 85 % of the measured peak;
W3(a) >= 2.5x ndarray and >= 2x JAX; W3(b) >= 1.5x ndarray and >= 1.2x JAX; W4 >= 2x
nalgebra; W5 and W6 convolution products >= 50 % of the peak; W6 >= 1.2x JAX's samples/s;
W1 N = 8, 32 at least nalgebra's speed.
"""

import pathlib
import re
import sys


def parse(text):
    """{build: {"peak": str, "workloads": {name: {impl: (metric, ratio, pct)}}}} in order.

    The JAX section (`### JAX …`, from benches/jax_w3.py) is a build of its own, named by
    its `version` and with the JAX part of the workload headings removed."""
    builds, build, name = [], None, None
    for line in text.splitlines():
        if line.startswith("build:"):
            peak = re.search(r"peak measured: ([\d.]+ GFLOP/s)", line)
            build = {"line": line, "peak": peak.group(1) if peak else "?", "workloads": {},
                     "fma": "`fma` feature" in line}
            builds.append(build)
        elif line.startswith("### JAX"):
            build = {"line": line, "peak": "?", "workloads": {}, "jax": line[4:].strip()}
            builds.append(build)
        elif line.startswith("#### ") and build is not None:
            name = re.sub(r" \(JAX .*\)$", "", line[5:].strip())
            build["workloads"][name] = {}
        elif line.startswith("rounds: ") and name and build is not None:
            # `rounds: 11; typegrad / this over the rounds: nalgebra 2.30–2.41, ndarray …`
            n = int(re.match(r"rounds: (\d+)", line).group(1))
            ranges = dict(re.findall(r"(\w+) ([\d.]+–[\d.]+)", line.split(":", 2)[-1]))
            build.setdefault("rounds", {})[name] = (n, ranges)
        elif line.startswith("| ") and name and build is not None and not line.startswith("| implementation"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and not cells[0].startswith("---"):
                pct = cells[4] if len(cells) > 4 else ""
                r = cells[3] if len(cells) > 3 else "—"
                build["workloads"][name][cells[0]] = (cells[1], r, pct)
    return builds


def ratio(w, peer):
    try:
        return float(w[peer][1])
    except (KeyError, ValueError):
        return None


def fmt_metric(name, value):
    v = float(value)
    if name.startswith("W1") or "products" in name or "layers alone" in name:
        return f"{v:.1f} GFLOP/s"
    if name.startswith("W3"):
        return f"{v / 1e6:.2f} M samples/s" if v >= 1e6 else f"{v / 1e3:.0f} k samples/s"
    if name.startswith("W2"):
        return f"{v / 1e3:.2f} µs"
    if name.startswith("W5"):
        return f"{v / 1e3:.1f} k samples/s"
    if name.startswith("W6"):
        return f"{v:.0f} samples/s"
    return f"{v:.0f} ns"


# Floating-point operations per sample of a training step (forward, input and weight
# gradients; multiply-adds count 2), from benches/WORKLOADS.md's layer sizes.
FLOPS_PER_SAMPLE = {
    "W3(a)": 3 * 2 * (64 * 32 + 32 * 10) - 2 * 64 * 32,
    "W3(b)": 3 * 2 * (784 * 128 + 128 * 64 + 64 * 10) - 2 * 784 * 128,
}


def needs(w, peer_rate, factor, flops, peak):
    """When a ratio target is missed: the share of the measured peak the target implies."""
    if peak is None or "typegrad" not in w or float(w["typegrad"][0]) >= factor * peer_rate:
        return ""
    need = factor * peer_rate * flops / 1e9
    return f" (it needs {need:.0f} GFLOP/s, {100 * need / peak:.0f} % of peak)"


def spread(build, prefix, peer="ndarray"):
    for (name, impl), (lo, hi) in build.get("spread", {}).items():
        if name.startswith(prefix) and impl == peer:
            return f"{lo:.2f}–{hi:.2f}"
    return "?"


def verdict(ok, what):
    return f"{what}: met" if ok else f"{what}: **missed**"


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def combine(runs):
    """One list of builds from several runs of bench_report.sh (the same builds in the same
    order): each cell the median over the runs; `spread` keeps each typegrad/peer ratio's
    lowest and highest run."""
    first = runs[0]
    for i, build in enumerate(first):
        for name, impls in build["workloads"].items():
            for impl, (metric, r, pct) in impls.items():
                cells = [run[i]["workloads"].get(name, {}).get(impl) for run in runs
                         if i < len(run)]
                cells = [c for c in cells if c]

                def med(k, fmt):
                    try:
                        return fmt(median([float(c[k].rstrip(" %")) for c in cells]))
                    except ValueError:
                        return cells[0][k]
                ratios = []
                for c in cells:
                    try:
                        ratios.append(float(c[1]))
                    except ValueError:
                        pass
                impls[impl] = (med(0, str), med(1, lambda x: f"{x:.2f}"),
                               med(2, lambda x: f"{x:.0f} %") if pct else "")
                if ratios:
                    build.setdefault("spread", {})[(name, impl)] = (min(ratios), max(ratios))
        peaks = [run[i]["peak"] for run in runs if i < len(run) and run[i]["peak"] != "?"]
        if peaks:
            build["peak"] = f"{median([float(p.split()[0]) for p in peaks]):.1f} GFLOP/s"
    return first


def main():
    texts = [pathlib.Path(f).read_text() for f in sys.argv[1:]]
    if not texts:
        sys.exit("usage: readme_bench.py REPORT [REPORT ...]")
    # A file may hold several runs one after the other (each starts with its `# ` title).
    chunks = [c for t in texts for c in re.split(r"(?m)^(?=# typegrad benchmark report — )", t)
              if c.strip()]
    text = chunks[0]
    builds = combine([parse(c) for c in chunks])
    runs = len(chunks)
    # The JAX sections (benches/jax_w3.py, benches/jax_w6.py) as one.
    jax_builds = [b for b in builds if "jax" in b]
    jax = None
    if jax_builds:
        jax = dict(jax_builds[0])
        jax["workloads"] = {k: v for b in jax_builds for k, v in b["workloads"].items()}
    fma = next((b for b in builds if b.get("fma")), None)
    builds = [b for b in builds if "jax" not in b and not b.get("fma")]
    if len(builds) < 2:
        sys.exit("expected the default and the native build's reports")
    default, native = builds[0], builds[1]
    peak = float(default["peak"].split()[0]) if default["peak"] != "?" else None
    machine = re.search(r"^machine: (.*)$", text, re.M)
    date = re.search(r"report — (\d{4}-\d{2}-\d{2})", text)
    compiler = re.search(r"^compiler: (.*)$", text, re.M)
    rows = []
    for name, w in default["workloads"].items():
        n = native["workloads"].get(name, {})
        if "typegrad" not in w or name.startswith(("W1 matmul N = 16",)):
            continue
        metric = fmt_metric(name, w["typegrad"][0])
        if w["typegrad"][2]:
            metric += f" ({w['typegrad'][2]} of peak)"
        na, nd = ratio(w, "nalgebra"), ratio(w, "ndarray")
        nna, nnd = ratio(n, "nalgebra"), ratio(n, "ndarray")
        rounds, ranges = default.get("rounds", {}).get(name, (None, {}))
        native_cell = " / ".join("—" if r is None else f"{r:.2f}" for r in (nna, nnd))
        if n.get("typegrad", ("", "", ""))[2]:
            native_cell += f" ({n['typegrad'][2]} of peak)"
        target = "—"
        size = re.search(r"N = (\d+)", name)
        if name.startswith("W1") and size and int(size.group(1)) >= 64:
            target = verdict(nd is not None and nd >= 1.0, "≥ ndarray (default)")
            if int(size.group(1)) == 256:
                pct = float(w["typegrad"][2].rstrip(" %")) if w["typegrad"][2] else 0.0
                target += "; " + verdict(pct >= 85, "≥ 85 % of peak (default)")
        elif name.startswith("W1"):
            target = verdict(na is not None and na >= 1.0, "≥ nalgebra")
        elif name.startswith("W3(a)"):
            target = verdict(nd is not None and nd >= 2.5, "≥ 2.5× ndarray")
            if "ndarray" in w:
                target += needs(w, float(w["ndarray"][0]), 2.5, FLOPS_PER_SAMPLE["W3(a)"], peak)
        elif name.startswith("W3(b)"):
            target = verdict(nd is not None and nd >= 1.5, "≥ 1.5× ndarray")
            if "ndarray" in w:
                target += needs(w, float(w["ndarray"][0]), 1.5, FLOPS_PER_SAMPLE["W3(b)"], peak)
        if name.startswith("W3") and jax and name in jax["workloads"] and "jax" in jax["workloads"][name]:
            j = float(jax["workloads"][name]["jax"][0])
            mine = float(w["typegrad"][0])
            goal = 2.0 if name.startswith("W3(a)") else 1.2
            target += f"; {verdict(mine >= goal * j, f'≥ {goal:g}× JAX (jit)')} ({mine / j:.2f}×)"
        elif name.startswith("W4"):
            target = verdict(na is not None and na >= 2.0, "≥ 2× nalgebra")
        elif name.startswith(("W5", "W6")) and "products" in name and w["typegrad"][2]:
            share = float(w["typegrad"][2].rstrip(" %"))
            target = verdict(share >= 50, "≥ 50 % of peak")
        elif name.startswith("W6") and "layers alone" in name and w["typegrad"][2]:
            # The same target measured on the convolution layers without the rest of the step.
            share = float(w["typegrad"][2].rstrip(" %"))
            target = verdict(share >= 50, "≥ 50 % of peak, the convolution layers alone")
        elif name.startswith("W6") and jax and name in jax["workloads"] and "jax" in jax["workloads"][name]:
            j = float(jax["workloads"][name]["jax"][0])
            mine = float(w["typegrad"][0])
            target = f"{verdict(mine >= 1.2 * j, '≥ 1.2× JAX (jit)')} ({mine / j:.2f}×; JAX {j:.0f} samples/s)"
        cells = ["—" if r is None else f"{r:.2f}" + (f" ({ranges[p]})" if p in ranges else "")
                 for r, p in ((na, "nalgebra"), (nd, "ndarray"))]
        rows.append(f"| {name} | {metric} | {cells[0]} | {cells[1]} | {rounds or '—'} "
                    f"| {native_cell} | {target} |")
    head = (f"Latest run, {date.group(1) if date else '?'}, on {machine.group(1) if machine else '?'}; "
            f"{compiler.group(1) if compiler else ''}; f32 single-core peak measured at "
            f"{default['peak']} (default build) / {native['peak']} (native). Ratio = peer time / "
            "typegrad time (> 1: typegrad faster), the median of the per-round ratios of "
            "interleaved runs, their lowest–highest in brackets, the rounds in their column"
            + (f"; every figure is the median of {runs} runs of the whole report, one after the "
               f"other (the W3(b) ratio vs ndarray ranged {spread(default, 'W3(b)')} across them: "
               "this machine is a shared VM)" if runs > 1 else "")
            + ". Full output: `docs/bench-latest.md`; this table is written from it by "
            "`scripts/readme_bench.py`.")
    if jax:
        head += (f" JAX: {jax['jax']}, `benches/jax_w3.py` and `benches/jax_w6.py` (jit, a "
                 "run's steps in one `lax.scan`), run right after on the same core; its "
                 "samples/s against typegrad's default build.")
    lines = [head, "",
             "| workload | typegrad (default build) | vs nalgebra | vs ndarray | rounds | native build: vs nalgebra / ndarray | target |",
             "|---|---:|---:|---:|---:|---:|---|"] + rows
    if fma:
        lines += ["", "The opt-in `fma` feature (fused multiply-add in the `f32` matrix products), "
                  "the default build once more with it, in the same report: typegrad vs ndarray "
                  "in each run (ndarray is the reference both runs share), and its W3 "
                  "samples/s against JAX's.", "",
                  "| workload | without `fma` | with `fma` | with `fma`: vs JAX (jit) |",
                  "|---|---:|---:|---:|"]
        for name, w in default["workloads"].items():
            f = fma["workloads"].get(name, {})
            if name.startswith(("W1 matmul N = 64", "W1 matmul N = 128", "W1 matmul N = 256",
                                "W2", "W3", "W4")) and ratio(w, "ndarray") and ratio(f, "ndarray"):
                vs_jax = "—"
                if jax and "jax" in jax["workloads"].get(name, {}):
                    vs_jax = f"{float(f['typegrad'][0]) / float(jax['workloads'][name]['jax'][0]):.2f}"
                lines.append(f"| {name} | {ratio(w, 'ndarray'):.2f} | {ratio(f, 'ndarray'):.2f} "
                             f"| {vs_jax} |")
    table = "\n".join(lines)
    guide = pathlib.Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    new, n = re.subn(r"(<!-- bench:start -->\n)(?:.*?\n)?(<!-- bench:end -->)",
                     lambda m: m.group(1) + table + "\n" + m.group(2), guide.read_text(), flags=re.S)
    if n != 1:
        sys.exit("docs/benchmarks.md has no bench markers")
    guide.write_text(new)
    print(f"docs/benchmarks.md: {len(rows)} benchmark rows")


if __name__ == "__main__":
    main()
