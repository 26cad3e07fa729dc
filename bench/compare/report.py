#!/usr/bin/env python3
"""The table and ratios of bench/compare.sh, from its points file and `alertgate bench --json`.

points.tsv: one line per point, tab-separated: target, batch, rate, kind (point | ramp),
json path ("" when the point did not run), note ("" or why: skipped, killed, unavailable).
Prints markdown on stdout. Standard library only; tolerant of keys a JSON lacks (prints "?").
"""
import argparse
import json
import re
import sys

LABELS = {
    "nginx": "nginx (return 202)",
    "alertgate-memory": "alertgate (memory)",
    "alertgate-wal": "alertgate (wal)",
    "alertmanager": "alertmanager",
}
COLUMNS = [("target", 19), ("batch", 5), ("offered/s", 9), ("acked/s", 9),
           ("ack p50 ms", 10), ("ack p99 ms", 10), ("e2e p99 ms", 10), ("delivered", 9), ("RSS MB", 6),
           ("errors", 6), ("late", 6), ("in SLO", 6)]


def parse_ms(text):
    m = re.fullmatch(r"\s*([0-9.]+)\s*(ns|us|ms|s|m)?\s*", text)
    if not m:
        raise SystemExit(f"report.py: cannot read duration {text!r} (e.g. 200ms, 1s)")
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[m.group(2) or "ms"]
    return float(m.group(1)) * scale


def fmt(v, decimals=0):
    if v is None:
        return "?"
    if isinstance(v, str):
        return v
    return f"{v:,.{decimals}f}"


def row(cells):
    return "| " + " | ".join(str(c).rjust(w) if i else str(c).ljust(w)
                             for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS))) + " |"


def header():
    names = row([n for n, _ in COLUMNS])
    rule = "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":"
                          for i, (_, w) in enumerate(COLUMNS)) + "|"
    return [names, rule]


def p99(summary):
    return summary.get("p99") if isinstance(summary, dict) else None


def p50(summary):
    return summary.get("p50") if isinstance(summary, dict) else None


def errors_of(rep):
    """Requests answered non-2xx or not at all, and the share of requests sent."""
    counts = rep.get("status_counts") or {}
    bad = sum(n for code, n in counts.items() if not (code.isdigit() and 200 <= int(code) < 300))
    sent = rep.get("requests_sent") or sum(counts.values())
    return bad, (bad / sent if sent else None)


def acked_rate(rep):
    """Acknowledged alerts per second from the first intended send to the last answer.

    The report's achieved_rate divides by the scheduled duration, so a target that falls
    behind and answers seconds after the schedule ended still reads as keeping up; the
    timeline (one sample per second, kept until the last answer) gives the real span."""
    acked = rep.get("alerts_acked")
    span = rep.get("duration_s") or 0
    for t in rep.get("timeline") or []:
        if (t.get("acked_rate") or 0) > 0:
            span = max(span, t.get("t_s") or 0)
    if acked is None or span <= 0:
        return rep.get("achieved_rate")
    return acked / span


def within_slo(offered, achieved, err_share, latency_ms, slo_ms, max_err):
    """The rule of `alertgate bench --slo-p99` (bench_report.hpp): achieved >= 99 % of
    offered, error share <= max, p99 (end-to-end if measured, else ack) <= SLO."""
    if None in (offered, achieved, err_share, latency_ms):
        return None
    return achieved >= 0.99 * offered and err_share <= max_err and latency_ms <= slo_ms


class Point:
    def __init__(self, line):
        f = line.rstrip("\n").split("\t")
        f += [""] * (6 - len(f))
        self.target, self.kind, self.note = f[0], f[3], f[5]
        self.batch, self.rate = f[1], float(f[2] or 0)
        self.rep = None
        if f[4]:
            try:
                with open(f[4]) as fh:
                    self.rep = json.load(fh)
            except (OSError, ValueError) as e:
                self.note = (self.note + "; " if self.note else "") + f"bad JSON: {e}"

    @property
    def label(self):
        return LABELS.get(self.target, self.target)

    def sink(self):
        return self.target != "nginx"


def point_cells(p, slo_ms, max_err):
    """Cells of a table row, and whether the point met the SLO (None: unknown)."""
    r = p.rep
    if r is None:
        return [p.label, p.batch, fmt(p.rate) if p.rate else "-"] + ["-"] * 9, None
    offered = r.get("offered_rate", p.rate)
    achieved = acked_rate(r)
    ack = p99(r.get("ack_latency_ms"))
    e2e = p99(r.get("end_to_end_latency_ms"))
    bad, share = errors_of(r)
    latency = e2e if p.sink() else ack
    ok = within_slo(offered, achieved, share, latency, slo_ms, max_err)
    tp = r.get("target_process")
    rss = None
    if isinstance(tp, dict) and tp.get("rss_max_bytes"):
        rss = tp["rss_max_bytes"] / 1048576
    cells = [p.label, p.batch, fmt(offered), fmt(achieved),
             fmt(p50(r.get("ack_latency_ms")), 2), fmt(ack, 2),
             fmt(e2e, 2) if p.sink() else "n/a",
             fmt(r.get("alerts_delivered")) if p.sink() else "n/a",
             fmt(rss) if p.target != "nginx" else "n/a",
             f"{share * 100:.1f}%" if share is not None else "?",
             late_share(r),
             {True: "yes", False: "no", None: "?"}[ok]]
    return cells, ok


def late_share(rep):
    sent, late = rep.get("requests_sent"), rep.get("late_sends")
    return f"{late / sent * 100:.1f}%" if sent and late is not None else "?"


def warnings_of(p):
    r, out = p.rep, []
    if r is None:
        return out
    acked, delivered = r.get("alerts_acked"), r.get("alerts_delivered")
    if p.sink() and acked is not None and delivered is not None and delivered < acked:
        out.append(f"{acked - delivered:,} acknowledged alerts not delivered to the sink "
                   "within the drain time")
    if r.get("delivered_duplicates"):
        out.append(f"{r['delivered_duplicates']:,} alerts delivered more than once")
    return out


def ramp_result(p, slo_ms, max_err):
    """(rate, qualifier, steps): qualifier '' exact, '>=' never broke the SLO, '<' broke it
    at the first step (rate = first step's rate), None: no ramp data."""
    r = p.rep
    if r is None or ("ramp" not in r and "sustainable_rate" not in r):
        return None, None, []
    steps = r.get("ramp") or []
    sust = r.get("sustainable_rate")
    oks = []
    for s in steps:
        ok = s.get("within_slo")
        if ok is None:
            errs, reqs = s.get("errors"), s.get("requests")
            share = errs / reqs if errs is not None and reqs else None
            lat = p99(s.get("end_to_end_latency_ms")) or p99(s.get("ack_latency_ms"))
            ok = within_slo(s.get("offered_rate"), s.get("achieved_rate"), share, lat, slo_ms,
                            max_err)
        oks.append(ok)
    if sust is None:
        first = steps[0].get("offered_rate") if steps else p.rate
        return first, "<", steps
    qual = ">=" if steps and all(oks) else ""
    return sust, qual, steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", required=True)
    ap.add_argument("--slo-p99", default="200ms")
    ap.add_argument("--slo-errors", type=float, default=0.001)
    ap.add_argument("--environment")
    a = ap.parse_args()
    slo_ms = parse_ms(a.slo_p99)
    with open(a.points) as fh:
        pts = [Point(line) for line in fh if line.strip()]
    fixed = [p for p in pts if p.kind == "point"]
    ramps = [p for p in pts if p.kind == "ramp"]
    out = ["# alertgate vs nginx vs Alertmanager (bench/compare.sh)", ""]
    if a.environment:
        with open(a.environment) as fh:
            out += ["```", fh.read().rstrip(), "```", ""]
    out += [f"SLO: p99 <= {slo_ms:g} ms (end-to-end when a sink measures it, else ack), "
            f"errors <= {a.slo_errors * 100:g}%, acked >= 99% of offered. acked/s: alerts "
            "answered 2xx per second from the first intended send to the last answer; late: "
            "requests sent > 1 ms after their intended time (all connections busy, or the "
            "load generator short of CPU); latency always counts from the intended time.", ""]

    out += header()
    notes = []
    ok_rates = {}
    skipped = {}
    for p in fixed:
        if p.rep is None and p.note.startswith("skipped"):
            skipped.setdefault((p.label, p.note), []).append(f"{p.rate:,.0f}/s batch {p.batch}")
            continue
        cells, ok = point_cells(p, slo_ms, a.slo_errors)
        out.append(row(cells))
        where = f", batch {p.batch}, {p.rate:,.0f}/s" if p.rate else ""
        for w in ([p.note] if p.note else []) + warnings_of(p):
            notes.append(f"- {p.label}{where}: {w}")
        if ok:
            key = (p.target, p.batch)
            ok_rates[key] = max(ok_rates.get(key, 0), p.rep.get("offered_rate", p.rate))
    for (label, note), what in skipped.items():
        notes.append(f"- {label}: {note}: {', '.join(what)}")
    if notes:
        out += [""] + notes

    # alertgate / nginx: acked alerts/s at the same offered rate and batch.
    nginx = {(p.batch, p.rate): p.rep for p in fixed if p.target == "nginx" and p.rep}
    lines = []
    for p in fixed:
        if not p.target.startswith("alertgate") or not p.rep:
            continue
        n = nginx.get((p.batch, p.rate))
        ag_rate, n_rate = acked_rate(p.rep), acked_rate(n) if n else None
        if n_rate and ag_rate is not None:
            lines.append(f"- {p.label} / nginx, batch {p.batch} at {p.rate:,.0f}/s: "
                         f"{ag_rate / n_rate:.2f}")
    if lines:
        out += ["", "## alertgate / nginx (acked alerts/s, same offered rate)", ""] + lines

    if ok_rates:
        out += ["", "## Highest fixed offered rate within the SLO", ""]
        for (t, b), r in sorted(ok_rates.items()):
            out.append(f"- {LABELS.get(t, t)}, batch {b}: {r:,.0f} alerts/s")

    # Ramps: sustainable rate at the SLO, and alertgate / Alertmanager.
    sust = {}
    if ramps:
        out += ["", f"## Sustainable alerts/s at p99 <= {slo_ms:g} ms (ramp, batch 1)", ""]
    for p in ramps:
        if p.rep is None:
            out.append(f"- {p.label}: {p.note or 'no result'}")
            continue
        rate, qual, steps = ramp_result(p, slo_ms, a.slo_errors)
        if qual is None:
            out.append(f"- {p.label}: the JSON report has no ramp results")
            continue
        sust[p.target] = (rate, qual)
        text = {"": f"{rate:,.0f}", ">=": f">= {rate:,.0f} (never broke the SLO: raise the ramp)",
                "<": f"< {rate:,.0f} (the first step broke the SLO: lower the ramp)"}[qual]
        out.append(f"- {p.label}: {text}")
        for s in steps:
            e2e = p99(s.get("end_to_end_latency_ms"))
            ok = {True: "yes", False: "no"}.get(s.get("within_slo"), "?")
            out.append(f"  - offered {fmt(s.get('offered_rate'))}/s: achieved "
                       f"{fmt(s.get('achieved_rate'))}/s, ack p99 "
                       f"{fmt(p99(s.get('ack_latency_ms')), 2)} ms, e2e p99 {fmt(e2e, 2)} ms, "
                       f"errors {fmt(s.get('errors'))}, within SLO: {ok}")
        if p.note:
            out.append(f"  - note: {p.note}")
    am = sust.get("alertmanager")
    for t in ("alertgate-memory", "alertgate-wal"):
        ag = sust.get(t)
        if not ag or not am:
            continue
        (ag_rate, ag_q), (am_rate, am_q) = ag, am
        if am_rate <= 0 or ag_q == "<":
            ratio = "unknown (alertgate broke the SLO at its first step)"
        elif ag_q == ">=" and am_q == ">=":
            ratio = "unknown (neither ramp broke the SLO: raise both)"
        else:
            bound = {("", ""): "", (">=", ""): ">= ", ("", "<"): "> ", (">=", "<"): "> ",
                     ("", ">="): "<= "}[(ag_q, am_q)]
            ratio = f"{bound}{ag_rate / am_rate:.1f}x"
            met = ag_rate >= 20 * am_rate
            if bound == "<= " and met:
                verdict = "unknown: Alertmanager never broke the SLO"
            elif bound in (">= ", "> ") and not met:
                verdict = "not shown: a lower bound, raise the ramp"
            else:
                verdict = "met" if met else "not met"
            ratio += f" (issue 5 target >= 20x: {verdict})"
        out.append(f"- {LABELS[t]} / alertmanager, sustainable at the same SLO: {ratio}")
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
