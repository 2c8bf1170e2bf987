#!/usr/bin/env python3
"""Plots bench/phalanx.py's JSON: time per token of one layer against the
sequence length, forward and forward + backward, one panel per batch size.

  python3 bench/plot_phalanx.py bench/phalanx-h200.json bench/phalanx-h200.png

Needs matplotlib (not part of the project's environment: pip install it
where you plot)."""

import json
import sys


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: plot_phalanx.py RESULTS.json OUT.png")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(sys.argv[1]) as f:
        data = json.load(f)
    rows = [r for r in data["results"] if "layer" in r]
    batches = sorted({r["B"] for r in rows}, reverse=True)
    layers = list(dict.fromkeys(r["layer"] for r in rows))
    fig, axes = plt.subplots(len(batches), 2, figsize=(11, 4 * len(batches)), squeeze=False)
    for i, b in enumerate(batches):
        for j, (key, title) in enumerate((("fwd_us", "forward"),
                                          ("fwd_bwd_us", "forward + backward"))):
            ax = axes[i][j]
            for layer in layers:
                pts = sorted((r["L"], r[key] * 1e3 / (r["B"] * r["L"])) for r in rows
                             if r["layer"] == layer and r["B"] == b)
                if pts:
                    ax.plot(*zip(*pts), marker="o", label=layer,
                            linewidth=2.5 if layer.startswith("phalanx") else 1.2)
            ax.set_xscale("log", base=2)
            ax.set_xlabel("sequence length L")
            ax.set_ylabel("ns per token")
            ax.set_title(f"{title}, B = {b}, dim 2048, bf16 ({data['device']})")
            ax.grid(True, alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
