"""Measure the finished Slitherin' runs and write the figures, GIFs and table of docs/slitherin.md.

Stages (each result cached, so the script can be re-run and picks up newly finished runs):

1. per run (`<run>/analysis.json`): behaviour of the final policy in `--behaviour-games` games
   against the scripted greedy snake, in `--crowd-games` three-snake games against itself
   (gang-ups), and an exploiter trained for `--exploit-steps` steps against it; and
   (`<run>/cycling.json`) the later-vs-earlier matrix of `--cycling-snapshots` snapshots;
2. global (`runs/slitherin/rating.json`, `tournament.json`): round robin of
   `--rating-snapshots` policies per run (the last is the final one), and the summary;
3. figures `docs/figures/slitherin_*.png`, GIFs `docs/figures/slitherin_game*.gif` and the
   results table written into docs/slitherin.md between its results markers.

    python scripts/slitherin_analysis.py [--wait 12] [--runs-root runs] [--stage all]

Several workers may run at once (`--stage per-run` / `--stage cycling` next to one `all`): each
run's work is claimed with a lock file.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time
from typing import Any

import numpy as np

from rl_suite.core.plotting import new_figure, plot_runs_on, save_figure
from rl_suite.envs.slitherin import DEATH_CAUSES
from rl_suite.slitherin.behaviour import (
    EVAL_SEED,
    GreedyPlayer,
    RandomPlayer,
    load_player,
    play_games,
    record_game,
    summarise,
)
from rl_suite.slitherin.opponents import SCHEMES
from rl_suite.slitherin.tournament import (
    RunInfo,
    cycling,
    discover_runs,
    pick_snapshots,
    round_robin,
    scheme_table,
    train_exploiter,
)
from rl_suite.snake.cli import save_gif

FIGURES = pathlib.Path("docs/figures")
DOC = pathlib.Path("docs/slitherin.md")
START, END = "<!-- results:start -->", "<!-- results:end -->"


def log(message: str) -> None:
    print(time.strftime("%H:%M:%S"), message, flush=True)


def cached(run: RunInfo, filename: str, compute: Any) -> dict[str, Any] | None:
    """`<run>/<filename>` if present; else `compute()` written there, unless another worker has
    claimed the same file (then None: come back later)."""
    path = run.run_dir / filename
    if path.exists():
        return json.loads(path.read_text())
    lock = path.with_suffix(".lock")
    try:  # claim the work, so that several workers can share the runs
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return None
    log(f"{filename} of {run.name}")
    result = compute()
    path.write_text(json.dumps(result, indent=2) + "\n")
    lock.unlink()
    return result


def behaviour_and_exploit(run: RunInfo, args: argparse.Namespace) -> dict[str, Any]:
    """Behaviour against greedy and in three-snake games, and the exploiter, of the final policy."""
    player, payload = load_player(run.final, seed=run.seed)
    env_kwargs = payload["extra"]["env_kwargs"]
    records = play_games([player, GreedyPlayer()], args.behaviour_games, env_kwargs, measure=True)
    crowd = play_games([player] * 3, args.crowd_games, dict(env_kwargs, num_snakes=3), measure=True)
    return {"scheme": run.scheme, "seed": run.seed,
            "vs_greedy": summarise(records), "three_snakes": summarise(crowd),
            "exploit": train_exploiter(run.final, args.exploit_steps, seed=run.seed,
                                       eval_games=args.exploit_games,
                                       save_to=run.run_dir / "exploiter.pt")}


def run_stage(args: argparse.Namespace, filename: str, compute: Any) -> tuple[list[RunInfo], dict]:
    """Compute `filename` for every run as runs finish, until `args.wait` runs are done."""
    done: dict[str, dict] = {}
    while True:
        runs = discover_runs(args.runs_root)
        for run in runs:
            if run.name not in done:
                result = cached(run, filename, lambda run=run: compute(run, args))
                if result is not None:
                    done[run.name] = result
        if len(runs) >= args.wait and len(done) == len(runs):
            return runs, done
        time.sleep(20)


def global_stage(runs: list[RunInfo], analyses: dict[str, dict], cycles: dict[str, dict],
                 args: argparse.Namespace) -> dict[str, Any]:
    """Round robin (cached in runs/slitherin/rating.json) and the tournament.json summary."""
    rating_path = args.runs_root / "slitherin" / "rating.json"
    players = {f"{run.name}@{step}": str(p) for run in runs
               for step, p in pick_snapshots(run, args.rating_snapshots)}
    rating = json.loads(rating_path.read_text()) if rating_path.exists() else None
    if rating is None or sorted(rating["ratings"]) != sorted(players):
        log(f"round robin of {len(players)} policies")
        rating = round_robin({n: pathlib.Path(p) for n, p in players.items()}, args.games_per_pair)
        rating_path.write_text(json.dumps(rating, indent=2) + "\n")
    per_run_entries = {run.name: {"scheme": run.scheme, "seed": run.seed,
                                  "final": rating["ratings"][f"{run.name}@{run.global_step}"],
                                  "cycling": cycles[run.name],
                                  "exploit": analyses[run.name]["exploit"]} for run in runs}
    result = {"runs": per_run_entries, "rating": rating, "schemes": scheme_table(per_run_entries)}
    (args.runs_root / "slitherin" / "tournament.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def references(runs: list[RunInfo], args: argparse.Namespace) -> dict[str, dict]:
    """Scripted references in the same games: a random snake and the greedy snake itself, each
    against the greedy snake (cached in runs/slitherin/reference.json)."""
    path = args.runs_root / "slitherin" / "reference.json"
    if path.exists():
        return json.loads(path.read_text())
    env_kwargs = load_player(runs[0].final)[1]["extra"]["env_kwargs"]
    result = {name: summarise(play_games([player, GreedyPlayer()], args.behaviour_games, env_kwargs,
                                         measure=True))
              for name, player in (("random (reference)", RandomPlayer(0)),
                                   ("greedy (reference)", GreedyPlayer()))}
    path.write_text(json.dumps(result, indent=2) + "\n")
    return result


def mean_std(values: list[float]) -> str:
    return f"{np.mean(values):.2f} ± {np.std(values):.2f}" if values else "n/a"


def results_table(runs: list[RunInfo], analyses: dict, tournament: dict,
                  reference: dict[str, dict]) -> str:
    """Markdown table: one row per scheme, mean ± std over its seeds, then the references."""
    header = ("| scheme | runs | final rating μ | cycling rate | exploiter score | win vs greedy "
              "| fruit / 100 steps | fruit distance | attack kills / game | encirclements / game "
              "| deaths: wall / self / body / head-on |\n|" + "---|" * 11)
    rows = [header]
    for scheme in SCHEMES:
        names = [run.name for run in runs if run.scheme == scheme]
        if not names:
            continue
        entries = [tournament["runs"][n] for n in names]
        behaviour = [analyses[n]["vs_greedy"] for n in names]
        causes = " / ".join(f"{np.mean([b['death_causes'][c] for b in behaviour]):.2f}"
                            for c in DEATH_CAUSES)
        rows.append("| " + " | ".join([
            scheme, str(len(names)),
            mean_std([e["final"]["mu"] for e in entries]),
            mean_std([e["cycling"]["cycling_rate"] for e in entries]),
            mean_std([e["exploit"]["exploiter_score"] for e in entries]),
            mean_std([b["win_rate"] for b in behaviour]),
            mean_std([b["fruit_per_100_steps"] for b in behaviour]),
            mean_std([b["mean_fruit_distance"] for b in behaviour]),
            mean_std([b["attack_kills_per_game"] for b in behaviour]),
            mean_std([b["encirclements_per_game"] for b in behaviour]),
            causes]) + " |")
    for name, b in reference.items():
        causes = " / ".join(f"{b['death_causes'][c]:.2f}" for c in DEATH_CAUSES)
        rows.append(f"| {name} | - | - | - | - | {b['win_rate']:.2f} | {b['fruit_per_100_steps']:.2f} | "
                    f"{b['mean_fruit_distance']:.2f} | {b['attack_kills_per_game']:.2f} | "
                    f"{b['encirclements_per_game']:.2f} | {causes} |")
    return "\n".join(rows)


def crowd_reference(runs: list[RunInfo], args: argparse.Namespace) -> dict[str, Any]:
    """Gang-up statistics of three greedy snakes, which cannot coordinate: the ratio to expect
    from collisions alone (cached in runs/slitherin/reference_crowd.json)."""
    path = args.runs_root / "slitherin" / "reference_crowd.json"
    if path.exists():
        return json.loads(path.read_text())
    env_kwargs = dict(load_player(runs[0].final)[1]["extra"]["env_kwargs"], num_snakes=3)
    games = args.crowd_games * 3  # as many as one scheme has (3 seeds)
    result = summarise(play_games([GreedyPlayer()] * 3, games, env_kwargs, measure=True))
    path.write_text(json.dumps(result, indent=2) + "\n")
    return result


def crowd_table(runs: list[RunInfo], analyses: dict, reference: dict[str, Any]) -> str:
    rows = ["| scheme | deaths | crowded deaths | crowded (snake, step) base rate | ratio |",
            "|---|---|---|---|---|"]
    for scheme in SCHEMES:
        gangs = [analyses[r.name]["three_snakes"]["gang_up"] for r in runs if r.scheme == scheme]
        if not gangs:
            continue
        deaths = sum(g["deaths"] for g in gangs)
        crowded = sum(g["crowded_death_rate"] * g["deaths"] for g in gangs)
        base = np.mean([g["crowded_base_rate"] for g in gangs])
        ratios = [g["ratio"] for g in gangs if g["ratio"] is not None]
        rows.append(f"| {scheme} | {deaths} | {crowded / max(deaths, 1):.3f} | {base:.3f} | "
                    f"{mean_std(ratios)} |")
    gang = reference["gang_up"]
    rows.append(f"| 3 x greedy (reference) | {gang['deaths']} | {gang['crowded_death_rate']:.3f} | "
                f"{gang['crowded_base_rate']:.3f} | {gang['ratio'] or 0:.2f} |")
    return "\n".join(rows)


def figures(runs: list[RunInfo], analyses: dict, tournament: dict) -> list[str]:
    written = []
    groups = {s: [r.run_dir for r in runs if r.scheme == s] for s in SCHEMES}
    groups = {s: dirs for s, dirs in groups.items() if dirs}
    fig, axes = new_figure(1, 2)
    plot_runs_on(axes[0, 0], groups, x_key="step", y_key="eval/mean_length", xlabel="environment steps",
                 ylabel="learner's final length", title="Training: length at game end")
    plot_runs_on(axes[0, 1], groups, x_key="step", y_key="eval/score", xlabel="environment steps",
                 ylabel="score vs sampled opponents", title="Training: score vs its opponents")
    for ax in axes[0]:
        ax.ticklabel_format(axis="x", style="sci", scilimits=(3, 3))
    written.append(str(save_figure(fig, FIGURES / "slitherin_training.png")))

    ratings = tournament["rating"]["ratings"]
    fig, axes = new_figure(1, 1, width=6)
    for colour, scheme in enumerate(groups):
        for run in (r for r in runs if r.scheme == scheme):
            points = sorted((int(n.split("@")[1]), v["mu"]) for n, v in ratings.items()
                            if n.split("@")[0] == run.name)
            xs, ys = zip(*points)
            axes[0, 0].plot(xs, ys, "o-", color=f"C{colour}", alpha=0.7,
                            label=scheme if run.seed == min(r.seed for r in runs if r.scheme == scheme) else None)
    axes[0, 0].ticklabel_format(axis="x", style="sci", scilimits=(3, 3))
    axes[0, 0].set(xlabel="environment steps of the snapshot", ylabel="OpenSkill μ",
                   title="Ratings of snapshots over time (one line per run)")
    axes[0, 0].grid(True, alpha=0.3)
    axes[0, 0].legend(fontsize="small")
    written.append(str(save_figure(fig, FIGURES / "slitherin_ratings.png")))

    metrics = [("final rating μ", lambda n: tournament["runs"][n]["final"]["mu"]),
               ("cycling rate", lambda n: tournament["runs"][n]["cycling"]["cycling_rate"]),
               ("exploiter score", lambda n: tournament["runs"][n]["exploit"]["exploiter_score"]),
               ("fruit per 100 steps", lambda n: analyses[n]["vs_greedy"]["fruit_per_100_steps"])]
    fig, axes = new_figure(1, len(metrics), width=3.4)
    for ax, (label, getter) in zip(axes[0], metrics):
        for position, scheme in enumerate(groups):
            values = [getter(r.name) for r in runs if r.scheme == scheme]
            ax.bar(position, np.mean(values), yerr=np.std(values), color=f"C{position}", alpha=0.6,
                   capsize=4)
            ax.plot([position] * len(values), values, "k.", markersize=6)
        ax.set_xticks(range(len(groups)), list(groups), rotation=30)
        ax.set_title(label)
        ax.grid(True, axis="y", alpha=0.3)
    written.append(str(save_figure(fig, FIGURES / "slitherin_schemes.png")))
    return written


def gifs(runs: list[RunInfo], tournament: dict) -> list[str]:
    """A two-snake game between the two best-rated final policies of different schemes, and a
    three-snake game of the best one against itself."""
    finals = sorted(runs, key=lambda r: -tournament["runs"][r.name]["final"]["mu"])
    best = finals[0]
    rival = next((r for r in finals if r.scheme != best.scheme), finals[-1])
    first, payload = load_player(best.final, seed=1)
    second, _ = load_player(rival.final, seed=2)
    env_kwargs = payload["extra"]["env_kwargs"]
    written = []
    frames, record = record_game([first, second], env_kwargs, EVAL_SEED, cell_pixels=24)
    written.append(str(save_gif(frames, FIGURES / "slitherin_game.gif", fps=8)))
    frames3, _ = record_game([first, first, first], dict(env_kwargs, num_snakes=3), EVAL_SEED + 1,
                               cell_pixels=24)
    written.append(str(save_gif(frames3, FIGURES / "slitherin_game3.gif", fps=8)))
    (FIGURES / "slitherin_gifs.json").write_text(json.dumps(
        {"slitherin_game.gif": {"green (snake_0)": best.name, "blue (snake_1)": rival.name,
                                "ranks": record.ranks, "steps": record.steps},
         "slitherin_game3.gif": {"all": best.name}}, indent=2) + "\n")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-root", type=pathlib.Path, default=pathlib.Path("runs"))
    parser.add_argument("--wait", type=int, default=0, help="analyse runs as they finish until this many exist")
    parser.add_argument("--behaviour-games", type=int, default=334)
    parser.add_argument("--crowd-games", type=int, default=100)
    parser.add_argument("--exploit-steps", type=int, default=30_000)
    parser.add_argument("--exploit-games", type=int, default=200)
    parser.add_argument("--rating-snapshots", type=int, default=3)
    parser.add_argument("--cycling-snapshots", type=int, default=4)
    parser.add_argument("--games-per-pair", type=int, default=6)
    parser.add_argument("--stage", choices=("all", "per-run", "cycling"), default="all",
                        help="per-run / cycling: only that stage (helper workers next to a full one)")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    if args.stage in ("all", "per-run"):
        runs, analyses = run_stage(args, "analysis.json", behaviour_and_exploit)
    if args.stage in ("all", "cycling"):
        runs, cycles = run_stage(args, "cycling.json", lambda run, a: cycling(
            pick_snapshots(run, a.cycling_snapshots), a.games_per_pair))
    if args.stage != "all":
        return 0
    tournament = global_stage(runs, analyses, cycles, args)
    written = figures(runs, analyses, tournament) + gifs(runs, tournament)
    table = results_table(runs, analyses, tournament, references(runs, args))
    crowd = crowd_table(runs, analyses, crowd_reference(runs, args))
    block = f"{START}\n{table}\n\nThree-snake self-play games (gang-ups):\n\n{crowd}\n{END}"
    text = DOC.read_text() if DOC.exists() else f"{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(before + block + after)
    log("wrote " + ", ".join(written + [str(DOC)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
