"""Text tables of KPIs for the terminal."""

from __future__ import annotations

HEADLINE = (
    ("issues_created", "issues created", "{:.0f}"),
    ("issues_resolved", "resolved", "{:.0f}"),
    ("issues_abandoned", "abandoned", "{:.0f}"),
    ("issues_open", "still open", "{:.0f}"),
    ("unreported_share", "never known to the state", "{:.1%}"),
    ("detection_latency_mean_h", "detection latency, mean (h)", "{:.1f}"),
    ("unknown_time_mean_h", "time unknown, all needs, mean (h)", "{:.1f}"),
    ("response_time_mean_h", "response time, mean (h)", "{:.1f}"),
    ("response_time_median_h", "response time, median (h)", "{:.1f}"),
    ("response_time_p90_h", "response time, p90 (h)", "{:.1f}"),
    ("report_to_resolution_mean_h", "report to resolution, mean (h)", "{:.1f}"),
    ("on_time_share", "closed within a week of report", "{:.1%}"),
    ("served_within_week_share", "needs served within a week", "{:.1%}"),
    ("fit_mean", "remedy fit, mean", "{:.3f}"),
    ("needs_met_share", "needs actually met", "{:.1%}"),
    ("satisfaction_mean", "satisfaction, mean", "{:.3f}"),
    ("trust_mean", "trust, mean", "{:.3f}"),
    ("utilisation", "front-line utilisation", "{:.1%}"),
    ("volunteer_h", "volunteer hours", "{:.0f}"),
)


def kpi_table(kpis: dict, title: str = "") -> str:
    """A two-column table of the headline KPIs."""
    width = max(len(label) for _, label, _ in HEADLINE)
    lines = [title, "-" * (width + 14)] if title else []
    for key, label, fmt in HEADLINE:
        value = kpis.get(key)
        text = "n/a" if value is None or value != value else fmt.format(value)
        lines.append(f"{label:<{width}}  {text:>12}")
    return "\n".join(lines)
