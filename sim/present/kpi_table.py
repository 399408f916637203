"""KPIs in words and numbers: the table of one run's headline KPIs that ``python -m sim`` prints,
and the labels and rounding of KPIs and staff-time quantities that every report shares.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

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
    ("on_time_share", "closed within a week of report (of closed)", "{:.1%}"),
    ("resolved_within_1d", "resolved within 1 day (all needs)", "{:.1%}"),
    ("resolved_within_7d", "resolved within 7 days (all needs)", "{:.1%}"),
    ("resolved_within_30d", "resolved within 30 days (all needs)", "{:.1%}"),
    ("resolution_time_restricted_30d_h", "time to resolution, capped at 30 d (h)", "{:.1f}"),
    ("fit_mean", "remedy fit, mean", "{:.3f}"),
    ("needs_met_share", "needs actually met", "{:.1%}"),
    ("callback_response_rate", "callback: taken up within a day (响应率)", "{:.1%}"),
    ("callback_resolution_rate", "callback: solved, as residents say (解决率)", "{:.1%}"),
    ("callback_satisfaction_rate", "callback: satisfied or basically (满意率)", "{:.1%}"),
    ("satisfaction_window_mean", "attitude of all residents, mean over the window", "{:.3f}"),
    ("satisfaction_mean", "attitude of all residents, mean at the end", "{:.3f}"),
    ("trust_mean", "trust, mean", "{:.3f}"),
    ("capacity_total_h", "handling capacity, paid + volunteer (h)", "{:,.0f}"),
    ("volunteer_h", "volunteer hours given", "{:,.0f}"),
    ("utilisation_front_line", "utilisation, front line (hours not idle)", "{:.1%}"),
    ("case_share_front_line", "share of front-line hours on cases", "{:.1%}"),
    ("cases_per_front_post_month", "known cases per front-line post and month", "{:.1f}"),
)


def kpi_rows(kpis: dict) -> list[tuple[str, str, str]]:
    """The headline rows, then the utilisation of each department the run had."""
    departments = sorted(k for k in kpis if k.startswith("utilisation_dept_"))
    return [*HEADLINE, *((k, accounting_label(k), "{:.1%}") for k in departments)]


def shown_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def kpi_table(kpis: dict, title: str = "") -> str:
    """A two-column table of the headline KPIs."""
    rows = kpi_rows(kpis)
    width = max(shown_width(label) for _, label, _ in rows)
    lines = [title, "-" * (width + 14)] if title else []
    for key, label, fmt in rows:
        value = kpis.get(key)
        text = "n/a" if value is None or value != value else fmt.format(value)
        lines.append(f"{label}{' ' * (width - shown_width(label))}  {text:>12}")
    return "\n".join(lines)


_LABELS = {key: label for key, label, _ in HEADLINE}


def split_group(kpi: str) -> tuple[str, str]:
    """``needs_met_share_registered_here`` -> (``needs_met_share``, ``registered here``)."""
    from sim.measure.analysis import KPIS  # scipy: loaded only when reporting

    for base in sorted({*KPIS, *_LABELS}, key=len, reverse=True):  # response_time_mean_h before response_time
        if kpi.startswith(base + "_"):
            return base, kpi[len(base) + 1 :].replace("_", " ")
    return kpi, ""


def kpi_label(kpi: str) -> str:
    """A KPI in words with its unit, as the analysis declares it, else as the headline table names it."""
    from sim.measure.analysis import CITY_KPIS, KPIS, MATCHED

    declared = KPIS.get(kpi) or MATCHED.get(kpi) or CITY_KPIS.get(kpi)
    label, unit = declared or (_LABELS.get(kpi, kpi.replace("_", " ")), "")
    return f"{label} ({unit})" if unit else label


def decimals(kpi: str) -> int:
    """Counts as integers, hours to 0.1 h, shares and 0-1 scores to 0.001."""
    if kpi.startswith(("issues_", "city_cases_")) or kpi == "matched_needs":
        return 0
    return 1 if kpi.endswith("_h") else 3


def number(value, digits: int, signed: bool = False) -> str:
    """``value`` to ``digits`` decimals, with its sign where ``signed``, a true minus sign, and
    "n/a" where missing."""
    if pd.isna(value):
        return "n/a"
    value = round(float(value), digits) + 0.0  # no "-0.000"
    text = format(value, f"{'+' if signed and value else ''}.{digits}f")
    return text.replace("-", "−")


# ---------------------------------------------------------------------------- staff-time accounting

_ACCOUNTING = (
    # key prefix, words
    ("staff_", "staff"),
    ("paid_h_", "paid hours"),
    ("volunteer_h", "volunteer hours"),
    ("capacity_", "handling capacity"),
    ("utilisation", "utilisation"),
    ("case_share_", "share of hours on cases"),
    ("case_load_", "load of the hours left for cases"),
    ("time_", "time on"),
)
_ACCOUNTING_LABELS = {
    # keys whose words do not follow from their names (runs made before the accounting per line)
    "time_workers": "front-line workers",
    "time_worker_hours": "front-line worker hours (h)",
    "time_department_staff": "department staff",
    "time_handling_capacity_h": "handling capacity, front line (h)",
    "utilisation": "utilisation, front line",
    "cases_per_front_post_month": "known cases per front-line post and month",
    "known_per_post_month": "known cases per paid post and month (front line and departments)",
    "visits": "household visits",
    "visits_home": "household visits that found someone at home",
    "visits_intrusive": "household visits that intruded (too soon after the last)",
    "volunteer_h_allotted": "volunteer hours allotted (weeks begun)",
    "time_volunteers_idle_h": "volunteer hours not booked (h)",
}


def _pool_use(key: str) -> tuple[str, str] | None:
    """(pool in words, use) of a time-use key: ``time_dept_housing_cases_h`` -> ("housing
    department", "cases"), ``time_front_line_idle_h`` -> ("front line", "idle"); else None."""
    rest = key.removeprefix("time_").removesuffix("_h")
    if not key.startswith("time_") or not key.endswith("_h"):
        return None
    if rest.startswith("front_line_"):
        return "front line", rest.removeprefix("front_line_").replace("_", " ")
    if rest.startswith("dept_") and rest.count("_") >= 2:
        _, line, use = rest.split("_", 2)
        return f"{line} department", use.replace("_", " ")
    return None


def accounting_label(key: str) -> str:
    """A staff-time accounting key in words: ``utilisation_dept_housing`` -> "utilisation,
    housing department", ``paid_h_front_line`` -> "paid hours, front line",
    ``time_travel_h`` -> "time on travel (h)"."""
    if key in _ACCOUNTING_LABELS:
        return _ACCOUNTING_LABELS[key]
    pool_use = _pool_use(key)
    if pool_use:
        pool, use = pool_use
        return f"{use}, {pool} (h)"
    found = next(((prefix, words) for prefix, words in _ACCOUNTING if key.startswith(prefix)), None)
    if found is None:
        return key.replace("_", " ")
    prefix, words = found
    rest = key[len(prefix) :].strip("_")
    hours = rest == "h" or rest.endswith("_h")
    rest = rest.removesuffix("h").strip("_")
    if rest.startswith("dept_"):
        rest = f"{rest[5:]} department"
    elif rest in ("dept", "depts"):
        rest = "departments"
    rest = rest.replace("_", " ")
    unit = " (h)" if hours and "hours" not in words else ""
    if words.endswith(" on"):
        return f"{words} {rest}{unit}" if rest else f"time{unit}"
    return f"{words}, {rest}{unit}" if rest else f"{words}{unit}"


def accounting_number(key: str, value) -> str:
    """Utilisation as a percentage, hours to the hour, head counts to 0.1 where not whole."""
    if pd.isna(value):
        return ""
    if key.startswith(("utilisation", "case_share_", "case_load_")):
        return f"{value:.1%}"
    if key.endswith("_month"):
        return f"{value:.1f}"
    if "_h" in key or key.endswith("hours"):
        return f"{value:,.0f}"
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"
