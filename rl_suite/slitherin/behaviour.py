"""Players, batched Slitherin' games, and behaviour measured by code over many games.

A player acts for one seat in a batch of games: `player.act(obs (B, 5, S, S), masks (B, 3),
games, seat) -> actions (B,)`. `PolicyPlayer` samples a trained `SlitherinPolicy` (as in
training); `RandomPlayer` and `GreedyPlayer` are scripted references.

`play_games(players, num_games, env_kwargs, seed)` plays `num_games` games, game i seeded with
`seed + i`, seat s played by `players[s]`, `batch` games at a time; it returns one `GameRecord`
per game with the final ranks (`selfplay.placement_ranks`) and, with `measure=True`, per-seat
behaviour counts. Definitions (all per seat, over the steps where that snake is alive):

- fruit distance: Manhattan distance from the head to the nearest fruit, before each move;
- fruit per 100 steps: fruits eaten / steps alive * 100;
- death causes: wall, self, body (another snake's body), head_on;
- kills: opponents that died on our body ("body" deaths credited to us); attack kills: those
  where our head, after our move of that step, was within Manhattan distance `NEAR` (2) of the
  victim's head: we moved next to its head and it ran into us;
- encirclements: an opponent whose reachable free area (cells 4-connected to its head) became
  smaller than its length (it cannot escape) while our body made up at least half of the
  occupied cells bordering that area; counted once per opponent and game;
- gang-ups (3+ snakes): a death with at least two other living heads within Manhattan distance
  `GANG_RADIUS` (3) of the victim's head, compared with the base rate of "two other heads that
  near" over all (snake, step) pairs: a ratio above 1 says deaths happen in crowds more often
  than crowds happen.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch
from scipy import ndimage

from rl_suite.algos.ppo import masked_logits
from rl_suite.core.checkpoint import load_checkpoint
from rl_suite.envs.slitherin import DEATH_CAUSES, SlitherinEnv, SlitherinError, agent_name, render_field
from rl_suite.envs.snake import DIRECTIONS, STRAIGHT
from rl_suite.slitherin.selfplay import SlitherinPolicy, placement_ranks

NEAR = 2
GANG_RADIUS = 3
EVAL_SEED = 50_000  # evaluation games use seeds EVAL_SEED + i (training uses small seeds)


class Player(Protocol):
    def act(self, obs: np.ndarray, masks: np.ndarray, games: list[SlitherinEnv], seat: int
            ) -> np.ndarray: ...


class PolicyPlayer:
    """A trained policy; samples its masked action distribution (`greedy`: argmax) with its own
    seeded generator, so games are reproducible."""

    def __init__(self, model: torch.nn.Module, *, greedy: bool = False, seed: int = 0) -> None:
        self.model, self.greedy = model, greedy
        self.generator = torch.Generator().manual_seed(seed)

    @torch.no_grad()
    def act(self, obs: np.ndarray, masks: np.ndarray, games: list[SlitherinEnv], seat: int
            ) -> np.ndarray:
        logits, _ = self.model(torch.as_tensor(obs))
        logits = masked_logits(logits, torch.as_tensor(masks))
        if self.greedy:
            return logits.argmax(dim=1).numpy()
        probabilities = torch.softmax(logits, dim=1)
        return torch.multinomial(probabilities, 1, generator=self.generator).squeeze(1).numpy()


class RandomPlayer:
    """Uniform over the actions that do not die at once (all three when none is safe)."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, obs: np.ndarray, masks: np.ndarray, games: list[SlitherinEnv], seat: int
            ) -> np.ndarray:
        allowed = masks | ~masks.any(axis=1, keepdims=True)
        return np.array([self.rng.choice(np.flatnonzero(row)) for row in allowed])


class GreedyPlayer:
    """Among the moves that do not die at once, the one nearest (Manhattan) to the nearest
    fruit; ties: straight, then left, then right. Reads the game state, not the window."""

    def act(self, obs: np.ndarray, masks: np.ndarray, games: list[SlitherinEnv], seat: int
            ) -> np.ndarray:
        actions = []
        for game, mask in zip(games, masks):
            fruit = np.argwhere(game.fruit)
            head = game.head(seat)
            best, best_key = STRAIGHT, None
            for action in (STRAIGHT, 0, 2):
                heading = (int(game.headings[seat]) + action - STRAIGHT) % 4
                cell = np.array(head) + DIRECTIONS[heading]
                distance = np.abs(fruit - cell).sum(axis=1).min() if len(fruit) else 0
                key = (not mask[action], distance)
                if best_key is None or key < best_key:
                    best, best_key = action, key
            actions.append(best)
        return np.array(actions)


def load_player(path: str | pathlib.Path, *, seed: int = 0, greedy: bool = False) -> tuple[PolicyPlayer, dict]:
    """A `PolicyPlayer` for a `SlitherinPolicy` checkpoint, and the checkpoint's payload."""
    model, payload = load_checkpoint(path)
    if not isinstance(model, SlitherinPolicy):
        raise SlitherinError(f"{path} holds a {type(model).__name__}, not a SlitherinPolicy")
    return PolicyPlayer(model, seed=seed, greedy=greedy), payload


@dataclass
class GameRecord:
    """One finished game: ranks (1 = best) and, when measured, per-seat counts."""

    ranks: list[int]
    steps: int
    seat_stats: list[dict[str, float]] = field(default_factory=list)
    gang: dict[str, int] = field(default_factory=dict)


def _empty_stats() -> dict[str, float]:
    stats = {"steps_alive": 0, "fruit": 0, "fruit_distance_sum": 0.0, "kills": 0,
             "attack_kills": 0, "encirclements": 0, "final_length": 0}
    stats.update({f"death_{cause}": 0 for cause in DEATH_CAUSES})
    return stats


def _manhattan(a: tuple[int, int], b: tuple[int, int]) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _encircler(game: SlitherinEnv, victim: int, owner: np.ndarray) -> int | None:
    """The snake enclosing `victim` (module docstring), or None."""
    free = owner < 0
    labels, _ = ndimage.label(free)
    head = game.head(victim)
    regions = set()
    for direction in DIRECTIONS:
        row, col = head[0] + int(direction[0]), head[1] + int(direction[1])
        if 0 <= row < game.height and 0 <= col < game.width and labels[row, col] > 0:
            regions.add(int(labels[row, col]))
    area = np.isin(labels, list(regions)) if regions else np.zeros_like(free)
    if area.sum() >= len(game.bodies[victim]):
        return None
    area[head] = True  # the border of the area together with the head cell itself
    border = ndimage.binary_dilation(area) & ~free
    owners = owner[border]
    owners = owners[owners != victim]
    if len(owners) == 0:
        return None
    counts = np.bincount(owners, minlength=game.num_snakes)
    enclosing = int(counts.argmax())
    return enclosing if counts[enclosing] * 2 >= (owner[border] >= 0).sum() else None


def play_games(players: list[Player], num_games: int, env_kwargs: dict[str, Any], *,
               seed: int = EVAL_SEED, batch: int = 64, measure: bool = False) -> list[GameRecord]:
    """Play `num_games` games (module docstring); `len(players)` must equal num_snakes."""
    if num_games < 1 or batch < 1:
        raise SlitherinError("num_games and batch must be >= 1")
    records: list[GameRecord] = []
    for first in range(0, num_games, batch):
        games = [SlitherinEnv(**env_kwargs) for _ in range(min(batch, num_games - first))]
        if len(players) != games[0].num_snakes:
            raise SlitherinError(f"{len(players)} players for {games[0].num_snakes} snakes")
        records += _play_batch(players, games, seed + first, measure)
    return records


def _play_batch(players: list[Player], games: list[SlitherinEnv], seed: int, measure: bool
                ) -> list[GameRecord]:
    num_snakes = games[0].num_snakes
    observations, infos = [], []
    for index, game in enumerate(games):
        obs, info = game.reset(seed=seed + index)
        observations.append(obs)
        infos.append(info)
    stats = [[_empty_stats() for _ in range(num_snakes)] for _ in games]
    gang = [{"deaths": 0, "deaths_crowded": 0, "snake_steps": 0, "snake_steps_crowded": 0}
            for _ in games]
    encircled = [set() for _ in games]
    while any(game.agents for game in games):
        actions: list[dict[str, int]] = [{} for _ in games]
        for seat in range(num_snakes):
            name = agent_name(seat)
            live = [i for i, game in enumerate(games) if name in game.agents]
            if not live:
                continue
            chosen = players[seat].act(np.stack([observations[i][name] for i in live]),
                                       np.stack([infos[i][name]["action_mask"] for i in live]),
                                       [games[i] for i in live], seat)
            for i, action in zip(live, chosen):
                actions[i][name] = int(action)
        for i, game in enumerate(games):
            if not game.agents:
                continue
            movers = [game.agent_name_mapping[a] for a in game.agents]
            if measure:
                _measure_before(game, movers, stats[i], gang[i])
            obs, _, terminations, _, info = game.step(actions[i])
            observations[i].update(obs)
            infos[i].update(info)
            if measure:
                _measure_after(game, movers, terminations, stats[i], gang[i], encircled[i])
    records = []
    for i, game in enumerate(games):
        for seat in range(num_snakes):
            stats[i][seat]["final_length"] = len(game.bodies[seat])
        records.append(GameRecord(placement_ranks(game), game.steps,
                                  stats[i] if measure else [], gang[i] if measure else {}))
    return records


def _measure_before(game: SlitherinEnv, movers: list[int], stats: list[dict[str, float]],
                    gang: dict[str, int]) -> None:
    fruit = np.argwhere(game.fruit)
    for index in movers:
        head = game.head(index)
        stats[index]["steps_alive"] += 1
        stats[index]["_length_before"] = len(game.bodies[index])
        if len(fruit):
            stats[index]["fruit_distance_sum"] += float(np.abs(fruit - head).sum(axis=1).min())
        if game.num_snakes >= 3:
            near = sum(_manhattan(head, game.head(o)) <= GANG_RADIUS for o in movers if o != index)
            gang["snake_steps"] += 1
            gang["snake_steps_crowded"] += near >= 2


def _measure_after(game: SlitherinEnv, movers: list[int], terminations: dict[str, bool],
                   stats: list[dict[str, float]], gang: dict[str, int], encircled: set[int]) -> None:
    for index in movers:
        if len(game.bodies[index]) > stats[index].pop("_length_before"):
            stats[index]["fruit"] += 1
        if not terminations[agent_name(index)]:
            continue
        cause = game.death_cause[index]
        stats[index][f"death_{cause}"] += 1
        victim_head = game.head(index)
        killer = game.killer[index]
        if cause == "body" and killer != index:
            stats[killer]["kills"] += 1
            if game.alive[killer] and _manhattan(game.head(killer), victim_head) <= NEAR:
                stats[killer]["attack_kills"] += 1
        if game.num_snakes >= 3:
            others = [o for o in movers if o != index]
            near = sum(_manhattan(victim_head, game.head(o)) <= GANG_RADIUS for o in others)
            gang["deaths"] += 1
            gang["deaths_crowded"] += near >= 2
    if game.num_snakes >= 2 and len(game.agents) >= 1:
        owner = game.owner_grid()
        for index in np.flatnonzero(game.alive):
            if index in encircled:
                continue
            enclosing = _encircler(game, int(index), owner)
            if enclosing is not None:
                encircled.add(int(index))
                stats[enclosing]["encirclements"] += 1


def summarise(records: list[GameRecord], seat: int = 0) -> dict[str, Any]:
    """Per-seat behaviour summary and win/draw/loss of `seat` against every other seat."""
    if not records:
        raise SlitherinError("no games to summarise")
    totals = _empty_stats()
    for record in records:
        for key in totals:
            totals[key] += record.seat_stats[seat][key] if record.seat_stats else 0
    games = len(records)
    wins = sum(all(r.ranks[seat] < r.ranks[o] for o in range(len(r.ranks)) if o != seat) for r in records)
    losses = sum(any(r.ranks[o] < r.ranks[seat] for o in range(len(r.ranks)) if o != seat)
                 for r in records)
    summary = {"games": games, "win_rate": wins / games, "loss_rate": losses / games,
               "draw_rate": (games - wins - losses) / games,
               "mean_game_steps": float(np.mean([r.steps for r in records]))}
    if records[0].seat_stats:
        steps = max(1, totals["steps_alive"])
        deaths = sum(totals[f"death_{c}"] for c in DEATH_CAUSES)
        summary.update({
            "mean_fruit_distance": totals["fruit_distance_sum"] / steps,
            "fruit_per_100_steps": 100.0 * totals["fruit"] / steps,
            "mean_final_length": totals["final_length"] / games,
            "mean_steps_alive": totals["steps_alive"] / games,
            "deaths_per_game": deaths / games,
            "death_causes": {c: (totals[f"death_{c}"] / deaths if deaths else 0.0) for c in DEATH_CAUSES},
            "kills_per_game": totals["kills"] / games,
            "attack_kills_per_game": totals["attack_kills"] / games,
            "encirclements_per_game": totals["encirclements"] / games,
        })
        if records[0].gang:
            deaths_all = sum(r.gang["deaths"] for r in records)
            crowded = sum(r.gang["deaths_crowded"] for r in records)
            steps_all = sum(r.gang["snake_steps"] for r in records)
            steps_crowded = sum(r.gang["snake_steps_crowded"] for r in records)
            death_rate = crowded / deaths_all if deaths_all else 0.0
            base_rate = steps_crowded / steps_all if steps_all else 0.0
            summary["gang_up"] = {"deaths": deaths_all, "crowded_death_rate": death_rate,
                                  "crowded_base_rate": base_rate,
                                  "ratio": death_rate / base_rate if base_rate else None}
    return summary


def record_game(players: list[Player], env_kwargs: dict[str, Any], seed: int, *,
                cell_pixels: int = 16) -> tuple[list[np.ndarray], GameRecord]:
    """Play one game seeded `seed`; return its RGB frames and record."""
    game = SlitherinEnv(**env_kwargs)
    observations, infos = game.reset(seed=seed)
    frames = [render_field(game, cell_pixels)]
    while game.agents:
        actions = {}
        for name in game.agents:
            seat = game.agent_name_mapping[name]
            actions[name] = int(players[seat].act(observations[name][None],
                                                  infos[name]["action_mask"][None], [game], seat)[0])
        obs, _, _, _, info = game.step(actions)
        observations.update(obs)
        infos.update(info)
        frames.append(render_field(game, cell_pixels))
    return frames, GameRecord(placement_ranks(game), game.steps)


@dataclass
class EvaluateConfig:
    """Play a checkpoint (seat 0) against opponents over many fixed-seed games; report win rate
    and behaviour metrics."""

    checkpoint: pathlib.Path
    """A SlitherinPolicy checkpoint (e.g. runs/slitherin/pfsp_s0/final.pt)."""
    opponent: str = "greedy"
    """"random", "greedy", "self" (the same policy in every seat) or a checkpoint path."""
    games: int = 1000
    """Number of games (game i uses seed `seed + i`)."""
    num_snakes: int = 2
    """Snakes per game; seats 1.. are all played by the opponent."""
    seed: int = EVAL_SEED
    """Seed of the first game."""
    gif: pathlib.Path | None = None
    """Also record the first game as an animated GIF here."""


def make_opponent(spec: str, seed: int, own: PolicyPlayer) -> Player:
    """The opponent player named by `spec` (EvaluateConfig.opponent)."""
    if spec == "random":
        return RandomPlayer(seed)
    if spec == "greedy":
        return GreedyPlayer()
    if spec == "self":
        return own
    if not pathlib.Path(spec).is_file():
        raise SlitherinError(f"opponent {spec!r} is neither random/greedy/self nor a checkpoint file")
    return load_player(spec, seed=seed + 1)[0]


def evaluate_command(config: EvaluateConfig) -> dict[str, Any]:
    """The `evaluate` subcommand: summary of seat 0 over `config.games` games."""
    player, payload = load_player(config.checkpoint, seed=config.seed)
    env_kwargs = dict(payload["extra"].get("env_kwargs", {}))
    if not env_kwargs:
        raise SlitherinError(f"{config.checkpoint} does not record its env_kwargs")
    env_kwargs["num_snakes"] = config.num_snakes
    opponent = make_opponent(config.opponent, config.seed, player)
    players = [player] + [opponent] * (config.num_snakes - 1)
    records = play_games(players, config.games, env_kwargs, seed=config.seed, measure=True)
    summary = {"checkpoint": str(config.checkpoint), "opponent": config.opponent,
               "num_snakes": config.num_snakes, **summarise(records)}
    if config.gif is not None:
        from rl_suite.snake.cli import save_gif

        frames, _ = record_game(players, env_kwargs, config.seed)
        summary["gif"] = str(save_gif(frames, config.gif, fps=8))
    return summary
