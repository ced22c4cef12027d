#!/usr/bin/env python3
"""Writes the benchmark report (Markdown), the raw figures (JSON) and the plots (PNG).

Used by run.py; also standalone, to redraw a report from its JSON:
  python3 bench/report.py bench/results/latest.json [--out DIR]
"""

import json
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads"))
import scripting  # noqa: E402  (its report section)
import persistence  # noqa: E402  (its report section)

TARGETS = ("firn", "redis")


# ---------------------------------------------------------------------------------------
# figures


class Stat:
    """Median and min-max of one metric over a row's repetitions for one server, or the
    error that made it n/a."""

    def __init__(self, reps, metric):
        reps = reps or []
        ok = [r for r in reps if isinstance(r, dict) and "error" not in r]
        vals = [r.get(metric) for r in ok]
        vals = [v for v in vals if isinstance(v, (int, float))]
        self.n = len(vals)
        self.median = statistics.median(vals) if vals else None
        self.lo = min(vals) if vals else None
        self.hi = max(vals) if vals else None
        errs = [r["error"] for r in reps if isinstance(r, dict) and "error" in r]
        self.error = errs[0] if errs and not vals else None
        if not reps:
            self.error = "not run"
        elif not vals and not errs:
            self.error = "not reported"


def get(results, family, row, target, metric):
    fam = results.get("families", {}).get(family, {})
    reps = fam.get("rows", {}).get(row, {}).get(target)
    if reps is None and fam.get("failure"):
        return Stat([{"error": "family failed: " + fam["failure"]}], metric)
    return Stat(reps, metric)


def fmt_num(v, kind):
    if v is None:
        return "n/a"
    if kind == "rps":
        return "{:,.0f}".format(v)
    if kind == "ms":
        return "%.3f" % v
    if kind == "s":
        return "%.2f" % v
    if kind == "int":
        return "{:,.0f}".format(v)
    if kind == "bytes":
        return "%.1f" % v
    if kind == "ratio":
        return "%.3f" % v
    if kind == "pct":
        return "%.1f%%" % (100 * v)
    if kind == "x":
        return "%.2f" % v
    if kind == "g" and abs(v) >= 1000:
        return "{:,.0f}".format(v)
    return "%.4g" % v


def cell(st, kind, spread=True):
    if st.median is None:
        return "n/a"
    s = fmt_num(st.median, kind)
    lo, hi = fmt_num(st.lo, kind), fmt_num(st.hi, kind)
    if spread and st.n > 1 and lo != hi:
        s += " (%s–%s)" % (lo, hi)
    return s


def ratio(a, b):
    if a.median is None or b.median is None or not b.median:
        return "n/a"
    return "%.2f" % (a.median / b.median)


def pct_of(a, ceiling):
    if a.median is None or ceiling.median is None or not ceiling.median:
        return "n/a"
    return "%.0f%%" % (100.0 * a.median / ceiling.median)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def rows_of(results, family):
    return list(results.get("families", {}).get(family, {}).get("rows", {}).keys())


# ---------------------------------------------------------------------------------------
# sections


def headline(results):
    rows = []

    def add(label, family, row, metric, kind, better):
        f = get(results, family, row, "firn", metric)
        r = get(results, family, row, "redis", metric)
        if f.error == "not run" and r.error == "not run":
            return
        rows.append([label, cell(f, kind, False), cell(r, kind, False), ratio(f, r), better])

    for row in ("SET P1", "GET P1", "SET P16", "GET P16"):
        add("%s requests/s" % row, "throughput", row, "rps", "rps", "higher")
    for row in ("SET c1 P1 (round trip)",):
        add("SET round trip p50 ms", "throughput", row, "p50_ms", "ms", "lower")
    for row in ("SET+GET P16", "SET+GET P1"):
        add("instructions/request %s" % row, "cpu", row, "instr_per_req", "int", "lower")
    add("bytes/key RSS, 1M strings", "memory", "strings", "rss_per_key", "bytes", "lower")
    add("bytes/key used_memory, 1M strings", "memory", "strings", "used_per_key", "bytes",
        "lower")
    add("bytes/key RSS, 1M strings with TTL", "memory", "strings-ttl", "rss_per_key", "bytes",
        "lower")
    add("expiry: s to reclaim 200k keys", "expiry", "200k keys, 1 s TTL", "keys_reclaimed_s",
        "s", "lower")
    add("rate limiter GCRA P1 requests/s", "ratelimit", "gcra P1", "rps", "rps", "higher")
    add("rate limiter window P1 requests/s", "ratelimit", "sliding-window P1", "rps", "rps",
        "higher")
    add("eviction hit ratio, Zipf 0.99", "eviction", "zipf", "hit_ratio", "ratio", "higher")
    add("eviction hit ratio, with scans", "eviction", "zipf+scan", "hit_ratio", "ratio",
        "higher")
    if not rows:
        return ""
    return "## Headline\n\n" + table(["figure", "Firn", "Redis", "Firn/Redis", "better"],
                                     rows) + "\n"


def section_throughput(results):
    rows = rows_of(results, "throughput")
    if not rows:
        return ""
    t1, t2 = [], []
    for row in rows:
        f, r, c = (get(results, "throughput", row, k, "rps") for k in ("firn", "redis", "ceiling"))
        t1.append([row, cell(f, "rps"), cell(r, "rps"), cell(c, "rps"), ratio(f, r),
                   pct_of(f, c), pct_of(r, c)])
        lat = []
        for k in ("firn", "redis"):
            parts = [get(results, "throughput", row, k, m) for m in ("p50_ms", "p99_ms",
                                                                      "p999_ms")]
            lat.append(" / ".join(fmt_num(p.median, "ms") for p in parts)
                       if parts[0].median is not None else "n/a")
        fp99, rp99 = (get(results, "throughput", row, k, "p99_ms") for k in ("firn", "redis"))
        t2.append([row, lat[0], lat[1], ratio(fp99, rp99)])
    return ("## Throughput and latency (redis-benchmark)\n\n"
            "50 clients, 32-byte values, keys from 100,000 (`-r 100000`), pipeline depth "
            "`-P`; the round-trip rows use one client. The ceiling is `bench/ceiling.cc`, a "
            "responder that does no work: what redis-benchmark itself can drive here.\n\n"
            + table(["workload", "Firn req/s", "Redis req/s", "ceiling req/s", "Firn/Redis",
                     "Firn % of ceiling", "Redis % of ceiling"], t1)
            + "\n\nLatency in ms, p50 / p99 / p99.9 (per pipeline batch at -P 16):\n\n"
            + table(["workload", "Firn", "Redis", "Firn/Redis p99"], t2) + "\n")


def section_cpu(results):
    rows = rows_of(results, "cpu")
    if not rows:
        return ""
    t = []
    for row in rows:
        f, r = (get(results, "cpu", row, k, "instr_per_req") for k in TARGETS)
        req = get(results, "cpu", row, "redis", "requests")
        if req.median is None:
            req = get(results, "cpu", row, "firn", "requests")
        t.append([row, cell(f, "int"), cell(r, "int"), ratio(f, r),
                  fmt_num(req.median, "int")])
    return ("## CPU per request (callgrind)\n\n"
            "Instructions executed by the server per request (all threads), under "
            "`valgrind --tool=callgrind`: a fixed redis-benchmark load of SET then GET over "
            "1,000 keys with 50 clients, minus a start-PING-stop baseline. Lower is better; "
            "this figure barely moves with machine noise.\n\n"
            + table(["workload", "Firn instr/req", "Redis instr/req", "Firn/Redis",
                     "requests"], t) + "\n")


def section_memory(results):
    rows = rows_of(results, "memory")
    if not rows:
        return ""
    t = []
    for row in rows:
        fu, ru = (get(results, "memory", row, k, "used_per_key") for k in TARGETS)
        fr, rr = (get(results, "memory", row, k, "rss_per_key") for k in TARGETS)
        keys = get(results, "memory", row, "redis", "keys")
        if keys.median is None:
            keys = get(results, "memory", row, "firn", "keys")
        payload = get(results, "memory", row, "redis", "payload_per_key")
        t.append([row, fmt_num(keys.median, "int"), cell(fu, "bytes"), cell(ru, "bytes"),
                  ratio(fu, ru), cell(fr, "bytes"), cell(rr, "bytes"), ratio(fr, rr),
                  fmt_num(payload.median, "bytes") if payload.median else "–"])
    return ("## Memory: bytes per key\n\n"
            "Delta of INFO `used_memory` and of the process's VmRSS, from the empty server "
            "to after loading, divided by the keys loaded; a fresh server per family. "
            "Strings: `key:N` and 32-byte values; hashes: 10 fields of 32 bytes each. "
            "Lower is better.\n\n"
            + table(["keys", "count", "Firn used_memory/key", "Redis used_memory/key",
                     "Firn/Redis", "Firn RSS/key", "Redis RSS/key", "Firn/Redis",
                     "payload/key"], t) + "\n")


def section_expiry(results):
    rows = rows_of(results, "expiry")
    if not rows:
        return ""
    t = []
    for row in rows:
        for metric, label in (("keys_reclaimed_s", "s until DBSIZE is back to 0"),
                              ("memory_reclaimed_s", "s until used_memory is back")):
            f, r = (get(results, "expiry", row, k, metric) for k in TARGETS)
            t.append(["%s: %s" % (row, label), cell(f, "s"), cell(r, "s"), ratio(f, r)])
    return ("## Expiry\n\n"
            "200,000 keys set with a 1-second TTL (pipelined); seconds after the last "
            "deadline until the server has reclaimed them, polled every 50 ms with DBSIZE "
            "and INFO memory (never touching the keys). Lower is better.\n\n"
            + table(["figure", "Firn", "Redis", "Firn/Redis"], t) + "\n")


def section_loadshapes(results):
    rows = rows_of(results, "loadshapes")
    if not rows:
        return ""
    t = []
    for row in rows:
        f, r = (get(results, "loadshapes", row, k, "rps") for k in TARGETS)
        lat = []
        for k in TARGETS:
            p50, p99 = (get(results, "loadshapes", row, k, m) for m in ("p50_ms", "p99_ms"))
            worst = get(results, "loadshapes", row, k, "worst_slice_p99_ms")
            lat.append("%s / %s / %s" % (fmt_num(p50.median, "ms"), fmt_num(p99.median, "ms"),
                                         fmt_num(worst.median, "ms"))
                       if p50.median is not None else "n/a")
        fe, re_ = (get(results, "loadshapes", row, k, "errors") for k in TARGETS)
        t.append([row, cell(f, "rps"), cell(r, "rps"), ratio(f, r), lat[0], lat[1],
                  "%s / %s" % (fmt_num(fe.median, "int"), fmt_num(re_.median, "int"))])
    return ("## Load shapes\n\n"
            "Closed-loop connections (one request in flight each, 50% GET / 50% SET) whose "
            "number follows a shape over time; driven by `bench/loadgen.cc`. Latency in ms: "
            "p50 / p99 over the whole shape / the worst time slice's p99.\n\n"
            + table(["shape", "Firn req/s", "Redis req/s", "Firn/Redis",
                     "Firn p50 / p99 / worst p99", "Redis p50 / p99 / worst p99",
                     "errors Firn / Redis"], t) + "\n")


def section_ratelimit(results):
    rows = rows_of(results, "ratelimit")
    if not rows:
        return ""
    import ratelimit

    t = []
    for row in rows:
        f, r = (get(results, "ratelimit", row, k, "rps") for k in TARGETS)
        fp, rp = (get(results, "ratelimit", row, k, "p99_ms") for k in TARGETS)
        fb, rb = (get(results, "ratelimit", row, k, "bytes_per_key") for k in TARGETS)
        pair = ratelimit.ROWS.get(row.rsplit(" P", 1)[0], ("?", "?"))
        names = [ratelimit.LABELS.get(w, w) for w in pair]
        t.append([row, names[0], cell(f, "rps"), names[1], cell(r, "rps"), ratio(f, r),
                  "%s / %s" % (fmt_num(fp.median, "ms"), fmt_num(rp.median, "ms")),
                  "%s / %s" % (fmt_num(fb.median, "bytes"), fmt_num(rb.median, "bytes"))
                  if row.endswith("P1") else "–"])
    return ("## Rate limiters\n\n"
            "1,000 limiter keys, limit 100 per 10 s, 50 connections; Firn's native command "
            "against the usual Redis implementation (a token-bucket Lua script via EVALSHA; "
            "the MULTI of ZREMRANGEBYSCORE, ZADD, ZCARD, PEXPIRE). Bytes per limiter key: "
            "used_memory delta per key once every key is full (100 requests each, inside "
            "the window). Where two rows have the same Redis equivalent, it is measured once "
            "per repetition and shown in both.\n\n"
            + table(["row", "Firn command", "Firn req/s", "Redis equivalent", "Redis req/s",
                     "Firn/Redis", "p99 ms Firn / Redis", "bytes/key Firn / Redis"], t) + "\n")


def section_eviction(results):
    rows = rows_of(results, "eviction")
    if not rows:
        return ""
    import eviction

    budget = eviction.budget(results.get("meta", {}).get("quick", False))
    t = []
    for row in rows:
        f, r = (get(results, "eviction", row, k, "hit_ratio") for k in TARGETS)
        fp, rp = (get(results, "eviction", row, k, "p99_ms") for k in TARGETS)
        fr, rr = (get(results, "eviction", row, k, "rss_growth_over_maxmemory")
                  for k in TARGETS)
        fk, rk = (get(results, "eviction", row, k, "dbsize") for k in TARGETS)
        fe, re_ = (get(results, "eviction", row, k, "evicted_keys") for k in TARGETS)
        t.append([row, cell(f, "ratio"), cell(r, "ratio"), ratio(f, r),
                  "%s / %s" % (fmt_num(fp.median, "ms"), fmt_num(rp.median, "ms")),
                  "%s / %s" % (fmt_num(fr.median, "x"), fmt_num(rr.median, "x")),
                  "%s / %s" % (fmt_num(fk.median, "int"), fmt_num(rk.median, "int")),
                  "%s / %s" % (fmt_num(fe.median, "int"), fmt_num(re_.median, "int"))])
    return ("## Eviction\n\n"
            "`maxmemory %s`, `allkeys-lru` on both (Firn's own algorithm behind that name); "
            "GET then SET on a miss, keys drawn Zipfian (0.99) from %s (64-byte "
            "values, about 10x what fits), same seed; `zipf+scan` mixes in one-off sweeps "
            "over cold keys. Hit ratio of the Zipfian GETs after warm-up (higher is better); "
            "p99 of the GET/SET batches while evicting; peak RSS minus the empty server's "
            "RSS, over maxmemory; keys held at the end; keys evicted.\n\n" % (budget[0], "{:,}".format(budget[2]))
            + table(["workload", "Firn hit ratio", "Redis hit ratio", "Firn/Redis",
                     "p99 ms Firn / Redis", "RSS growth/maxmemory Firn / Redis",
                     "keys held Firn / Redis", "evicted keys Firn / Redis"], t) + "\n")


# Families rendered by a section of their own (above, or in their workload module).
OWN_SECTIONS = {"throughput", "cpu", "memory", "expiry", "loadshapes", "ratelimit", "eviction",
                "scripting", "persistence"}


def section_other(results):
    """Every other family as one table: each row's numeric figures, Firn beside Redis."""
    out = []
    for fam_name, fam in results.get("families", {}).items():
        if fam_name in OWN_SECTIONS or not fam.get("rows"):
            continue
        t = []
        for row, per_target in fam["rows"].items():
            metrics = []
            for k in TARGETS:
                for r in per_target.get(k) or []:
                    if not isinstance(r, dict):
                        continue
                    for m, v in r.items():
                        if isinstance(v, (int, float)) and not isinstance(v, bool) \
                                and m not in metrics:
                            metrics.append(m)
            for m in metrics:
                f, r = (get(results, fam_name, row, k, m) for k in TARGETS)
                t.append([row, m, cell(f, "g"), cell(r, "g"), ratio(f, r)])
        if t:
            out.append("## %s\n\n" % fam_name
                       + table(["row", "figure", "Firn", "Redis", "Firn/Redis"], t) + "\n")
    return "\n".join(out)


def section_errors(results):
    """Every n/a with its error, grouped: one line per family, server and error text."""
    groups = {}  # (family, target, error) -> rows, in order
    lines = []
    for fam_name, fam in results.get("families", {}).items():
        if fam.get("failure"):
            lines.append("- %s: the family failed: %s" % (fam_name, fam["failure"]))
        for row, per_target in fam.get("rows", {}).items():
            for k, reps in per_target.items():
                for r in reps:
                    if isinstance(r, dict) and "error" in r:
                        rows = groups.setdefault((fam_name, k, r["error"].strip()[:300]), [])
                        if row not in rows:
                            rows.append(row)
    for (fam_name, k, err), rows in groups.items():
        lines.append("- %s, %s (%s): %s" % (fam_name, k, ", ".join(rows), err))
    for n in results.get("meta", {}).get("notes") or []:
        lines.append("- note: %s" % n[:400])
    if not lines:
        return ""
    return "## n/a and errors\n\n" + "\n".join(lines) + "\n"


def render(results, prefix, plots):
    m = results.get("meta", {})
    reps = m.get("reps", {})
    rep_text = ", ".join("%s %d" % (k, v) for k, v in reps.items())
    head = [
        "# Firn vs Redis benchmark, %s" % m.get("date", "?"),
        "",
        "%s run, %s s in all. Generated by `bench/run.py`%s." % (
            "Quick (`--quick`)" if m.get("quick") else "Full", m.get("seconds", "?"),
            " at commit %s" % m["git"] if m.get("git") else ""),
        "",
        "| | |",
        "|---|---|",
        "| machine | %s, %s cores, %s memory, Linux %s |" % (
            m.get("cpu_model"), m.get("cores"),
            "%.0f GiB" % (m["memory"] / 2**30) if m.get("memory") else "?", m.get("kernel")),
        "| Firn | %s (`%s`) |" % (m.get("firn_version"), m.get("firn_binary")),
        "| Redis | %s (`%s`) |" % (m.get("redis_version"), m.get("redis_binary")),
        "| client | %s |" % m.get("redis_benchmark"),
        "| CPU pinning | %s |" % m.get("pinning"),
        "| repetitions | %s (alternating which server goes first) |" % rep_text,
        "| load average | %s at start, %s at end |" % (
            " ".join("%.2f" % x for x in m.get("loadavg_start", [])),
            " ".join("%.2f" % x for x in m.get("loadavg_end", []))),
        "",
        "Each figure is the median over the repetitions, with the spread (min–max) in "
        "brackets where it differs. The ratio is Firn/Redis: above 1 is better for "
        "requests per second and hit ratio, below 1 for latency, instructions, bytes and "
        "seconds. The machine is shared and noisy: compare the ratios and the callgrind "
        "counts more than the absolute rates.",
    ]
    if m.get("firn_label", "Firn") != "Firn":
        head += ["", "**The Firn column is not Firn**: %s ran in its place." % m["firn_label"]]
    parts = ["\n".join(head) + "\n", headline(results), section_throughput(results),
             section_cpu(results), section_memory(results), section_expiry(results),
             section_loadshapes(results), section_ratelimit(results),
             section_eviction(results), scripting.section(results), persistence.section(results),
             section_other(results), section_errors(results)]
    if plots:
        parts.append("## Plots\n\n" + "\n\n".join(
            "![%s](%s)" % (name, os.path.basename(path)) for name, path in plots) + "\n")
    return "\n".join(p for p in parts if p)


def write(results, out_dir, plots=True, latest=True):
    """Writes <date>.md/.json (<date>-quick.* for a quick run) and its plots, and copies
    them to latest.*; returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    meta = results.get("meta", {})
    # A quick run keeps its own name, so it does not overwrite the day's full report.
    date = meta.get("date", "undated") + ("-quick" if meta.get("quick") else "")
    written = []
    json_path = os.path.join(out_dir, "%s.json" % date)
    with open(json_path, "w") as f:
        json.dump(results, f, indent=1, default=str)  # key order is report order
    written.append(json_path)
    plot_files = []
    if plots:
        try:
            import plots as plotting
            plot_files = plotting.draw_all(results, os.path.join(out_dir, date))
        except Exception as e:  # noqa: BLE001 - a report without plots beats no report
            sys.stderr.write("plots failed: %s\n" % e)
    md_path = os.path.join(out_dir, "%s.md" % date)
    with open(md_path, "w") as f:
        f.write(render(results, date, plot_files))
    written.append(md_path)
    written += [p for _, p in plot_files]
    if latest:
        latest_plots = []
        for name, path in plot_files:
            dst = os.path.join(out_dir, "latest-%s.png" % name)
            shutil.copyfile(path, dst)
            latest_plots.append((name, dst))
        with open(os.path.join(out_dir, "latest.md"), "w") as f:
            f.write(render(results, "latest", latest_plots))
        shutil.copyfile(json_path, os.path.join(out_dir, "latest.json"))
        written += [os.path.join(out_dir, "latest.md"), os.path.join(out_dir, "latest.json")]
    return written


def main():
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("json")
    p.add_argument("--out", default=None)
    p.add_argument("--no-latest", action="store_true")
    a = p.parse_args()
    with open(a.json) as f:
        results = json.load(f)
    out = a.out or os.path.dirname(os.path.abspath(a.json))
    for path in write(results, out, latest=not a.no_latest):
        print(path)


if __name__ == "__main__":
    main()
