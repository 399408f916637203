"""The fixed names the parameters refer to: service lines, channels, calendars, the bundles of
policy dials, and the hours of a paid post."""

SERVICE_TYPES = ("environment", "housing", "welfare", "dispute", "safety", "facility")
"""Service lines. ``facility`` is for component faults (部件); the others are residents' needs."""

RESIDENT_TYPES = SERVICE_TYPES[:-1]
CITY_MANAGEMENT = ("environment", "facility")
"""The lines a command centre dispatches and a district's grid system counts (城市管理: events and
components, ODD 7.20)."""
SPECIALIST_TYPES = ("housing", "safety", "facility")
"""Lines that need a specialist: a generalist front line takes longer on them (``generalist_time_factor``)."""
CHANNELS = ("counter", "hotline", "digital")
CALENDARS = {
    # A week starts on Monday 00:00 (t = 0 h). Every staffed calendar has 40 h a week, so
    # changing the hours never changes the staffing budget.
    "office": ("Mon-Fri 09-17",),
    # "8+3" staggered service (错时服务, case book): the same 8 hours a day, three of them moved
    # into the evening when employed residents are home.
    "staggered": ("Mon-Fri 09-12", "Mon-Fri 15-20"),
    # Round the clock: only for the queueing validation and for what-if runs; it is not a
    # 40-hour calendar, so it changes the budget and says so in the ODD.
    "always": ("Mon-Sun 00-24",),
    # Volunteers' hours (not staff: no 40-hour week): weekday evenings and weekend days, when
    # residents in work can give time. Assumption.
    "evenings_weekends": ("Mon-Fri 18-21", "Sat-Sun 09-17"),
}
STAFF_CALENDARS = ("office", "staggered", "always")
BUNDLE_DIALS = {
    # The policy dials by what they are: access is held equal between the presets (the same
    # channels and hours, configs/access), the other two bundles are what refined changes.
    "access": ("channels", "service_hours"),
    "individualisation": (
        "pool_level",
        "workers_per_grid",
        "backup",
        "backup_after_h",
        "patrol_share",
        "patrol_floor",
        "routing",
        "linkage",
        "competence",
        "remedy",
        "fallback_after_days",
    ),
    "party": ("mobilisation", "pairing", "evaluation"),
}
"""The policy dials of each bundle (sim.measure.ablation.BUNDLES, experiment=decomposition)."""
STAFF_WEEK_H = 40.0
"""Hours a week of one paid post (every staff calendar but ``always`` has 40)."""
