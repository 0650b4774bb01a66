#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw the latency histograms of an irqfwd_bench JSON file as one SVG.

    scripts/bench-plot.py bench.json latency.svg

One panel per latency group (the groups the benchmark marks "plot"), one
outline per path: the share of samples per bin, bins spaced evenly on a
logarithmic time axis (the paths of a group differ by up to 10x), a
dashed line at each median, the median and its ratio in the legend.
Python's standard library only.
"""

import json
import math
import sys
from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
          "#8c564b", "#17becf"]
WIDTH = 900
PANEL_H = 230
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 70, 250, 34, 44
BINS = 60


def fmt_us(v):
    return ("%.0f" if v >= 100 else "%.1f" if v >= 1 else "%.2f") % v


def nice_ticks(lo, hi):
    """Ticks at 1, 2, 5 x 10^k between lo and hi (microseconds)."""
    ticks = []
    k = math.floor(math.log10(lo))
    while 10 ** k <= hi * 10:
        for m in (1, 2, 5):
            t = m * 10 ** k
            if lo <= t <= hi:
                ticks.append(t)
        k += 1
    return ticks


def percentile(sorted_vals, pct):
    i = int(len(sorted_vals) * pct / 100)
    return sorted_vals[min(i, len(sorted_vals) - 1)]


def panel(out, group, y0):
    series = [s for s in group["series"] if s["samples"]]
    if not series:
        return
    # The range: what most samples of every path cover.
    lo = min(percentile(sorted(s["samples"]), 0.5) for s in series)
    hi = max(percentile(sorted(s["samples"]), 99.5) for s in series)
    lo = max(lo / 1000.0 * 0.9, 0.01)
    hi = max(hi / 1000.0 * 1.1, lo * 2)
    llo, lhi = math.log10(lo), math.log10(hi)
    plot_w = WIDTH - MARGIN_L - MARGIN_R
    plot_h = PANEL_H - MARGIN_T - MARGIN_B
    x0 = MARGIN_L
    top = y0 + MARGIN_T

    def xpos(us):
        us = min(max(us, lo), hi)
        return x0 + (math.log10(us) - llo) / (lhi - llo) * plot_w

    hists = []
    for s in series:
        counts = [0] * BINS
        for v in s["samples"]:
            us = v / 1000.0
            if us < lo or us > hi:
                continue
            b = int((math.log10(us) - llo) / (lhi - llo) * BINS)
            counts[min(max(b, 0), BINS - 1)] += 1
        n = len(s["samples"])
        hists.append([c / n for c in counts])
    ymax = max(max(h) for h in hists) or 1.0

    out.append('<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>'
               % (x0, y0 + 20, escape(group["title"])))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>'
               % (x0, top, plot_w, plot_h))
    for t in nice_ticks(lo, hi):
        x = xpos(t)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>'
                   % (x, top, x, top + plot_h))
        out.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>'
                   % (x, top + plot_h + 15, "%g" % t))
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">microseconds (log scale)</text>'
               % (x0 + plot_w // 2, top + plot_h + 32))
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h - frac * plot_h
        out.append('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%.0f%%</text>'
                   % (x0 - 6, y + 4, frac * ymax * 100))
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle" transform="rotate(-90 %d %d)">share of samples</text>'
               % (x0 - 48, top + plot_h // 2, x0 - 48, top + plot_h // 2))

    for i, (s, h) in enumerate(zip(series, hists)):
        color = COLORS[i % len(COLORS)]
        pts = []
        for b, share in enumerate(h):
            xa = x0 + b * plot_w / BINS
            xb = x0 + (b + 1) * plot_w / BINS
            y = top + plot_h - share / ymax * plot_h
            pts.append("%.1f,%.1f %.1f,%.1f" % (xa, y, xb, y))
        out.append('<polyline points="%.1f,%d %s %.1f,%d" fill="%s" fill-opacity="0.12" stroke="%s" stroke-width="1.5"/>'
                   % (x0, top + plot_h, " ".join(pts), x0 + plot_w,
                      top + plot_h, color, color))
        xm = xpos(s["median"] / 1000.0)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="4,3"/>'
                   % (xm, top, xm, top + plot_h, color))
        ly = top + 12 + i * 32
        lx = x0 + plot_w + 14
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>'
                   % (lx, ly - 10, color))
        out.append('<text x="%d" y="%d" font-size="12">%s</text>'
                   % (lx + 18, ly, escape(s["name"])))
        out.append('<text x="%d" y="%d" font-size="11" fill="#444">median %s us, %.2fx</text>'
                   % (lx + 18, ly + 14, fmt_us(s["median"] / 1000.0),
                      s["ratio"]))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench-plot.py bench.json out.svg")
    with open(sys.argv[1]) as f:
        data = json.load(f)
    groups = [g for g in data.get("groups", []) if g.get("plot")]
    if not groups:
        sys.exit("bench-plot.py: no latency group in " + sys.argv[1])
    meta = data.get("meta", {})
    height = 40 + PANEL_H * len(groups)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="sans-serif">'
           % (WIDTH, height, WIDTH, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="16" font-weight="bold">irqfwd latency '
           'distributions (Linux %s, %s vCPU)</text>'
           % (MARGIN_L, escape(str(meta.get("kernel", "?"))),
              meta.get("cpus", "?"))]
    for i, g in enumerate(groups):
        panel(out, g, 36 + i * PANEL_H)
    out.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
