#!/usr/bin/env python3
"""Regenerate the benchmark report from `ineq bench` result files: a Markdown table and a plot.

    python scripts/bench_report.py docs/bench_results/lips_ours.jsonl docs/bench_results/lips_z3.jsonl \
        docs/bench_results/lips_triples.jsonl --out docs/bench.md --figures docs/figures \
        --machine "2 CPU cores shared with other jobs"

Writes the results section between the markers `<!-- SECTION:begin -->` and `<!-- SECTION:end -->` of
`--out` (SECTION is `--section`, default `results`; the rest of the file, hand-written, is kept; a
missing file or missing markers get a new section), and `FIGURES/bench_solved_vs_time.png` (with
`--section NAME` other than `results`: `bench_NAME_solved_vs_time.png`): for each solver, how many
problems it settled as true (ours: proved with a kernel-checked certificate; z3: holds; triples: proved)
within each time limit up to the one it ran with. The caption names the date, the machine and the limits.

With `--readme README.md`, a compact headline table (per collection: proved, plus refuted for ours, plus
holds for z3; the ratio of ours' proved + refuted to triples' proved; medians) goes between
`<!-- SECTION:headline:begin -->` and `<!-- SECTION:headline:end -->` of that file.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ineq.bench import STATUSES, read_results, summary_rows  # noqa: E402

TRUE_STATUSES = ("proved", "holds")


def machine_description(note: str) -> str:
    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} logical CPUs" + (f"; {note}" if note else "")


def markdown_table(records: list[dict], key, title: str) -> str:
    statuses = [s for s in STATUSES if any(r["status"] == s for r in records)]
    header = ["solver", title, "n", *statuses, "median s (solved)", "p90 s (solved)", "tactics of proofs"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i < 2 or i == len(header) - 1 else "---:"
                                                           for i in range(len(header))) + "|"]
    for row in summary_rows(records, key):
        cells = [row["solver"], row["group"], str(row["n"]), *(str(row[s]) for s in statuses),
                 "-" if row["median_s"] is None else f"{row['median_s']:.2f}",
                 "-" if row["p90_s"] is None else f"{row['p90_s']:.2f}", row["tactics"] or "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(records: list[dict], path: Path, caption: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2))
    for solver in sorted({r["solver"] for r in records}):
        mine = [r for r in records if r["solver"] == solver]
        times = sorted(r["seconds"] for r in mine if r["status"] in TRUE_STATUSES)
        # a proof may land a little after the nominal limit (the kernel re-check), so the axis runs to it
        limit = max([r.get("limit") or r["seconds"] for r in mine] + times)
        steps = [i / 200 * limit for i in range(201)]
        axes.step(steps, [sum(t <= s for t in times) for s in steps], where="post",
                  label=f"{solver} ({len(times)}/{len(mine)})")
    axes.set_xlabel("time limit per problem (s)")
    axes.set_ylabel("problems settled as true")
    axes.set_title("solved vs time limit", fontsize=11)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.text(0.01, 0.01, caption, fontsize=6.5, wrap=True)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def caption_for(records: list[dict], machine: str) -> str:
    date = datetime.date.today().isoformat()
    limits = sorted({r.get("limit") for r in records if r.get("limit") is not None})
    solvers = sorted({r["solver"] for r in records})
    return (f"{date}; machine: {machine}; limit {', '.join(f'{x:g}' for x in limits)} s per problem; "
            f"solvers: {', '.join(solvers)}; {len(records)} result lines.")


def headline(records: list[dict], caption: str) -> str:
    """Per solver and collection: proved (+ refuted, + holds), then the ratio the tactics issue asks for."""
    collections = sorted({r.get("collection", "?") for r in records})
    solvers = sorted({r["solver"] for r in records})
    lines = ["| solver | " + " | ".join(collections) + " | all | median s (solved) |",
             "|---|" + "---:|" * (len(collections) + 2)]
    for solver in solvers:
        mine = [r for r in records if r["solver"] == solver]
        cells = []
        for group in collections + ["ALL"]:
            rows = [r for r in mine if group == "ALL" or r.get("collection") == group]
            counts = {s: sum(r["status"] == s for r in rows) for s in ("proved", "refuted", "holds")}
            parts = [f"{counts['proved']}"] if counts["proved"] or not (counts["refuted"] or counts["holds"]) else []
            parts += [f"{counts[s]} {s}" for s in ("refuted", "holds") if counts[s]]
            cells.append(" + ".join(parts) + f" / {len(rows)}")
        times = sorted(r["seconds"] for r in mine if r["status"] in ("proved", "refuted", "holds"))
        median = f"{times[len(times) // 2]:.2f}" if times else "-"
        lines.append(f"| {solver} | " + " | ".join(cells) + f" | {median} |")
    text = "\n".join(lines)
    by_solver = {solver: {r["id"]: r["status"] for r in records if r["solver"] == solver} for solver in solvers}
    if "ours" in by_solver and "triples" in by_solver:
        common = set(by_solver["ours"]) & set(by_solver["triples"])
        ours = sum(by_solver["ours"][i] in ("proved", "refuted") for i in common)
        theirs = sum(by_solver["triples"][i] == "proved" for i in common)
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        text += (f"\n\nOn the {len(common)} problems both ran: ours proved + refuted {ours}, triples proved "
                 f"{theirs}, ratio {ratio}.")
    return text + f"\n\n_{caption}_"


def head_to_head(records: list[dict]) -> str | None:
    """Ours against triples on the problems both ran, by tag: settled by both, by ours only (proved or
    refuted), by triples only (proved), by neither. None without both solvers."""
    ours = {r["id"]: r for r in records if r["solver"] == "ours"}
    theirs = {r["id"]: r for r in records if r["solver"] == "triples"}
    common = sorted(set(ours) & set(theirs))
    if not common:
        return None
    rows: dict[str, list[int]] = {}
    for ident in common:
        mine = ours[ident]["status"] in ("proved", "refuted")
        other = theirs[ident]["status"] == "proved"
        column = 0 if mine and other else 1 if mine else 2 if other else 3
        for tag in ["ALL", *ours[ident].get("tags", [])]:
            rows.setdefault(tag, [0, 0, 0, 0])[column] += 1
    lines = ["| tag | n | both | only ours | only triples | neither |", "|---|---:|---:|---:|---:|---:|"]
    for tag, counts in sorted(rows.items(), key=lambda item: (item[0] != "ALL", -sum(item[1]), item[0])):
        lines.append(f"| {tag} | {sum(counts)} | " + " | ".join(map(str, counts)) + " |")
    return "\n".join(lines)


def replace_between(text: str, name: str, body: str, heading: str) -> str:
    begin, end = markers(name)
    section = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        return text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    return text.rstrip("\n") + f"\n\n{heading}\n\n" + section + "\n"


def results_section(records: list[dict], sources: list[Path], figure: Path, out: Path, machine: str) -> str:
    caption = caption_for(records, machine)
    plot(records, figure, caption)
    relative_figure = os.path.relpath(figure, out.parent)
    parts = [
        f"_Generated by `scripts/bench_report.py` from {', '.join(f'`{p}`' for p in sources)}._",
        "",
        f"**{caption}**",
        "",
        "Statuses: `proved` (ours: kernel-checked certificate; triples: SOS certificate whose identity was "
        "checked in the triples interpreter, symbolically or numerically, not by our kernel), `holds` (z3 decided it true, no certificate: never counted as proved), `refuted`, "
        "`unknown` (gave up before the limit), `timeout`, `error`, `unsupported` (the baseline cannot encode "
        "the statement). Median and 90th percentile are over the solved (proved, holds, refuted) problems; triples' seconds exclude the 2-5 s its "
        "interpreter spends importing sympy and triples for each problem.",
        "",
        "#### By collection",
        "",
        markdown_table(records, lambda r: [r.get("collection", "?"), "ALL"], "collection"),
        "",
        "#### By kind of problem",
        "",
        markdown_table(records, lambda r: [t for t in r.get("tags", []) if t in ("polynomial", "rational", "radical", "other")],
                       "kind"),
        "",
        *(["#### Ours against triples, problem by problem", "",
            "Settled means proved or refuted for ours, proved for triples; counted over the problems both ran, "
            "by computed tag (a problem has several tags).", "", table, ""]
          if (table := head_to_head(records)) else []),
        f"![solved vs time limit]({relative_figure})",
        "",
        f"_Figure: {caption}_",
    ]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description="Markdown table and plot from `ineq bench` result files.")
    parser.add_argument("results", nargs="+", type=Path, help="JSONL files written by `ineq bench --out`")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "bench.md")
    parser.add_argument("--figures", type=Path, default=REPO / "docs" / "figures")
    parser.add_argument("--machine", default="", help="a note on the machine, e.g. '2 CPU cores shared with other jobs'")
    parser.add_argument("--section", default="results", help="marker name of the section to (re)write")
    parser.add_argument("--readme", type=Path, help="also write the headline table into this file")
    args = parser.parse_args()
    records = [r for path in args.results for r in read_results(path)]
    if not records:
        parser.error("no result records in " + ", ".join(map(str, args.results)))
    sources = [p.resolve().relative_to(REPO) if p.resolve().is_relative_to(REPO) else p for p in args.results]
    figure_name = "bench_solved_vs_time.png" if args.section == "results" else f"bench_{args.section}_solved_vs_time.png"
    machine = machine_description(args.machine)
    section = results_section(records, sources, args.figures / figure_name, args.out, machine)
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmarks\n\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(replace_between(text, args.section, section, "## Results"), encoding="utf-8")
    print(f"wrote {args.out} and {args.figures / figure_name} ({len(records)} records)")
    if args.readme is not None:
        readme = args.readme.read_text(encoding="utf-8")
        args.readme.write_text(replace_between(readme, f"{args.section}:headline", headline(records, caption_for(
            records, machine)), "## Results"), encoding="utf-8")
        print(f"wrote the headline table into {args.readme}")


if __name__ == "__main__":
    main()
