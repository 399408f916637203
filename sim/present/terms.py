"""Words shown to people, in English and Chinese, declared once.

The browser view (``sim.present.view``) and the plots of a single run (``sim.present.run_plots``) take every
label, control name and chart title from here, so a switch of language changes all of them
and the two never name one thing differently. The Chinese terms are the case book's where it
has one (网格员, 走访, 8+3 错时服务, 村居联动, 类型化 / 个体化).
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

TERMS: dict[str, tuple[str, str]] = {
    # the view
    "title": ("govsim: two regimes, the same residents", "govsim:同一批居民,两种治理"),
    "language": ("Language", "语言"),
    "day": ("day", "天"),
    "day_n": ("Day {n}", "第 {n} 天"),
    "step": ("Step", "单步"),
    "days_per_step": ("Days per step", "每步天数"),
    "play": ("Play", "播放"),
    "pause": ("Pause", "暂停"),
    "reset": ("Reset", "重置"),
    "seed": ("Seed", "随机种子"),
    "world": ("The town (both regimes)", "辖区(两种治理相同)"),
    "regime_left": ("Left regime", "左侧治理方式"),
    "regime_right": ("Right regime", "右侧治理方式"),
    "preset": ("Preset", "预设"),
    "apply_on_reset": ("Changes take effect on Reset.", "修改在“重置”后生效。"),
    "same_world": (
        "Both sides meet the same residents and the same needs (same seed): every difference is the regime's doing.",
        "两侧面对同样的居民、同样的需求(相同随机种子):所有差别都来自治理方式。",
    ),
    "colour_by": ("Colour residents by", "居民着色依据"),
    "not_built": ("Not built: {error}", "无法建立模型:{error}"),
    # presets (the two regimes)
    "coarse": ("Type-based (coarse)", "类型化管理"),
    "refined": ("Individualised (refined)", "个体化管理"),
    # dials
    "workers_per_10k": ("Staff per 10,000 residents", "每万人工作人员"),
    "patrol_share": ("Patrol and visits (走访), at most", "巡查走访时间占比上限"),
    "pool_level": ("Where staff share one queue", "人员统筹层级"),
    "pool_level.town": ("town (pooled)", "街镇统筹"),
    "pool_level.community": ("community", "村居"),
    "pool_level.grid": ("grid unit (local)", "网格"),
    "channels": ("Reporting channels", "反映渠道"),
    "channel.counter": ("counter", "窗口"),
    "channel.hotline": ("hotline (12345)", "热线(12345)"),
    "channel.digital": ("digital (WeChat, QR)", "线上(微信、扫码)"),
    "service_hours": ("Service hours", "服务时间"),
    "service_hours.office": ("office hours", "工作日白天"),
    "service_hours.staggered": ("8+3 staggered", "8+3 错时服务"),
    "service_hours.always": ("round the clock", "全天候"),
    "need_heterogeneity": ("Individual differences in needs (σ)", "需求个体差异(σ)"),
    "volunteers_per_1k": ("Party volunteers per 1,000 residents", "每千人党员志愿者"),
    "mobilisation": ("Party organisations mobilise volunteers", "党组织动员志愿者"),
    "linkage": ("Route by residence (村居联动)", "村居联动(按居住地办理)"),
    "remedy": ("Remedy fitted to the person", "因人施策"),
    "routing": ("Grid worker first (no hierarchy)", "网格员首办"),
    # the map
    "map": ("Map", "地图"),
    "community": ("community", "村居"),
    "grid_unit": ("grid unit", "网格"),
    "grid_worker": ("grid worker (网格员)", "网格员"),
    "open_issue": ("open need", "未办结诉求"),
    "residents": ("residents", "居民"),
    "status": ("need status", "诉求状态"),
    "status.none": ("no open need", "无未办结诉求"),
    "status.unknown": ("need unknown to the state", "诉求未被掌握"),
    "status.known": ("need known, waiting", "已掌握,待办理"),
    "status.handling": ("being handled", "办理中"),
    "satisfaction": ("satisfaction", "满意度"),
    "km": ("km", "公里"),
    # charts
    "backlog": ("Open needs (backlog)", "未办结诉求数"),
    "known_backlog": ("of which known to the state", "其中已被掌握"),
    "share_unknown": ("Unknown to the state (share of open)", "未被掌握的诉求占比"),
    "resolved_within": ("Needs resolved within 1 / 3 / 7 days", "1/3/7 天内解决的诉求占比"),
    "within_1d": ("within 1 day", "1 天内"),
    "within_3d": ("within 3 days", "3 天内"),
    "within_7d": ("within 7 days", "7 天内"),
    "satisfaction_by_category": ("Satisfaction by group of residents", "各类居民满意度"),
    "satisfaction_mean": ("mean satisfaction (0-1)", "平均满意度(0-1)"),
    "needs": ("needs", "诉求数"),
    "share": ("share", "占比"),
    "warmup": ("warm-up (not measured)", "预热期(不计入)"),
    "per_day": ("per day", "每日"),
    "created": ("arising", "新增"),
    "resolved": ("resolved", "解决"),
    "abandoned": ("given up", "放弃"),
    "run_title": ("One run: {policy}, {scenario}, seed {seed}", "单次运行:{policy},{scenario},种子 {seed}"),
    "timeline_title": ("The life of needs: from arising to resolution", "诉求的生命周期:从产生到解决"),
    "timeline_x": ("hours since the need arose", "诉求产生后的小时数"),
    "phase.unknown": ("unknown to the state", "未被掌握"),
    "phase.routing": ("passed between offices", "转办途中"),
    "phase.queue": ("waiting in a queue", "排队等待"),
    "phase.handling": ("being handled", "办理中"),
    "event.abandoned": ("given up", "放弃"),
    "event.open": ("still open", "尚未办结"),
    # resident categories and service lines
    "employed": ("employed", "在职居民"),
    "elderly": ("elderly", "老年人"),
    "migrant": ("migrant", "外来人口"),
    "assisted": ("assisted", "困难群众"),
    "family": ("family", "家庭"),
    "component": ("component", "部件"),
    "environment": ("environment", "环境"),
    "housing": ("housing", "房屋"),
    "welfare": ("welfare", "民生保障"),
    "dispute": ("dispute", "矛盾纠纷"),
    "safety": ("safety", "安全"),
    "facility": ("facility (部件)", "部件设施"),
    # the lessons (notebooks/): the KPIs in words with their units (in English as
    # sim.present.kpi_table.kpi_label has them), their tables' words and the words of a need's life
    "kpi.resolved_within_7d": (
        "needs resolved within 7 days of arising (cumulative incidence, all needs)",
        "发生后 7 天内解决的需求(累积发生率,全部需求)",
    ),
    "kpi.needs_met_share": ("needs actually met (share of all needs)", "真正得到满足的需求(占全部需求)"),
    "kpi.callback_satisfaction_rate": (
        "satisfied at the callback (满意率) (share of known cases; as hotlines publish)",
        "回访满意率(占已知案件,热线公布的口径)",
    ),
    "kpi.callback_resolution_rate": (
        "solved, as residents say at the callback (解决率) (share of known cases)",
        "回访解决率(居民自述已解决,占已知案件)",
    ),
    "kpi.callback_response_rate": (
        "taken up within a day (响应率) (share of known cases; process)",
        "响应率:一天内受理(占已知案件,过程指标)",
    ),
    "kpi.resolution_time_restricted_30d_h": (
        "time to resolution, capped at 30 days (mean, hours, all needs)",
        "解决用时,30 天封顶(均值,小时,全部需求)",
    ),
    "kpi.satisfaction_window_mean": (
        "residents' attitude (a survey of all) (mean over the window, 0-1)",
        "全体居民的态度(面向所有人的调查)(测量期均值,0-1)",
    ),
    "kpi.unreported_share": ("needs never known to the state (share of all needs)", "政府始终不知晓的需求(占全部需求)"),
    "kpi.on_time_share": (
        "closed within a week of report (share of known cases; process)",
        "报告后一周内办结(占已知案件,过程指标)",
    ),
    "kpi.response_time_mean_h": (
        "response time of resolved needs (mean, hours; conditional on resolution)",
        "已解决需求的响应时间(均值,小时;以解决为条件)",
    ),
    "kpi.response_time_median_h": ("response time, median (h)", "已解决需求的响应时间,中位数(小时)"),
    "kpi.response_time_p90_h": ("response time, p90 (h)", "已解决需求的响应时间,第 90 百分位(小时)"),
    "kpi.satisfaction_known_window_mean": (
        "satisfaction, needs never known left out (mean over the window, 0-1)",
        "满意度,不计政府始终不知晓的需求(测量期均值,0-1)",
    ),
    "kpi.equity_gap_within_7d": (
        "employed − migrants, resolved within 7 days (difference of shares; equity)",
        "在职居民 − 外来人口,7 天内解决(比例之差;公平)",
    ),
    "kpi.equity_gap_unknown": (
        "migrants − employed, needs never known (difference of shares; equity)",
        "外来人口 − 在职居民,政府始终不知晓的需求(比例之差;公平)",
    ),
    "kpi.resolution_rate": ("resolution rate", "已解决的需求(占全部需求)"),
    "kpi.backlog_mean": ("backlog mean", "未办结需求数(测量期均值)"),
    "kpi.matched_needs": (
        "needs resolved under both regimes (count per run)",
        "两种模式都解决了的需求(每次运行的个数)",
    ),
    "kpi.matched_response_time_mean_h": (
        "response time, needs resolved under both (mean, hours)",
        "响应时间,两种模式都解决了的需求(均值,小时)",
    ),
    "kpi.matched_response_time_median_h": (
        "response time, needs resolved under both (median, hours)",
        "响应时间,两种模式都解决了的需求(中位数,小时)",
    ),
    "kpi.matched_report_to_resolution_mean_h": (
        "report to resolution, needs resolved under both (mean, hours)",
        "从报告到解决,两种模式都解决了的需求(均值,小时)",
    ),
    "kpi.issues_created": ("issues created", "发生的需求和故障"),
    "kpi.issues_resolved": ("resolved", "已解决"),
    "kpi.issues_abandoned": ("abandoned", "已放弃"),
    "kpi.issues_open": ("still open", "尚未办结"),
    "kpi.detection_latency_mean_h": ("detection latency, mean (h)", "发现延迟,均值(小时)"),
    "kpi.unknown_time_mean_h": ("time unknown, all needs, mean (h)", "不为政府所知的时间,全部需求,均值(小时)"),
    "kpi.report_to_resolution_mean_h": ("report to resolution, mean (h)", "从报告到解决,均值(小时)"),
    "kpi.resolved_within_1d": ("resolved within 1 day (all needs)", "1 天内解决(全部需求)"),
    "kpi.resolved_within_30d": ("resolved within 30 days (all needs)", "30 天内解决(全部需求)"),
    "kpi.fit_mean": ("remedy fit, mean", "处置办法与人的契合度,均值"),
    "kpi.satisfaction_mean": ("attitude of all residents, mean at the end", "全体居民的态度,期末均值"),
    "kpi.trust_mean": ("trust, mean", "信任,均值"),
    "kpi.capacity_total_h": ("handling capacity, paid + volunteer (h)", "办理能力,在编加志愿(小时)"),
    "kpi.volunteer_h": ("volunteer hours given", "志愿者投入的小时数"),
    "kpi.utilisation_front_line": ("utilisation, front line (hours not idle)", "一线利用率(非空闲时间占比)"),
    "kpi.case_share_front_line": ("share of front-line hours on cases", "一线用于办案的时间占比"),
    "kpi.cases_per_front_post_month": (
        "known cases per front-line post and month",
        "每个一线岗位每月的已知案件数",
    ),
    "kpi.utilisation_dept": ("utilisation, {line} department", "{line}部门利用率"),
    # staff-time accounting (as sim.present.kpi_table.accounting_label has it in English)
    "acct.staff_front_line": ("staff, front line", "一线人员"),
    "acct.utilisation_front_line": ("utilisation, front line", "一线利用率(非空闲时间占比)"),
    "acct.case_load_front_line": (
        "load of the hours left for cases, front line",
        "一线办案可用时间的负荷(队列利用率)",
    ),
    "acct.time_front_line_patrol_h": ("patrol, front line (h)", "一线巡查走访用时(小时)"),
    "acct.time_front_line_travel_h": ("travel, front line (h)", "一线路途用时(小时)"),
    "acct.visits": ("household visits", "入户走访次数"),
    "acct.volunteer_h": ("volunteer hours", "志愿者小时数"),
    # words of the lessons' tables
    "table.coarse": ("coarse", "类型化"),
    "table.refined": ("refined", "个体化"),
    "table.refined − coarse": ("refined − coarse", "个体化 − 类型化"),
    "table.policy": ("policy", "治理模式"),
    "table.seed": ("seed", "随机种子"),
    "table.kpi": ("kpi", "指标"),
    "table.key": ("key", "项目"),
    "table.mean": ("mean", "均值"),
    "table.difference": ("difference", "差值"),
    "table.ci_low": ("ci_low", "95% 置信区间下限"),
    "table.ci_high": ("ci_high", "95% 置信区间上限"),
    "table.pairs": ("pairs", "配对数"),
    "table.count": ("count", "个数"),
    "table.category": ("category", "居民类别"),
    "table.service_type": ("service_type", "需求类型"),
    "table.channel": ("channel", "知晓渠道"),
    "table.status": ("status", "结果"),
    "table.handler": ("handler", "办理者"),
    "table.created_h": ("created_h", "发生(小时)"),
    "table.reported_h": ("reported_h", "知晓(小时)"),
    "table.dispatched_h": ("dispatched_h", "派到办理者(小时)"),
    "table.started_h": ("started_h", "开始办理(小时)"),
    "table.resolved_h": ("resolved_h", "解决(小时)"),
    "table.hops": ("hops", "转办次数"),
    "table.fit": ("fit", "契合度"),
    "table.solved": ("solved", "需求得到满足"),
    "table.open": ("open", "尚未办结"),
    "table.resolved": ("resolved", "已解决"),
    "table.abandoned": ("abandoned", "已放弃"),
    "table.counter": ("counter", "窗口"),
    "table.hotline": ("hotline", "12345 热线"),
    "table.digital": ("digital", "线上"),
    "table.visit": ("visit", "走访"),
    "table.patrol": ("patrol", "巡查"),
    "table.supervisor": ("supervisor", "城管监督员"),
    "table.front_line": ("front_line", "一线"),
    "table.department": ("department", "职能部门"),
    "table.volunteer": ("volunteer", "志愿者"),
}


def term(key: str, lang: str = "en", **fields) -> str:
    """The label ``key`` in ``lang`` (``en`` or ``zh``), with ``{fields}`` filled in. A key
    without a declared term is shown as it is (a category name a scenario adds, say)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: allowed {', '.join(LANGUAGES)}")
    pair = TERMS.get(key)
    text = pair[LANGUAGES.index(lang)] if pair else key
    return text.format(**fields) if fields else text
