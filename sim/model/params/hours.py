"""How the scenario's paid posts spend their hours, under every regime and on every line:
duties from above, documentation, records, triage, and patrol and inspection."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.declare import _p


@dataclass
class PostHours:
    """Scenario fields: how paid posts spend their hours (every regime, every line)."""

    duty_share: float = _p(
        0.45,
        "fraction of paid hours",
        "time use: county officials' week of about 8.4 h of meetings, 5.3 h of documents and 4.3 h accompanying "
        "superiors, 18 of 40 hours (CASS survey, China Daily 2011: ODD references); no time-use figure of grid or "
        "community workers was found, so it is taken for theirs. The range brackets it from a third less to a third "
        "more (assumption). Surveys that most community workers report a heavy workload (NBS Changzhou 2023) are a "
        "share of people, checked as the pattern 'busy front line', not a share of hours",
        "share of every paid post's hours (front line and departments, under every regime) taken by duties "
        "assigned from above: forms and statistics (填表报数), meetings, inspections, campaigns",
        range=(0, 0.9),
        vary=(0.3, 0.6),
        ledger=(
            "cost",
            "both: every paid post, the same hours under every regime",
            "every pool's time: meetings at set hours (a delay for cases that arise in them), the rest before "
            "the week's end",
            "duties",
        ),
    )
    duty_schedule: str = _p(
        "scheduled",
        "-",
        "meetings and accompanying superiors at set hours, documents put off to the hours cases leave (CASS survey "
        "of county officials, China Daily 2011); grid workers at counters and screens rather than walking the "
        "grid (Wang 2022: ODD references); the weekly deadline is an assumption. even: the earlier model (ODD "
        "7.18), kept for sensitivity",
        "how duties and the other fixed shares of a post's hours are done. scheduled: meetings at set hours of the "
        "week (scenario.duty_fixed_share of the duties), during which no case is handled; the rest of the duties, "
        "the appraisal and person-level records in the hours the day's cases leave, before patrol; what is left "
        "at the end of a week is done first thing the next, before any case; patrol's floor from what cases and "
        "duties leave. even: spread over every open hour, so that a case of d hours takes d / (the share left for "
        "cases)",
        choices=("even", "scheduled"),
    )
    duty_fixed_share: float = _p(
        0.71,
        "fraction of duty hours",
        "CASS survey of county officials (China Daily 2011): 8.4 h of meetings and 4.3 h accompanying superiors, "
        "fixed in time, against 5.3 h of documents, which can be put off: (8.4 + 4.3) / 18 = 0.71. Grid workers' "
        "own split is not known (assumption that theirs is alike)",
        "share of duty hours fixed in time (meetings, accompanying inspections), held as whole hours at the "
        "start of each open day; the rest can be put off to the end of the week. Acts only with "
        "scenario.duty_schedule=scheduled",
        range=(0, 1),
    )
    doc_h_per_case: float = _p(
        0.25,
        "hours per case",
        "assumption: every case is recorded (留痕: a form and photos; ODD references: General Office of the CPC "
        "Central Committee and General Office of the State Council 2024 on 拍照留痕)",
        "documentation time of each case handled by staff (front line or department), besides its handling",
        range=(0, 100),
        vary=(0.05, 0.75),
        ledger=("cost", "both: every case staff handle", "the handler's time", "documentation"),
    )
    doc_h_per_visit: float = _p(
        0.05,
        "hours per visit",
        "assumption: three minutes to log a visit in the household's file",
        "documentation time of each household visit that finds someone at home",
        range=(0, 100),
        vary=(0.0, 0.15),
        ledger=(
            "cost",
            "refined (patrol)",
            "the front line's patrol time; counts toward the files' upkeep",
            "documentation",
        ),
    )
    records_h_per_resident_year: float = _p(
        0.2,
        "hours per resident per year",
        "assumption: about half an hour a year per household of 2.5 to keep its file (一户一档) up to date",
        "front-line time to keep person-level records, where remedies are tailored to the person",
        range=(0, 100),
        vary=(0.0, 0.25),
        ledger=(
            "cost",
            "refined (tailored remedies)",
            "the front line's time, less the hours logging visits",
            "records",
        ),
    )
    digital_triage_h: float = _p(
        0.1,
        "hours per report",
        "Beijing 12345: about six minutes from a call to a dispatched work order (ODD references: Beijing Youth "
        "Daily 2021); a message through the digital channel is read and turned into a case the same way",
        "time the handler spends to read, triage and answer a report made through the digital channel (its "
        "operating cost, counted in the handler's hours)",
        range=(0, 100),
        vary=(0.05, 0.25),
        ledger=(
            "cost",
            "both (access held equal)",
            "the handler's time, per report through the digital channel",
            "documentation",
        ),
    )
    generalist_time_factor: float = _p(
        1.5,
        "multiplier",
        "assumption: a generalist takes longer on cases a specialist department would handle",
        "handling time of the front line on the specialist lines (housing, safety, facility) relative to their "
        "department",
        range=(1, 10),
        vary=(1.0, 2.5),
        ledger=("cost", "refined (wide competence)", "the front line's hands-on time on the specialist lines", "cases"),
    )
    patrol_street_share: float = _p(
        0.3,
        "fraction of patrol hours",
        "assumption",
        "share of the front line's patrol hours spent walking public space (where component faults are found); "
        "the rest goes to household visits",
        range=(0, 1),
        vary=(0.1, 0.6),
    )
    inspection_km2_per_h: float = _p(
        0.05,
        "km² per hour",
        "assumption anchored on Beijing Dongcheng's city supervisors, one per 0.18 km² (ODD references: Jiang "
        "2010), taken to walk their beat in about half a working day",
        "public space checked for component faults per hour of street patrol or inspection",
        range=(0.0001, 100),
        vary=(0.02, 0.2),
        ledger=(
            "benefit",
            "both (coarse: the facility department; refined: the front line's street patrol)",
            "faults found before residents report them",
            "",
        ),
    )
