"""The tables and sentences of the generated docs (``make_docs.py``), from the
benchmark results it loads: formatting, the rendered clips, the synthetic
sessions, the ceiling."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Folders whose ``*.truth.json`` describe the rendered clips; the tuning
#: clips are scored apart (``accuracy_pixels_tuning.json``).
CLIP_FOLDERS = ("sample_videos", "benchmarks/render_suite", "benchmarks/render_suite/tuning")

#: The rendered looks and the MakeHuman body each is dressed on
#: (``tools/render/render_suite.py``): ``cool`` re-dresses the default body.
BODY_OF_LOOK = {"default": "default", "cool": "default", "heavy": "heavy", "lean": "lean"}

#: Rendered after the counter's edge-on rule was chosen knowing the other
#: held-out clips (``benchmarks/render_suite/README.md``): fresh evidence.
FRESH_CLIPS = ("raised_cool_both.mp4", "floor_lean_right.mp4")

#: What each placement name means, in words (``docs/placements.md``).
PLACEMENT_WORDS = {
    "oblique45_raised": "45° round, raised 0.6 m (recommended)",
    "oblique45_floor": "45° round, on the floor",
    "oblique60_raised": "60° round, raised 0.6 m",
    "oblique30": "30° round",
    "oblique45": "45° round",
    "oblique60": "60° round",
    "chair": "on a chair",
    "side": "from the side",
    "tripod": "tripod, 1.5 m",
}

#: ``mediapipe_error.json``'s knee-gain keys, in words.
GAIN_WORDS = {
    "near_internal": "near leg turning in",
    "near_external": "near leg turning out",
    "far_internal": "far leg turning in",
    "far_external": "far leg turning out",
}

# ---- formatting ---------------------------------------------------------


def pct(rate: float) -> str:
    return f"{100 * rate:.0f}%"


def of(right: int, total: int) -> str:
    """ "20 of 21 (95%)"."""
    return f"{right} of {total} ({pct(right / total)})" if total else "none"


def deg(value: float) -> str:
    return f"{value:.1f}°"


def mae_p95(stats: dict) -> str:
    return f"{deg(stats['mae_deg'])} / {deg(stats['p95_deg'])}"


def span(values: Iterable[float], fmt=deg) -> str:
    """The spread of per-clip (per-placement...) values: "4.6–7.8°"."""
    values = list(values)
    lo, hi = min(values), max(values)
    if fmt(lo) == fmt(hi):
        return fmt(lo)
    text_lo, text_hi = fmt(lo), fmt(hi)
    unit = text_hi.lstrip("0123456789.-")
    if unit and text_lo.endswith(unit):
        text_lo = text_lo[: -len(unit)]
    return f"{text_lo}–{text_hi}"


def px_span(stats: dict) -> str:
    return span([stats["min"], stats["max"]], lambda x: f"{x:.2f} px")


def pr(precision: float, recall: float) -> str:
    return f"{precision:.2f} / {recall:.2f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def short(name: str) -> str:
    return name.removesuffix(".mp4")


# ---- the rendered clips -------------------------------------------------


def clip_facts() -> dict[str, dict]:
    """Placement and look of every rendered clip, read from its truth file."""
    facts = {}
    for folder in CLIP_FOLDERS:
        for path in sorted((REPO / folder).glob("*.truth.json")):
            truth = json.loads(path.read_text())
            video = path.name.removesuffix(".truth.json") + ".mp4"
            facts[video] = {
                "folder": folder,
                "placement": truth["placement"]["name"],
                "look": truth["look"],
                "blurred": "blur" in video,
            }
    return facts


def session_legs(videos: dict) -> list[tuple[str, str, dict]]:
    return [
        (video, leg, counts) for video, v in videos.items() for leg, counts in v["legs"].items()
    ]


def exact(legs: list[tuple[str, str, dict]], name: str) -> int:
    return sum(c[name]["measured"] == c[name]["true"] for _, _, c in legs)


def describe_clips(videos: dict, facts: dict) -> str:
    """ "12 videos, 21 session-legs; 3 bodies, 4 looks, 3 placements (...)"."""
    mine = [facts[v] for v in videos]
    looks = sorted({f["look"] for f in mine})
    bodies = sorted({BODY_OF_LOOK.get(f["look"], f["look"]) for f in mine})
    placements: dict[str, int] = {}
    for f in mine:
        placements[f["placement"]] = placements.get(f["placement"], 0) + 1
    where = ", ".join(f"`{p}` {n}" for p, n in sorted(placements.items(), key=lambda kv: -kv[1]))
    blurred = sum(f["blurred"] for f in mine)
    legs = sum(len(v["legs"]) for v in videos.values())
    text = (
        f"{len(videos)} videos, {legs} session-legs (a leg that does reps in one video); "
        f"{len(bodies)} bodies, {len(looks)} looks ({', '.join(looks)}); "
        f"{len(placements)} placements (videos: {where})"
    )
    if blurred:
        text += f"; {blurred} seen through a soft, noisy webcam (`*_blur_*`)"
    return text


def count_cell(counts: dict, name: str) -> str:
    measured, true = counts[name]["measured"], counts[name]["true"]
    return f"{measured} / {true}" if measured == true else f"**{measured}** / {true}"


def caveat(videos: dict) -> str:
    """The two choices made knowing the held-out renders' results."""
    fresh = [(v, leg, c) for v, leg, c in session_legs(videos) if v in FRESH_CLIPS]
    return (
        "Two choices were made knowing the held-out renders' results: the "
        "counter's rule for each leg's edge-on side was picked knowing the other "
        f"{len(videos) - len(FRESH_CLIPS)} videos (the {len(FRESH_CLIPS)} rendered "
        f"afterwards count {exact(fresh, 'reps')} of {len(fresh)} session-legs exact), "
        'and the 1.5x margin of the "from the ankles" flag was chosen on the '
        "tuning sessions after these videos had shown false flags."
    )


def per_leg_table(videos: dict, facts: dict) -> str:
    rows = []
    for video, leg, counts in session_legs(videos):
        f = facts[video]
        v = videos[video]
        rows.append(
            [
                f"`{short(video)}`",
                leg,
                f"`{f['placement']}`",
                f["look"] + (", blurred" if f["blurred"] else ""),
                count_cell(counts, "reps"),
                count_cell(counts, "held_reps"),
                count_cell(counts, "controlled_reps"),
                count_cell(counts, "compensated_reps"),
                mae_p95(v["femur"]),
            ]
        )
    header = [
        "video",
        "leg",
        "placement",
        "look",
        "reps",
        "held",
        "controlled",
        "from the ankles",
        "femur MAE / p95 (video)",
    ]
    return table(header, rows)


def rendered_summary(summary: dict, videos: dict) -> list[list[str]]:
    legs = session_legs(videos)
    n = len(legs)
    misses = [
        f"`{short(v)}` {leg} {c['reps']['measured']} of {c['reps']['true']}"
        for v, leg, c in legs
        if c["reps"]["measured"] != c["reps"]["true"]
    ]
    clear, border = summary["held_verdicts"]["clear"], summary["held_verdicts"]["borderline"]
    per_video_hold = [
        statistics.median(v["hold_abs_error_s"]) for v in videos.values() if v["hold_abs_error_s"]
    ]
    detection = [v["detection_rate"] for v in videos.values()]
    return [
        [
            "rep count per session-leg",
            f"exact {of(exact(legs, 'reps'), n)}; within one "
            f"{of(round(summary['count_within_one_rate'] * n), n)}",
            "missed: " + "; ".join(misses) if misses else "every session-leg exact",
        ],
        [
            "held reps per session-leg",
            f"exact {of(exact(legs, 'held_reps'), n)}",
            "a leg is exact only if every rep's verdict is right",
        ],
        [
            "held or not, per rep",
            f"{of(clear['right'], clear['reps'])} reps whose true hold is clearly "
            f"over or under 1 s; {of(border['right'], border['reps'])} borderline ones "
            "(true hold 0.8–1.2 s)",
            "",
        ],
        [
            "hold time, per rep",
            f"median error {summary['hold_abs_error_s_median']:.2f} s",
            f"per video median {span(per_video_hold, lambda x: f'{x:.2f} s')}",
        ],
        [
            "controlled (turned in slowly) per session-leg",
            f"exact {of(exact(legs, 'controlled_reps'), n)}",
            f"rushed reps found (too-fast precision / recall): "
            f"{pr(summary['too_fast_precision'], summary['too_fast_recall'])}",
        ],
        [
            '"from the ankles" per session-leg',
            f"exact {of(exact(legs, 'compensated_reps'), n)}",
            "per rep precision / recall "
            f"{pr(summary['compensation_precision'], summary['compensation_recall'])}",
        ],
        [
            "person found by MediaPipe",
            f"{span(detection, pct)} of frames",
            "per video",
        ],
    ]


def rendered_angles(angles: dict, pixels: dict, facts: dict) -> str:
    rows = []
    rendered = angles["rendered"]
    for key in sorted(k for k in rendered if k.startswith("placement ") and k.endswith("/image")):
        placement = key.removeprefix("placement ").removesuffix("/image")
        pooled = rendered[key]
        clips = [v for v in pixels["videos"] if facts[v]["placement"] == placement]
        per_clip = [rendered[f"{v}/image"]["femur"] for v in clips]
        rows.append(
            [
                f"`{placement}`: {PLACEMENT_WORDS.get(placement, placement)}",
                str(len(clips)),
                str(pooled["femur"]["frames"]),
                mae_p95(pooled["femur"]),
                f"{span(s['mae_deg'] for s in per_clip)} / {span(s['p95_deg'] for s in per_clip)}",
                mae_p95(pooled["twist"]),
            ]
        )
    header = [
        "placement",
        "videos",
        "leg-frames",
        "femur MAE / p95",
        "femur per video (MAE / p95)",
        "ankle twist MAE / p95",
    ]
    return table(header, rows)


# ---- synthetic sessions -------------------------------------------------


def by_key_span(rates: dict[str, float]) -> str:
    """ "14% (high) – 80% (none)"."""
    lo = min(rates, key=rates.get)
    hi = max(rates, key=rates.get)
    if pct(rates[lo]) == pct(rates[hi]):
        return f"{pct(rates[lo])} on every one"
    return f"{pct(rates[lo])} ({lo}) – {pct(rates[hi])} ({hi})"


def synthetic_table(reps: dict) -> str:
    columns = [("image/none", "noise-free"), ("image/suite_mix", "noise mix")]
    columns += [("world/none", "3D, noise-free"), ("world/suite_mix", "3D, noise mix")]
    cols = [reps[k] for k, _ in columns]
    rows = [
        ["count exact", *[pct(c["count_exact_rate"]) for c in cols]],
        ["count within one", *[pct(c["count_within_one_rate"]) for c in cols]],
        ["mean count error (reps)", *[f"{c['count_mean_abs_error']:.1f}" for c in cols]],
        ["held count exact", *[pct(c["held_count_exact_rate"]) for c in cols]],
        ["hold time error (mean)", *[f"{c['hold_duration_mean_abs_error_s']:.2f} s" for c in cols]],
        [
            '"from the ankles" precision / recall',
            *[pr(c["compensation"]["precision"], c["compensation"]["recall"]) for c in cols],
        ],
        [
            "too fast precision / recall",
            *[pr(c["too_fast"]["precision"], c["too_fast"]["recall"]) for c in cols],
        ],
        [
            "count exact, by placement",
            *[by_key_span(c["count_exact_rate_by_placement"]) for c in cols],
        ],
        [
            "count exact, by scenario",
            *[by_key_span(c["count_exact_rate_by_scenario"]) for c in cols],
        ],
    ]
    return table(["measure", *[name for _, name in columns]], rows)


def synthetic_angles(angles: dict) -> str:
    image = angles["synthetic"]["image"]
    rows = []
    for noise in ("none", "low", "realistic", "high"):
        pooled = image[f"all/{noise}"]["femur"]
        per_placement = {
            k.split("/")[0]: v["femur"]
            for k, v in image.items()
            if k.endswith(f"/{noise}") and not k.startswith("all/")
        }
        rows.append(
            [
                noise,
                mae_p95(pooled),
                f"{span(s['mae_deg'] for s in per_placement.values())} / "
                f"{span(s['p95_deg'] for s in per_placement.values())} "
                f"({len(per_placement)} placement-sides)",
            ]
        )
    return table(["noise", "femur MAE / p95", "per placement (MAE / p95)"], rows)


def live_table(live: dict) -> str:
    """Live's stored count, its count as announced during the set, and review's."""
    rows = []
    for key, name in (("none", "noise-free"), ("suite_mix", "noise mix")):
        runs = [live[key][k] for k in ("live", "live_announced", "review")]
        rows.append(
            [
                name,
                str(runs[0]["session_legs"]),
                " / ".join(pct(r["count_exact_rate"]) for r in runs),
                " / ".join(pct(r["count_within_one_rate"]) for r in runs),
                " / ".join(f"{r['count_mean_abs_error']:.1f}" for r in runs),
                " / ".join(pct(r["held_count_exact_rate"]) for r in runs),
                " / ".join(pct(r["compensated_count_exact_rate"]) for r in runs),
            ]
        )
    header = [
        "sessions",
        "session-legs",
        "count exact",
        "within one",
        "mean count error",
        "held exact",
        '"from the ankles" exact',
    ]
    out = table(header, rows)
    by_noise = live["suite_mix"]
    levels = ", ".join(
        f"{level} {pct(rate)} / {pct(by_noise['review']['count_exact_rate_by_noise'][level])}"
        for level, rate in by_noise["live"]["count_exact_rate_by_noise"].items()
    )
    return out + f"\n\nCount exact by noise level, live stored / review: {levels}."


# ---- the ceiling --------------------------------------------------------


def ceiling_tables(ceiling: dict) -> str:
    rendered = ceiling["rendered"]
    rows = []
    for key in sorted(k for k in rendered if k.startswith("placement ")):
        r = rendered[key]
        rows.append(
            [
                f"renders `{key.removeprefix('placement ')}`",
                mae_p95(r["shipped"]),
                mae_p95(r["knee+foot held out"]),
                mae_p95(r["exact pixels knee+foot held out"]),
                mae_p95(r["shipped, range anchored"]),
            ]
        )
    for noise in ("none", "low", "realistic", "high"):
        s = ceiling["synthetic"][f"all/{noise}"]
        rows.append(
            [
                f"synthetic, noise {noise}",
                mae_p95(s["shipped"]),
                mae_p95(s["knee+foot held out"]),
                "–",
                "–",
            ]
        )
    angles = table(
        [
            "femur MAE / p95 on",
            "hiprot",
            "oracle, held out",
            "oracle on exact joint pixels",
            "hiprot, scaled to the leg's true range",
        ],
        rows,
    )
    return angles + "\n\n" + ceiling_counting(ceiling["counting"]["mix"])


def ceiling_counting(mix: dict) -> str:
    """Review's counter fed hiprot's angles, the oracle's and the true ones."""
    crow = []
    for key, name in (
        ("shipped", "hiprot"),
        ("oracle held out", "oracle, held out"),
        ("truth", "true angles"),
    ):
        c = mix[key]
        crow.append(
            [
                name,
                pct(c["count_exact_rate"]),
                pct(c["held_count_exact_rate"]),
                f"{c['hold_duration_mean_abs_error_s']:.2f} s",
                pr(c["compensation_precision"], c["compensation_recall"]),
            ]
        )
    return table(
        [
            f"review's counter fed ({mix['shipped']['session_legs']} session-legs, noise mix)",
            "count exact",
            "held exact",
            "hold error",
            '"from the ankles" P / R',
        ],
        crow,
    )


# ---- the ceiling on the wide suite ----------------------------------------

#: Issue #22's targets on held-out renders.
TARGET_EXACT = {"clean": 0.90, "webcam": 0.80}
TARGET_HELD = 0.90
TARGET_PEAK_DEG = 8.0
TARGET_ANKLES = 0.85

#: (key in the results, name in the tables, femur errors of the reading).
WIDE_READINGS = (
    ("shipped", "hiprot", "femur shipped"),
    ("oracle held out", "oracle, held out", "femur knee+foot held out"),
    ("oracle in-sample", "oracle, in-sample", "femur knee+foot in-sample"),
    ("oracle knee|foot held out", "oracle, knee for the femur", "femur knee held out"),
    ("truth", "true angles", None),
)


def _pr_cell(ankles: dict) -> str:
    p, r = ankles["precision"], ankles["recall"]
    return "–" if p is None or r is None else pr(p, r)


def _held_cell(held: dict) -> str:
    return of(held["right"], held["reps"])


def _wide_level(field: str, level: str) -> str:
    if field == "distance_m":
        return f"{float(level):g} m away"
    if field == "azimuth_deg":
        return f"{float(level):g}° round"
    if field == "side":
        return f"{level} leg"
    return level


def ceiling_wide_tables(wide: dict) -> str:
    """The oracle on the wide suite: pooled, spread by look and camera, and
    the session-legs it miscounts."""
    clean, webcam = wide["clean"]["all"], wide["webcam"]["all"]
    rows = []
    for copy, a in (("clean", clean), ("webcam", webcam)):
        n = a["session_legs"]
        for key, name, femur in WIDE_READINGS:
            r = a[key]
            rows.append(
                [
                    f"{copy}: {name}",
                    mae_p95(a[femur]) if femur and a[femur] else "–",
                    of(r["count_exact"], n),
                    of(r["count_within_one"], n),
                    _held_cell(r["held_verdict_clear"]),
                    "–"
                    if r["peak_internal_mae_deg"] is None
                    else f"{deg(r['peak_internal_mae_deg'])} ({r['peak_internal_scored']})",
                    _pr_cell(r["from_ankles"]),
                ]
            )
    pooled = table(
        [
            f"wide suite, {len(wide['clips'])} clips: review's counter fed",
            "femur MAE / p95",
            "count exact",
            "within one",
            "held verdicts, clear of 1 s",
            "peak internal MAE (legs)",
            '"from the ankles" P / R',
        ],
        rows,
    )
    spread = []
    for field in ("side", "outfit", "body", "distance_m", "height", "azimuth_deg", "lighting"):
        for level, c in wide["clean"]["by"][field].items():
            w = wide["webcam"]["by"][field][level]
            n = c["session_legs"]
            spread.append(
                [
                    _wide_level(field, level),
                    str(n),
                    f"{c['oracle held out']['count_exact']} / {c['shipped']['count_exact']}",
                    f"{w['oracle held out']['count_exact']} / {w['shipped']['count_exact']}",
                    f"{c['truth']['count_exact']}",
                    "–"
                    if c["femur knee+foot held out"] is None
                    else f"{deg(c['femur knee+foot held out']['mae_deg'])} / "
                    + (
                        "–"
                        if w["femur knee+foot held out"] is None
                        else deg(w["femur knee+foot held out"]["mae_deg"])
                    ),
                    f"{_held_cell(c['oracle held out']['held_verdict_clear'])}",
                ]
            )
    by = table(
        [
            "session-legs on",
            "n",
            "clean: exact, oracle / hiprot",
            "webcam: exact, oracle / hiprot",
            "exact, true angles",
            "oracle femur MAE, clean / webcam",
            "oracle held verdicts, clean",
        ],
        spread,
    )
    legs: dict[tuple[str, str], dict[str, dict]] = {}
    for r in wide["session_legs"]:
        legs.setdefault((r["clip"], r["leg"]), {})[r["copy"]] = r
    missed = []
    for (clip, leg), copies in legs.items():
        c, w = copies["clean"], copies["webcam"]
        if all(x["counts"]["oracle held out"]["reps"] == x["reps_true"] for x in (c, w)):
            continue

        def cell(x: dict) -> str:
            counts = x["counts"]
            found = "" if x["person_found"] else " (nobody found)"
            return (
                f"{counts['shipped']['reps']} / {counts['oracle held out']['reps']} / "
                f"{counts['truth']['reps']}{found}"
            )

        def mae(x: dict) -> str:
            value = x["femur_mae_deg"]["knee+foot held out"]
            return "–" if value is None else deg(value)

        missed.append(
            [
                clip,
                f"{leg} ({c['side']})",
                f"{c['body']}, {c['outfit']}, {c['lighting']}; {c['azimuth_deg']:g}°, "
                f"{c['height']}, {c['distance_m']:g} m",
                str(c["reps_true"]),
                cell(c),
                cell(w),
                f"{mae(c)} / {mae(w)}",
            ]
        )
    miscounted = table(
        [
            "clip",
            "leg",
            "body, look; camera",
            "true reps",
            "clean: hiprot / oracle / true angles",
            "webcam: hiprot / oracle / true angles",
            "oracle femur MAE, clean / webcam",
        ],
        missed,
    )
    return "\n\n".join(
        [
            pooled,
            ceiling_wide_verdict(wide),
            "Spread (exact counts out of n session-legs, per copy):",
            by,
            "Session-legs the oracle (held out) miscounts in either copy:",
            miscounted,
        ]
    )


def ceiling_wide_verdict(wide: dict) -> str:
    """Issue #22's targets against the oracle's numbers, in one paragraph."""
    parts = []
    for copy in ("clean", "webcam"):
        a = wide[copy]["all"]
        o = a["oracle held out"]
        rate = o["count_exact"] / a["session_legs"]
        met = "meets" if rate >= TARGET_EXACT[copy] else "misses"
        parts.append(
            f"{copy}: count exact on {pct(rate)} ({met} the {pct(TARGET_EXACT[copy])} target)"
        )
    for copy in ("clean", "webcam"):
        o = wide[copy]["all"]["oracle held out"]
        held = o["held_verdict_clear"]
        parts.append(
            f"{copy}: held verdicts right on {pct(held['right'] / held['reps'])} of the true "
            f"reps clear of the 1 s rule (target {pct(TARGET_HELD)}), peak internal MAE "
            f"{deg(o['peak_internal_mae_deg'])} (target {deg(TARGET_PEAK_DEG)})"
        )
    ankles = {
        copy: wide[copy]["all"]["oracle knee|foot held out"]["from_ankles"]
        for copy in ("clean", "webcam")
    }
    return (
        "Against issue #22's targets, the oracle held out (an estimator as good as a "
        "curve fitted to the truth, fed to today's counter), "
        + "; ".join(parts)
        + '; "from the ankles" P / R with the knee for the femur '
        + ", ".join(f"{copy} {_pr_cell(a)}" for copy, a in ankles.items())
        + f" (target {TARGET_ANKLES:.2f} each)."
    )
