"""Which opponent scheme works best: tournament ratings, cycling and exploitability.

- `discover_runs(runs_root)`: every finished run (a result.json) under `<runs_root>/slitherin/`.
- `round_robin(players, games_per_pair)`: every pair plays `games_per_pair` two-snake games
  (fixed seeds, the same for every pair); all games, in a seeded random order, update OpenSkill
  Plackett-Luce ratings (openskill 6.2), reported as mu, sigma and the conservative ordinal
  mu - 3 sigma.
- `cycling(snapshots, games)`: within one run, every later snapshot plays every earlier one; the
  cycling rate is the fraction of (later, earlier) pairs in which the later one scores below
  1/2 (it lost ground to its own past).
- `train_exploiter(target, steps)`: a fresh policy trained by PPO for `steps` environment steps
  against the frozen `target` only (scheme "fixed"); its score against the target measures how
  exploitable the target is (1/2: not exploitable within that budget).

A score is (wins + draws / 2) / games of the first player, by `selfplay.placement_ranks`.
"""

from __future__ import annotations

import itertools
import json
import pathlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from rl_suite.algos.ppo import PPOConfig, train_ppo
from rl_suite.core.checkpoint import load_checkpoint, save_checkpoint
from rl_suite.envs.slitherin import SlitherinError
from rl_suite.slitherin.behaviour import EVAL_SEED, PolicyPlayer, load_player, play_games
from rl_suite.slitherin.opponents import OpponentPool
from rl_suite.slitherin.selfplay import (
    RESULT_FILE,
    SelfPlayVectorEnv,
    SlitherinPolicy,
    outcome_against,
)

EXPLOIT_FILE = "exploit.json"


@dataclass
class RunInfo:
    """A finished self-play run."""

    name: str
    scheme: str
    seed: int
    run_dir: pathlib.Path
    final: pathlib.Path
    snapshots: list[tuple[int, pathlib.Path]]  # (step, path), by step; the final is not included
    global_step: int


def discover_runs(runs_root: str | pathlib.Path, experiment: str = "slitherin") -> list[RunInfo]:
    """The runs with a result.json under `<runs_root>/<experiment>/`, sorted by name."""
    runs = []
    for result_path in sorted(pathlib.Path(runs_root, experiment).glob(f"*/{RESULT_FILE}")):
        result = json.loads(result_path.read_text())
        run_dir = result_path.parent
        snapshots = sorted((int(p.stem.split("_")[1]), p) for p in (run_dir / "snapshots").glob("step_*.pt"))
        runs.append(RunInfo(run_dir.name, result["scheme"], int(result["seed"]), run_dir,
                            run_dir / "final.pt", snapshots, int(result["global_step"])))
    return runs


def pick_snapshots(run: RunInfo, count: int) -> list[tuple[int, pathlib.Path]]:
    """`count` snapshots evenly spread over the run (the last is the final policy), step 0 (the
    untrained initial policy) excluded."""
    if count < 1:
        raise SlitherinError(f"count must be >= 1, got {count}")
    trained = [s for s in run.snapshots if s[0] > 0] + [(run.global_step, run.final)]
    positions = np.linspace(0, len(trained) - 1, min(count, len(trained))).round().astype(int)
    return [trained[p] for p in sorted(set(positions.tolist()))]


def head_to_head(first: PolicyPlayer, second: PolicyPlayer, games: int, env_kwargs: dict[str, Any],
                 *, seed: int = EVAL_SEED) -> list[float]:
    """Outcomes (1 / 0.5 / 0) for `first` of `games` two-snake games against `second`."""
    kwargs = dict(env_kwargs, num_snakes=2)
    records = play_games([first, second], games, kwargs, seed=seed, batch=games)
    return [outcome_against(record.ranks, 0, 1) for record in records]


def round_robin(players: dict[str, pathlib.Path], games_per_pair: int, *, seed: int = EVAL_SEED
                ) -> dict[str, Any]:
    """All pairs of `players` (name -> checkpoint) play; return pair scores and ratings."""
    from openskill.models import PlackettLuce

    if len(players) < 2:
        raise SlitherinError("a round robin needs at least 2 players")
    loaded = {name: load_player(path, seed=seed + i) for i, (name, path) in enumerate(players.items())}
    env_kwargs = next(iter(loaded.values()))[1]["extra"]["env_kwargs"]
    games: list[tuple[str, str, float]] = []
    pair_scores: dict[str, float] = {}
    for a, b in itertools.combinations(players, 2):
        outcomes = head_to_head(loaded[a][0], loaded[b][0], games_per_pair, env_kwargs, seed=seed)
        pair_scores[f"{a} vs {b}"] = float(np.mean(outcomes))
        games += [(a, b, outcome) for outcome in outcomes]
    model = PlackettLuce()
    ratings = {name: model.rating(name=name) for name in players}
    for index in np.random.default_rng(seed).permutation(len(games)):
        a, b, outcome = games[index]
        ranks = [1, 2] if outcome == 1.0 else [2, 1] if outcome == 0.0 else [1, 1]
        [[ratings[a]], [ratings[b]]] = model.rate([[ratings[a]], [ratings[b]]], ranks=ranks)
    table = {name: {"mu": r.mu, "sigma": r.sigma, "ordinal": r.ordinal()} for name, r in ratings.items()}
    return {"ratings": table, "pair_scores": pair_scores, "games": len(games),
            "games_per_pair": games_per_pair}


def cycling(snapshots: list[tuple[int, pathlib.Path]], games: int, *, seed: int = EVAL_SEED
            ) -> dict[str, Any]:
    """Later-vs-earlier scores within one run (module docstring)."""
    if len(snapshots) < 2:
        raise SlitherinError("cycling needs at least 2 snapshots")
    loaded = [load_player(path, seed=seed + i) for i, (_, path) in enumerate(snapshots)]
    env_kwargs = loaded[0][1]["extra"]["env_kwargs"]
    pairs = []
    for earlier, later in itertools.combinations(range(len(snapshots)), 2):
        score = float(np.mean(head_to_head(loaded[later][0], loaded[earlier][0], games, env_kwargs,
                                           seed=seed)))
        pairs.append({"later_step": snapshots[later][0], "earlier_step": snapshots[earlier][0],
                      "later_score": score})
    losses = [p["later_score"] < 0.5 for p in pairs]
    return {"pairs": pairs, "cycling_rate": float(np.mean(losses)),
            "mean_later_score": float(np.mean([p["later_score"] for p in pairs])),
            "games_per_pair": games}


def train_exploiter(target: pathlib.Path, steps: int, *, seed: int = 0, eval_games: int = 200,
                    save_to: pathlib.Path | None = None) -> dict[str, Any]:
    """Train a fresh policy against the frozen `target` for `steps` steps; return its score
    against the target over `eval_games` games (and the score of the untrained policy, the
    baseline the training has to beat)."""
    target_model, payload = load_checkpoint(target)
    if not isinstance(target_model, SlitherinPolicy):
        raise SlitherinError(f"{target} holds a {type(target_model).__name__}, not a SlitherinPolicy")
    env_kwargs = payload["extra"]["env_kwargs"]
    run_config = payload["config"]
    config = PPOConfig(seed=seed, total_timesteps=steps, num_envs=run_config["num_envs"],
                       num_steps=run_config["num_steps"], learning_rate=run_config["learning_rate"],
                       num_minibatches=run_config["num_minibatches"],
                       update_epochs=run_config["update_epochs"], progress=False, tensorboard=False)
    model_kwargs = dict(payload["model_kwargs"])
    exploiter = SlitherinPolicy(**model_kwargs)
    untrained = PolicyPlayer(SlitherinPolicy(**model_kwargs), seed=seed)
    pool = OpponentPool(target_model, "fixed")
    envs = SelfPlayVectorEnv(config.num_envs, env_kwargs, pool, sync_every=config.num_steps)
    result = train_ppo(config, envs, exploiter, show_progress=False)
    exploiter.eval()
    target_player = PolicyPlayer(target_model, seed=seed + 1)
    score = float(np.mean(head_to_head(PolicyPlayer(exploiter, seed=seed), target_player,
                                       eval_games, env_kwargs)))
    baseline = float(np.mean(head_to_head(untrained, target_player, eval_games, env_kwargs)))
    if save_to is not None:
        save_checkpoint(save_to, exploiter, model_kwargs=model_kwargs, step=result.global_step,
                        extra={"target": str(target), "env_kwargs": env_kwargs})
    return {"target": str(target), "steps": result.global_step, "exploiter_score": score,
            "untrained_score": baseline, "eval_games": eval_games,
            "train_seconds": result.train_seconds}


@dataclass
class TournamentConfig:
    """Rate the finished runs' policies: round robin (finals and snapshots over time), cycling
    within each run, and (optionally) exploiters against each final policy."""

    runs_root: pathlib.Path = pathlib.Path("runs")
    """Directory holding `slitherin/<run>/result.json` of finished runs."""
    experiment: str = "slitherin"
    """Experiment directory under runs_root."""
    games_per_pair: int = 6
    """Games per pair in the round robin and in the cycling matrix."""
    snapshots_in_rating: int = 2
    """Policies per run in the round robin (evenly spread; the last is the final policy)."""
    cycling_snapshots: int = 4
    """Snapshots per run in the later-vs-earlier cycling matrix."""
    exploit_steps: int = 0
    """Environment steps of each exploiter (0: skip exploitability)."""
    exploit_games: int = 200
    """Evaluation games of each exploiter against its target."""
    seed: int = EVAL_SEED
    """Seed of the first game of every pairing."""
    output: pathlib.Path | None = None
    """Write the result as JSON here (default: <runs_root>/<experiment>/tournament.json)."""
    quick: bool = False
    """Tiny settings for tests: 2 games per pair, 2 snapshots, exploiters of 256 steps."""


def tournament_command(config: TournamentConfig) -> dict[str, Any]:
    """The `tournament` subcommand; returns (and writes) the full result."""
    if config.quick:
        config = replace(config, games_per_pair=2, snapshots_in_rating=2, cycling_snapshots=2,
                         exploit_steps=256 if config.exploit_steps else 0, exploit_games=4)
    runs = discover_runs(config.runs_root, config.experiment)
    if not runs:
        raise SlitherinError(f"no finished runs under {config.runs_root / config.experiment}")
    players = {}
    for run in runs:
        for step, path in pick_snapshots(run, config.snapshots_in_rating):
            players[f"{run.name}@{step}"] = path
    rating = round_robin(players, config.games_per_pair, seed=config.seed)
    per_run: dict[str, dict[str, Any]] = {}
    for run in runs:
        entry: dict[str, Any] = {"scheme": run.scheme, "seed": run.seed,
                                 "final": rating["ratings"][f"{run.name}@{run.global_step}"]}
        snapshots = pick_snapshots(run, config.cycling_snapshots)
        if len(snapshots) >= 2:
            entry["cycling"] = cycling(snapshots, config.games_per_pair, seed=config.seed)
        if config.exploit_steps:
            entry["exploit"] = train_exploiter(run.final, config.exploit_steps, seed=run.seed,
                                               eval_games=config.exploit_games)
        per_run[run.name] = entry
    result = {"runs": per_run, "rating": rating, "schemes": scheme_table(per_run)}
    output = config.output or config.runs_root / config.experiment / "tournament.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    result["output"] = str(output)
    return result


def scheme_table(per_run: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Mean and std over seeds, per scheme, of final rating, cycling rate and exploiter score."""
    table: dict[str, dict[str, Any]] = {}
    for scheme in sorted({entry["scheme"] for entry in per_run.values()}):
        entries = [e for e in per_run.values() if e["scheme"] == scheme]
        row: dict[str, Any] = {"runs": len(entries)}
        columns = {"final_mu": [e["final"]["mu"] for e in entries],
                   "final_ordinal": [e["final"]["ordinal"] for e in entries],
                   "cycling_rate": [e["cycling"]["cycling_rate"] for e in entries if "cycling" in e],
                   "exploiter_score": [e["exploit"]["exploiter_score"] for e in entries if "exploit" in e]}
        for key, values in columns.items():
            if values:
                row[key] = {"mean": float(np.mean(values)), "std": float(np.std(values)),
                            "values": [float(v) for v in values]}
        table[scheme] = row
    return table
