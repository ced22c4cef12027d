"""The report's PNG plots (Debian's python3-matplotlib, no display needed).

draw_all(results, prefix) draws every plot it has figures for and returns a list of
(name, path) with path = "<prefix>-<name>.png".
"""

import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"firn": "#1f77b4", "redis": "#d62728", "ceiling": "#9a9a9a"}
LABELS = {"firn": "Firn", "redis": "Redis", "ceiling": "ceiling"}


def _ok(reps):
    return [r for r in reps or [] if isinstance(r, dict) and "error" not in r]


def _stat(results, family, row, target, metric):
    reps = results.get("families", {}).get(family, {}).get("rows", {}).get(row, {}).get(target)
    vals = [r.get(metric) for r in _ok(reps)]
    vals = [v for v in vals if isinstance(v, (int, float))]
    if not vals:
        return None, None, None
    return statistics.median(vals), min(vals), max(vals)


def _rows(results, family):
    return list(results.get("families", {}).get(family, {}).get("rows", {}).keys())


def _bars(ax, results, family, rows, targets, metric, scale=1.0, log=False):
    """Grouped bars with min-max whiskers; n/a bars are left out and marked."""
    width = 0.8 / len(targets)
    for i, t in enumerate(targets):
        xs, ys, lo, hi, na = [], [], [], [], []
        for j, row in enumerate(rows):
            med, mn, mx = _stat(results, family, row, t, metric)
            x = j + (i - (len(targets) - 1) / 2) * width
            if med is None:
                na.append(x)
                continue
            xs.append(x)
            ys.append(med * scale)
            lo.append((med - mn) * scale)
            hi.append((mx - med) * scale)
        ax.bar(xs, ys, width, color=COLORS[t], label=LABELS[t], yerr=[lo, hi], capsize=2)
        for x in na:
            ax.text(x, 0, "n/a", rotation=90, ha="center", va="bottom", fontsize=7,
                    color=COLORS[t])
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(rows, rotation=30, ha="right", fontsize=8)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)


def plot_throughput(results, path):
    rows = _rows(results, "throughput")
    if not rows:
        return False
    groups = [("-P 1, 50 clients", [r for r in rows if r.endswith(" P1") and "c1" not in r]),
              ("-P 16, 50 clients", [r for r in rows if r.endswith(" P16")]),
              ("round trip, 1 client", [r for r in rows if "c1" in r])]
    groups = [g for g in groups if g[1]]
    fig, axes = plt.subplots(1, len(groups), figsize=(5 * len(groups) + 2, 4.5),
                             gridspec_kw={"width_ratios": [len(g[1]) + 1 for g in groups]})
    axes = axes if len(groups) > 1 else [axes]
    for ax, (title, grows) in zip(axes, groups):
        _bars(ax, results, "throughput", grows, ["firn", "redis", "ceiling"], "rps",
              scale=1e-3)
        ax.set_xticklabels([r.replace(" (round trip)", "") for r in grows], rotation=30,
                           ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("thousand requests/s")
    axes[0].legend(fontsize=8)
    fig.suptitle("Throughput (redis-benchmark, median and min–max)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_latency(results, path):
    rows = _rows(results, "throughput")
    if not rows:
        return False
    metrics = [("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")]
    groups = [("-P 1", [r for r in rows if r.endswith(" P1")]),
              ("-P 16 (per batch)", [r for r in rows if r.endswith(" P16")])]
    groups = [g for g in groups if g[1]]
    fig, axes = plt.subplots(len(groups), 1, figsize=(12, 4 * len(groups)))
    axes = axes if len(groups) > 1 else [axes]
    for ax, (title, grows) in zip(axes, groups):
        n = len(grows)
        width = 0.8 / (2 * len(metrics))
        k = 0
        for t in ("firn", "redis"):
            for mi, (metric, mlabel) in enumerate(metrics):
                xs, ys = [], []
                for j, row in enumerate(grows):
                    med, _, _ = _stat(results, "throughput", row, t, metric)
                    if med is not None:
                        xs.append(j + (k - (2 * len(metrics) - 1) / 2) * width)
                        ys.append(med)
                ax.bar(xs, ys, width, color=COLORS[t], alpha=1.0 - 0.3 * mi,
                       label="%s %s" % (LABELS[t], mlabel))
                k += 1
        ax.set_xticks(range(n))
        ax.set_xticklabels(grows, rotation=20, ha="right", fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("ms (log)")
        ax.set_title("Latency percentiles, %s" % title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _median_run(reps):
    ok = [r for r in _ok(reps) if r.get("slices")]
    if not ok:
        return None
    ok.sort(key=lambda r: r.get("rps", 0))
    return ok[len(ok) // 2]


def plot_loadshapes(results, path):
    rows = _rows(results, "loadshapes")
    if not rows:
        return False
    fam = results["families"]["loadshapes"]["rows"]
    fig, axes = plt.subplots(2, len(rows), figsize=(5.5 * len(rows), 7), squeeze=False)
    for col, shape in enumerate(rows):
        ax_lat, ax_rps = axes[0][col], axes[1][col]
        conns_drawn = False
        for t in ("firn", "redis"):
            run = _median_run(fam[shape].get(t))
            if run is None:
                ax_lat.text(0.5, 0.9 if t == "firn" else 0.8, "%s: n/a" % LABELS[t],
                            transform=ax_lat.transAxes, ha="center", color=COLORS[t])
                continue
            sl = run["slices"]
            ts = [s["t"] for s in sl]
            ax_lat.plot(ts, [s["p50_ms"] for s in sl], color=COLORS[t], lw=1,
                        label="%s p50" % LABELS[t])
            ax_lat.plot(ts, [s["p99_ms"] for s in sl], color=COLORS[t], lw=1.5, ls="--",
                        label="%s p99" % LABELS[t])
            ax_rps.plot(ts, [s["rps"] / 1e3 for s in sl], color=COLORS[t], lw=1.2,
                        label=LABELS[t])
            errs = [(s["t"], s["errors"]) for s in sl if s.get("errors")]
            if errs:
                ax_rps.scatter([e[0] for e in errs], [0] * len(errs), marker="x",
                               color=COLORS[t], label="%s errors" % LABELS[t])
            if not conns_drawn:
                tw = ax_rps.twinx()
                tw.step(ts, [s["conns"] for s in sl], where="post", color="#555555", lw=0.8,
                        alpha=0.6)
                tw.set_ylabel("connections", fontsize=8, color="#555555")
                conns_drawn = True
        ax_lat.set_title(shape)
        ax_lat.set_ylabel("latency ms")
        ax_lat.grid(alpha=0.3)
        ax_lat.legend(fontsize=7)
        ax_rps.set_xlabel("seconds")
        ax_rps.set_ylabel("thousand requests/s")
        ax_rps.grid(alpha=0.3)
        ax_rps.legend(fontsize=7, loc="lower left")
    fig.suptitle("Load shapes: latency and throughput over time (grey: connections)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_cpu_memory(results, path):
    panels = []
    if _rows(results, "cpu"):
        panels.append(("cpu", "instr_per_req", "instructions per request", 1.0))
    if _rows(results, "memory"):
        panels.append(("memory", "rss_per_key", "RSS bytes per key", 1.0))
        panels.append(("memory", "used_per_key", "used_memory bytes per key", 1.0))
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 4.2), squeeze=False)
    for ax, (family, metric, title, scale) in zip(axes[0], panels):
        _bars(ax, results, family, _rows(results, family), ["firn", "redis"], metric, scale)
        ax.set_title(title, fontsize=10)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("CPU per request (callgrind) and memory per key; lower is better")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_expiry(results, path):
    rows = _rows(results, "expiry")
    if not rows:
        return False
    fam = results["families"]["expiry"]["rows"][rows[0]]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    drawn = False
    for t in ("firn", "redis"):
        ok = [r for r in _ok(fam.get(t)) if r.get("series")]
        if not ok:
            continue
        series = ok[0]["series"]
        ax1.plot([s[0] for s in series], [s[1] / 1e3 for s in series], color=COLORS[t],
                 label=LABELS[t])
        ax2.plot([s[0] for s in series], [(s[2] or 0) / 2**20 for s in series],
                 color=COLORS[t], label=LABELS[t])
        drawn = True
    if not drawn:
        plt.close(fig)
        return False
    for ax, ylabel in ((ax1, "keys (thousands)"), (ax2, "used_memory MiB")):
        ax.axvline(0, color="#555555", lw=0.8, ls=":")
        ax.set_xlabel("seconds after the last deadline")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Expiry of 200k keys with a 1 s TTL")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_limiters_eviction(results, path):
    panels = []
    if _rows(results, "ratelimit"):
        panels.append(("ratelimit", "rps", "rate limiters: thousand requests/s", 1e-3))
    if _rows(results, "eviction"):
        panels.append(("eviction", "hit_ratio", "eviction: hit ratio", 1.0))
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.2), squeeze=False)
    for ax, (family, metric, title, scale) in zip(axes[0], panels):
        _bars(ax, results, family, _rows(results, family), ["firn", "redis"], metric, scale)
        ax.set_title(title, fontsize=10)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


PLOTS = [
    ("throughput", plot_throughput),
    ("latency", plot_latency),
    ("loadshapes", plot_loadshapes),
    ("cpu-memory", plot_cpu_memory),
    ("expiry", plot_expiry),
    ("limiters-eviction", plot_limiters_eviction),
]


def draw_all(results, prefix):
    out = []
    for name, fn in PLOTS:
        path = "%s-%s.png" % (prefix, name)
        try:
            if fn(results, path):
                out.append((name, path))
        except Exception as e:  # noqa: BLE001 - one bad plot must not lose the others
            import sys

            sys.stderr.write("plot %s failed: %s\n" % (name, e))
            plt.close("all")
    return out
