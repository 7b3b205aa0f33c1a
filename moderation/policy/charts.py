"""The policy preview's score histograms as inline-SVG geometry (no JavaScript, no chart library):
templates/moderation/_score_chart.html draws what ``score_chart`` returns."""
from __future__ import annotations

import math

from moderation.policy.selectors import Histogram

CHART_W, CHART_H, CHART_PAD = 320, 110, 18


def score_chart(histogram: Histogram) -> dict:
    """Geometry for one label's inline-SVG histogram (templates/moderation/_score_chart.html).

    Bar heights are log-scaled (log(1 + count)): scores pile up near 0, and a linear scale
    would hide the few comments near the cut-offs, which are the ones that matter.
    """
    top = max(histogram.counts) or 1
    inner_h = CHART_H - CHART_PAD
    bar_w = CHART_W / len(histogram.counts)
    bars = []
    for i, count in enumerate(histogram.counts):
        h = inner_h * math.log1p(count) / math.log1p(top) if count else 0
        bars.append(
            {
                "x": round(i * bar_w, 2),
                "y": round(inner_h - h, 2),
                "w": round(bar_w - 1, 2),
                "h": round(h, 2),
                "count": count,
                "low": i / len(histogram.counts),
                "high": (i + 1) / len(histogram.counts),
            }
        )

    def marker(value: float, kind: str, which: str) -> dict:
        return {"x": round(value * CHART_W, 2), "kind": kind, "which": which, "value": value}

    return {
        "label": histogram.label,
        "width": CHART_W,
        "height": CHART_H,
        "axis_y": inner_h,
        "bars": bars,
        "total": sum(histogram.counts),
        "markers": [
            marker(histogram.active_hold, "hold", "active"),
            marker(histogram.active_reject, "reject", "active"),
            marker(histogram.draft_hold, "hold", "draft"),
            marker(histogram.draft_reject, "reject", "draft"),
        ],
    }
