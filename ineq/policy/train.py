"""Expert iteration for the policy: search with the current scorer, learn from the traces, repeat.

Iteration k runs the proof search (`ineq.search.search`, with `record_trace=True`) on a fresh chunk of the
train split with the current scorer (the hand-written heuristic at k = 0, the network fitted at k - 1
after that), turns the traces into per-goal examples and fits a new network on the examples of every
iteration so far. Each search runs in its own forked process with a hard kill, at most `workers` at once.

Examples (one per goal the search expanded): the goal's encoding; `positives`, the tactics that closed
the goal (kernel-checked) or that were a step of the final proof; `tried`, every tactic pulled at that
goal; `proved`, whether some tactic worked there. The policy head learns a distribution that is uniform
over the positives (on goals with any), the value head learns `proved`.

Public API: `SearchJobResult`, `run_searches`, `GoalExample`, `examples_from_result`, `problem_chunks`,
`PolicyTrainConfig`, `fit_policy`, `expert_iteration`, `save_policy`.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import multiprocessing.connection
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ineq.policy.features import (
    FEATURE_NAMES,
    MAX_TOKENS,
    PAD_ID,
    VOCABULARY,
    EncodedGoal,
    encode_goal,
)
from ineq.problem import Problem
from rl_suite.core.config import RunConfig

# Seconds a search process gets past its own deadline before it is killed (a solver inside C code).
KILL_GRACE = 2.0


# ---- running searches in killable worker processes -----------------------------------------------


@dataclass
class SearchJobResult:
    """One search: `nodes` expansions used (at the proof when proved), `seconds` of search wall time,
    `killed` when the hard limit had to end it; with `record_trace`, the trace and the encoding of every
    goal the scorer saw (keyed by `str(goal)`, as in the trace)."""

    id: str
    proved: bool
    nodes: int
    seconds: float
    killed: bool = False
    tactics: list[str] = field(default_factory=list)
    trace: list[dict] = field(default_factory=list)
    encodings: dict[str, EncodedGoal] = field(default_factory=dict)
    error: str | None = None


def run_searches(jobs: Sequence[tuple[str, Problem]], scorer: Callable, seconds: float, max_nodes: int,
                 workers: int = 2, record_trace: bool = False,
                 on_result: Callable[[SearchJobResult], None] | None = None) -> list[SearchJobResult]:
    """Search every `(id, problem)` of `jobs` with `scorer`, `seconds` of wall time and `max_nodes`
    expansions each, in forked processes (at most `workers` at once, each killed `KILL_GRACE` s after its
    deadline). Returns the results in job order; `on_result` sees each as it arrives."""
    context = multiprocessing.get_context("fork")
    results: dict[int, SearchJobResult] = {}
    running: dict = {}  # connection -> (index, process, kill time, start)
    pending = list(enumerate(jobs))
    while pending or running:
        while pending and len(running) < workers:
            index, (job_id, problem) = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_search_child, daemon=True,
                                      args=(job_id, problem, scorer, seconds, max_nodes, record_trace, sender))
            started = time.monotonic()
            process.start()
            sender.close()
            running[receiver] = (index, process, started + seconds + KILL_GRACE, started)
        next_kill = min(kill_at for _, _, kill_at, _ in running.values())
        ready = multiprocessing.connection.wait(list(running), timeout=max(0.0, next_kill - time.monotonic()))
        now = time.monotonic()
        for connection in list(running):
            index, process, kill_at, started = running[connection]
            job_id = jobs[index][0]
            if connection in ready:
                try:
                    result = connection.recv()
                except EOFError:
                    result = SearchJobResult(job_id, False, 0, now - started, error="search process died")
            elif now >= kill_at:
                result = SearchJobResult(job_id, False, max_nodes, now - started, killed=True)
            else:
                continue
            process.kill()
            process.join(1.0)
            connection.close()
            del running[connection]
            results[index] = result
            if on_result is not None:
                on_result(result)
    return [results[index] for index in range(len(jobs))]


def _search_child(job_id: str, problem: Problem, scorer: Callable, seconds: float, max_nodes: int,
                  record_trace: bool, connection) -> None:
    from ineq.search import SearchStats, search
    from ineq.tactics.base import Deadline

    encodings: dict[str, EncodedGoal] = {}

    def recording_scorer(goal: Problem, names: Sequence[str]) -> Sequence[float]:
        encodings[str(goal)] = encode_goal(goal)
        return scorer(goal, names)

    stats = SearchStats()
    started = time.monotonic()
    try:
        proof = search(problem, Deadline(started + seconds), scorer=recording_scorer if record_trace else scorer,
                       max_nodes=max_nodes, stats=stats, record_trace=record_trace)
        result = SearchJobResult(job_id, proof is not None, stats.nodes, time.monotonic() - started,
                                 tactics=proof.tactics if proof is not None else [], trace=stats.trace,
                                 encodings=encodings)
    except Exception as error:  # noqa: BLE001 - a bug in a tactic must not stop a data-collection pass
        result = SearchJobResult(job_id, False, stats.nodes, time.monotonic() - started,
                                 error=f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}")
    connection.send(result)
    connection.close()


# ---- examples ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalExample:
    """What one expanded goal teaches: see the module docstring."""

    problem_id: str
    encoded: EncodedGoal
    positives: tuple[str, ...]
    tried: tuple[str, ...]

    @property
    def proved(self) -> bool:
        return bool(self.positives)

    def to_json(self) -> dict:
        return {"problem_id": self.problem_id, "tokens": list(self.encoded.token_ids),
                "features": list(self.encoded.features), "positives": list(self.positives), "tried": list(self.tried)}

    @classmethod
    def from_json(cls, data: dict) -> GoalExample:
        return cls(data["problem_id"], EncodedGoal(tuple(data["tokens"]), tuple(data["features"])),
                   tuple(data["positives"]), tuple(data["tried"]))


def examples_from_result(result: SearchJobResult) -> list[GoalExample]:
    """One example per goal of the trace (in order of first expansion)."""
    by_goal: dict[str, tuple[list[str], list[str]]] = {}
    for entry in result.trace:
        positives, tried = by_goal.setdefault(entry["goal"], ([], []))
        if entry["tactic"] not in tried:
            tried.append(entry["tactic"])
        worked = entry["outcome"] == "closed" or entry.get("in_proof", False)
        if worked and entry["tactic"] not in positives:
            positives.append(entry["tactic"])
    return [GoalExample(result.id, result.encodings[goal], tuple(positives), tuple(tried))
            for goal, (positives, tried) in by_goal.items() if goal in result.encodings]


def problem_chunks(entries: list, size: int, count: int, skip: int = 0) -> list[list]:
    """`count` disjoint chunks of `size` entries, in the deterministic order of sha256(id), after the
    first `skip` entries of that order."""
    ordered = sorted(entries, key=lambda e: hashlib.sha256(e.id.encode()).hexdigest())[skip:]
    return [ordered[k * size:(k + 1) * size] for k in range(count)]


# ---- fitting -------------------------------------------------------------------------------------


def tensorize(examples: Sequence[GoalExample], tactic_names: Sequence[str]):
    """All examples as one `PolicyBatch` with targets (tensors on the cpu)."""
    import torch

    from ineq.policy.model import PolicyBatch
    from ineq.policy.scorer import collate

    batch = collate([example.encoded for example in examples])
    index = {name: i for i, name in enumerate(tactic_names)}
    target = torch.zeros(len(examples), len(tactic_names))
    for row, example in enumerate(examples):
        known = [index[name] for name in example.positives if name in index]
        for column in known:
            target[row, column] = 1.0 / len(known)
    tried = torch.zeros(len(examples), len(tactic_names), dtype=torch.bool)
    for row, example in enumerate(examples):
        for name in example.tried:
            if name in index:
                tried[row, index[name]] = True
    has_policy = target.sum(-1) > 0
    value = torch.tensor([float(example.proved) for example in examples])
    return PolicyBatch(batch.tokens, batch.features, target, has_policy, tried, value)


def _rows(batch, rows):
    from ineq.policy.model import PolicyBatch

    return PolicyBatch(*(getattr(batch, name)[rows] for name in ("tokens", "features", "policy_target",
                                                                  "has_policy", "tried", "value_target")))


def _loss_and_metrics(model, batch):
    out, loss = model(batch)
    metrics = {"value_accuracy": float(((out.value_logit > 0).float() == batch.value_target).float().mean())}
    if bool(batch.has_policy.any()):
        chosen = out.policy_logits[batch.has_policy].argmax(-1)
        hit = batch.policy_target[batch.has_policy].gather(1, chosen[:, None]).squeeze(1) > 0
        metrics["policy_top1"] = float(hit.float().mean())
    return loss, metrics


@dataclass
class PolicyTrainConfig(RunConfig):
    """Expert iteration for the search policy (see `ineq.policy.train`)."""

    experiment: str = "policy"
    """Experiment name; runs are written under `<runs_root>/policy/<name>/`."""
    iterations: int = 2
    """Expert-iteration rounds (search + fit)."""
    problems_per_iteration: int = 150
    """Train-split problems searched per round (a fresh, disjoint chunk each round)."""
    seconds_per_problem: float = 5.0
    """Wall-clock budget of one search."""
    max_nodes: int = 80
    """Expansion budget of one search."""
    workers: int = 2
    """Search processes at once."""
    first_scorer: str = "heuristic"
    """Scorer of round 0: heuristic, uniform, or the path of a policy checkpoint (to continue a run)."""
    skip_problems: int = 0
    """Skip this many problems of the hash order first (those an earlier run already searched)."""
    extra_data: tuple[Path, ...] = ()
    """examples.jsonl files of earlier runs, added to the training data of every round."""
    steps: int = 600
    """Most optimizer updates per fit."""
    epochs: float = 25.0
    """Updates per fit are also capped at this many passes over the training goals (small data overfits)."""
    batch_size: int = 48
    """Goals per update."""
    lr: float = 2e-3
    """Peak AdamW learning rate (linear warmup, cosine decay)."""
    weight_decay: float = 0.01
    """AdamW weight decay."""
    width: int = 64
    """Transformer width."""
    layers: int = 1
    """Transformer blocks."""
    heads: int = 4
    """Attention heads."""
    dropout: float = 0.1
    """Dropout in the blocks and the trunk."""
    prior_scale: float = 1.0
    """Search score: weight of log p(tactic | goal)."""
    value_scale: float = 1.0
    """Search score: weight of log v(goal)."""
    prior_kind: str = "sigmoid"
    """Search score: p(tactic | goal) as "sigmoid" (chance it works) or "softmax" (imitation prior)."""
    output: Path = Path("checkpoints/policy.pt")
    """Where the final checkpoint is written (also copied into the run directory)."""


def fit_policy(examples: Sequence[GoalExample], tactic_names: Sequence[str], config: PolicyTrainConfig,
               logger=None, device=None):
    """Fit a fresh `PolicyValueNet` on `examples`; return (model, model_kwargs, metrics dict).

    A tenth of the problems (by hash of the id) is held out for the eval metrics; the model of the
    last update is returned (the run is short and regularised, so no checkpoint selection)."""
    import torch

    from ineq.policy.model import PolicyValueNet
    from rl_suite.core.train import evaluate, fit, make_lr_schedule

    device = device or torch.device("cpu")
    held_out = [int(hashlib.sha256(e.problem_id.encode()).hexdigest()[:8], 16) % 10 == 0 for e in examples]
    train_rows = [i for i, held in enumerate(held_out) if not held] or list(range(len(examples)))
    eval_rows = [i for i, held in enumerate(held_out) if held] or train_rows
    data = tensorize(examples, tactic_names)
    kwargs = {"vocab_size": len(VOCABULARY), "num_features": len(FEATURE_NAMES), "num_tactics": len(tactic_names),
              "max_tokens": MAX_TOKENS, "width": config.width, "layers": config.layers, "heads": config.heads,
              "dropout": config.dropout, "pad_id": PAD_ID}
    model = PolicyValueNet(**kwargs).to(device)
    steps = max(1, min(config.steps, math.ceil(config.epochs * len(train_rows) / config.batch_size)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = make_lr_schedule(optimizer, total_steps=steps, warmup_steps=min(100, steps // 10),
                                 kind="cosine", final_fraction=0.05)
    generator = torch.Generator().manual_seed(config.seed)
    train_index = torch.tensor(train_rows)

    def batches():
        while True:
            chosen = train_index[torch.randint(len(train_index), (config.batch_size,), generator=generator)]
            yield _rows(data, chosen).to(device)

    eval_batch = _rows(data, torch.tensor(eval_rows)).to(device)
    result = fit(model, optimizer, batches(), _loss_and_metrics, max_steps=steps, grad_clip=1.0,
                 scheduler=scheduler, eval_fn=lambda m: evaluate(m, [eval_batch], _loss_and_metrics),
                 eval_every=max(1, steps // 4), logger=logger, show_progress=config.progress, desc="fit")
    final = dict(result.evals[-1]) if result.evals else {}
    final.update(train_goals=len(train_rows), eval_goals=len(eval_rows))
    return model.cpu().eval(), kwargs, final


def save_policy(path: Path, model, model_kwargs: dict, tactic_names: Sequence[str], config: PolicyTrainConfig,
                extra: dict | None = None) -> Path:
    """Write the checkpoint with everything `PolicyScorer.from_checkpoint` needs."""
    from rl_suite.core.checkpoint import save_checkpoint
    from rl_suite.core.config import config_to_dict

    payload = {"tactic_names": list(tactic_names), "feature_names": list(FEATURE_NAMES),
               "prior_scale": config.prior_scale, "value_scale": config.value_scale,
               "prior_kind": config.prior_kind, **(extra or {})}
    return save_checkpoint(path, model, model_kwargs=model_kwargs, config=config_to_dict(config), extra=payload)


def training_entries():
    """The train split without the known-false statements."""
    from ineq.datasets import load_all_datasets

    return [e for e in load_all_datasets() if e.split == "train" and e.collection != "false_statements"]


def expert_iteration(config: PolicyTrainConfig, entries=None) -> dict:
    """Run `config.iterations` rounds; write the run directory and `config.output`; return a summary."""
    import torch

    from ineq.policy import get_scorer
    from ineq.policy.scorer import PolicyScorer
    from ineq.tactics import TACTICS
    from rl_suite.core.config import config_to_dict
    from rl_suite.core.device import select_device
    from rl_suite.core.logging import RunLogger, make_run_dir
    from rl_suite.core.seeding import seed_everything

    torch.set_num_threads(1)  # the searches are forked from this process: no OpenMP pool may exist
    seed_everything(config.seed)
    device = select_device(config.device)
    run_dir = make_run_dir(config.runs_root, config.experiment, config.name)
    tactic_names = list(TACTICS)
    entries = training_entries() if entries is None else entries
    chunks = problem_chunks(entries, config.problems_per_iteration, config.iterations, config.skip_problems)
    examples: list[GoalExample] = []
    for path in config.extra_data:
        examples += [GoalExample.from_json(json.loads(line)) for line in Path(path).read_text().splitlines() if line]
    if config.first_scorer in ("heuristic", "uniform"):
        scorer = get_scorer(config.first_scorer)
    else:
        scorer = PolicyScorer.from_checkpoint(config.first_scorer, prior_scale=config.prior_scale,
                                              value_scale=config.value_scale, prior_kind=config.prior_kind)
    summary: dict = {"rounds": [], "device": str(device), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    started = time.monotonic()
    model = kwargs = None
    with RunLogger(run_dir, tensorboard=config.tensorboard, config=config_to_dict(config)) as logger:
        for round_index, chunk in enumerate(chunks):
            collect_start = time.monotonic()
            results = run_searches([(e.id, e.problem) for e in chunk], scorer, config.seconds_per_problem,
                                   config.max_nodes, workers=config.workers, record_trace=True)
            new = [example for result in results for example in examples_from_result(result)]
            with open(run_dir / f"results_round{round_index}.jsonl", "w") as handle:
                handle.writelines(json.dumps({"id": result.id, "proved": result.proved, "nodes": result.nodes,
                                             "seconds": round(result.seconds, 3), "killed": result.killed,
                                             "tactics": result.tactics, "error": result.error}) + "\n" for result in results)
            examples += new
            with open(run_dir / f"examples_round{round_index}.jsonl", "w") as handle:
                handle.writelines(json.dumps(example.to_json()) + "\n" for example in new)
            collect_seconds = time.monotonic() - collect_start
            fit_start = time.monotonic()
            model, kwargs, metrics = fit_policy(examples, tactic_names, config, logger=logger, device=device)
            record = {"round": round_index, "scorer": config.first_scorer if round_index == 0 else "policy",
                      "problems": len(chunk), "proved": sum(r.proved for r in results),
                      "killed": sum(r.killed for r in results), "errors": sum(r.error is not None for r in results),
                      "new_goals": len(new), "total_goals": len(examples),
                      "goals_with_positive": sum(e.proved for e in examples),
                      "collect_seconds": round(collect_seconds, 1),
                      "fit_seconds": round(time.monotonic() - fit_start, 1), **metrics}
            logger.log(round_index, **{f"round/{k}": v for k, v in record.items() if k != "scorer"})
            summary["rounds"].append(record)
            save_policy(run_dir / f"policy_round{round_index}.pt", model, kwargs, tactic_names, config)
            scorer = PolicyScorer(model, tactic_names, config.prior_scale, config.value_scale, config.prior_kind)
    summary["seconds"] = round(time.monotonic() - started, 1)
    save_policy(config.output, model, kwargs, tactic_names, config, extra={"training": summary})
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary
