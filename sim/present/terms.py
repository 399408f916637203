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
}


def term(key: str, lang: str = "en", **fields) -> str:
    """The label ``key`` in ``lang`` (``en`` or ``zh``), with ``{fields}`` filled in. A key
    without a declared term is shown as it is (a category name a scenario adds, say)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: allowed {', '.join(LANGUAGES)}")
    pair = TERMS.get(key)
    text = pair[LANGUAGES.index(lang)] if pair else key
    return text.format(**fields) if fields else text
