"""The learned search policy: encoder, network, scorer, checkpoints and one tiny expert-iteration round."""

from __future__ import annotations

import pytest
import sympy
import torch

from ineq.parse import parse_problem
from ineq.policy import ScorerError, get_scorer
from ineq.policy.features import (
    FEATURE_NAMES,
    MAX_TOKENS,
    PAD_ID,
    TOKEN_ID,
    VOCABULARY,
    EncodingError,
    encode_goal,
    goal_tokens,
    number_token,
)
from ineq.policy.model import PolicyValueNet
from ineq.policy.scorer import PolicyScorer, collate
from ineq.policy.train import (
    GoalExample,
    PolicyTrainConfig,
    SearchJobResult,
    examples_from_result,
    fit_policy,
    run_searches,
    save_policy,
    tensorize,
)
from ineq.search import heuristic_scorer, search
from ineq.tactics import TACTICS
from ineq.tactics.base import Deadline

TACTIC_NAMES = list(TACTICS)


def tiny_model(num_tactics: int = len(TACTIC_NAMES)) -> tuple[PolicyValueNet, dict]:
    kwargs = {"vocab_size": len(VOCABULARY), "num_features": len(FEATURE_NAMES), "num_tactics": num_tactics,
              "max_tokens": MAX_TOKENS, "width": 16, "layers": 1, "heads": 2, "dropout": 0.0, "pad_id": PAD_ID}
    torch.manual_seed(0)
    return PolicyValueNet(**kwargs), kwargs


# ---- encoder -----------------------------------------------------------------------------------


def test_encoding_is_deterministic_and_renames_variables_by_first_appearance():
    first = parse_problem("x,y>0 => x^2 + y^2 >= 2*x*y")
    renamed = parse_problem("p,q>0 => p^2 + q^2 >= 2*p*q")
    assert encode_goal(first) == encode_goal(first)
    assert encode_goal(first) == encode_goal(renamed)
    tokens = goal_tokens(first)
    assert tokens[:2] == ["<goal>", "rel>="]
    assert "v0" in tokens and "v1" in tokens and "v2" not in tokens
    assert not any(t in ("x", "y") for t in tokens)
    # the same shape with a different exponent is a different goal
    assert encode_goal(parse_problem("x,y>0 => x^3 + y^3 >= 2*x*y")) != encode_goal(first)


def test_numbers_are_bucketed_and_long_goals_truncated():
    assert number_token(sympy.Integer(3)) == "int3"
    assert number_token(sympy.Integer(1000)) == number_token(sympy.Integer(12)) == "int>10"
    assert number_token(sympy.Rational(1, 2)) == "1/2"
    assert number_token(sympy.Rational(5, 7)) == number_token(sympy.Rational(6, 7)) == "frac(0,1)"
    long_goal = parse_problem(" + ".join(f"(a+{i})^2" for i in range(60)) + " >= 0")
    encoded = encode_goal(long_goal)
    assert len(encoded.token_ids) == MAX_TOKENS and encoded.token_ids[-1] == TOKEN_ID["<trunc>"]
    assert len(encoded.features) == len(FEATURE_NAMES)
    with pytest.raises(EncodingError):
        encode_goal("a >= 0")


def test_structural_features_see_radicals_and_symmetry():
    names = list(FEATURE_NAMES)
    radical = dict(zip(names, encode_goal(parse_problem("a,b>0 => sqrt(a) + sqrt(b) >= sqrt(a+b)")).features))
    polynomial = dict(zip(names, encode_goal(parse_problem("a,b,c>0 => a^3+b^3+c^3 >= 3abc")).features))
    assert radical["radicals"] > 0 and polynomial["radicals"] == 0
    assert polynomial["polynomial"] == 1.0 and polynomial["swap_symmetric"] == 1.0
    assert polynomial["degree"] == pytest.approx(0.3)
    assert polynomial["positivity_assumptions"] == pytest.approx(0.75)


# ---- model -------------------------------------------------------------------------------------


def test_forward_shapes_and_loss():
    model, _ = tiny_model()
    goals = [encode_goal(parse_problem(s)) for s in ("a^2+b^2>=2ab", "a,b,c>0 => a/(b+c)+b/(c+a)+c/(a+b) >= 3/2")]
    batch = collate(goals)
    assert batch.tokens.shape == (2, max(len(g.token_ids) for g in goals))
    out, loss = model(batch)
    assert out.policy_logits.shape == (2, len(TACTIC_NAMES)) and out.value_logit.shape == (2,)
    assert loss is None  # no targets, no loss
    examples = [GoalExample("p", goals[0], ("sos",), ("amgm", "sos")), GoalExample("q", goals[1], (), ("amgm",))]
    targets = tensorize(examples, TACTIC_NAMES)
    assert targets.policy_target[0, TACTIC_NAMES.index("sos")] == 1.0 and not bool(targets.has_policy[1])
    _, loss = model(targets)
    assert loss.ndim == 0 and torch.isfinite(loss) and float(loss.detach()) > 0
    loss.backward()
    assert model.policy_head.weight.grad is not None and model.value_head.weight.grad.abs().sum() > 0


def test_padding_does_not_change_the_output():
    model, _ = tiny_model()
    model.eval()
    short = encode_goal(parse_problem("a^2>=0"))
    long = encode_goal(parse_problem("a,b,c>0 => a^4+b^4+c^4 >= abc(a+b+c)"))
    alone, _ = model(collate([short]))
    padded, _ = model(collate([short, long]))
    assert torch.allclose(alone.policy_logits[0], padded.policy_logits[0], atol=1e-5)


# ---- scorer and checkpoints --------------------------------------------------------------------


def test_scorer_returns_one_score_per_tactic_and_prefers_the_higher_prior():
    model, _ = tiny_model()
    with torch.no_grad():
        model.policy_head.bias.zero_()
        model.policy_head.weight.zero_()
        model.policy_head.bias[TACTIC_NAMES.index("sds")] = 5.0
    scorer = PolicyScorer(model.eval(), TACTIC_NAMES)
    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    scores = scorer(goal, TACTIC_NAMES)
    assert len(scores) == len(TACTIC_NAMES) and all(isinstance(s, float) for s in scores)
    assert max(range(len(scores)), key=scores.__getitem__) == TACTIC_NAMES.index("sds")
    # a tactic the model never saw is scored below every known one
    extended = scorer(goal, TACTIC_NAMES + ["brand_new"])
    assert len(extended) == len(TACTIC_NAMES) + 1 and extended[-1] < min(extended[:-1])


def test_checkpoint_round_trip(tmp_path):
    model, kwargs = tiny_model()
    config = PolicyTrainConfig(prior_scale=2.0, value_scale=0.5)
    path = save_policy(tmp_path / "policy.pt", model, kwargs, TACTIC_NAMES, config)
    loaded = PolicyScorer.from_checkpoint(path)
    assert loaded.tactic_names == TACTIC_NAMES and (loaded.prior_scale, loaded.value_scale) == (2.0, 0.5)
    batch = collate([encode_goal(parse_problem("a,b>0 => a+b >= 2sqrt(ab)"))])
    model.eval()
    assert torch.equal(model(batch)[0].policy_logits, loaded.model(batch)[0].policy_logits)
    assert get_scorer("policy", path) is get_scorer("policy", path)  # loaded once


def test_get_scorer_names():
    assert get_scorer("heuristic") is heuristic_scorer
    with pytest.raises(ScorerError):
        get_scorer("oracle")
    with pytest.raises(ScorerError):
        get_scorer("policy", "/nonexistent/policy.pt")


def test_shipped_checkpoint_scores_and_guides_a_search():
    scorer = get_scorer("policy")
    goal = parse_problem("a,b,c>0 => a^2+b^2+c^2 >= ab+bc+ca")
    assert len(scorer(goal, TACTIC_NAMES)) == len(TACTIC_NAMES)
    assert search(goal, Deadline.after(20), scorer=scorer) is not None


# ---- expert iteration --------------------------------------------------------------------------


def test_examples_from_a_trace():
    goal = parse_problem("a^2+b^2>=2ab")
    key = str(goal)
    result = SearchJobResult("p", True, 3, 0.1, trace=[
        {"goal": key, "tactic": "amgm", "outcome": "exhausted", "in_proof": False},
        {"goal": key, "tactic": "sos", "outcome": "closed", "in_proof": True},
        {"goal": "unencoded", "tactic": "sos", "outcome": "closed", "in_proof": False},
    ], encodings={key: encode_goal(goal)})
    (example,) = examples_from_result(result)
    assert example.positives == ("sos",) and example.tried == ("amgm", "sos") and example.proved
    assert GoalExample.from_json(example.to_json()) == example


def test_tiny_expert_iteration_step_on_three_easy_problems():
    problems = [(f"easy{i}", parse_problem(s)) for i, s in enumerate(
        ("a^2+b^2>=2ab", "a,b>0 => a+b >= 2sqrt(ab)", "a,b,c>0 => a^2+b^2+c^2 >= ab+bc+ca"))]
    results = run_searches(problems, heuristic_scorer, seconds=15, max_nodes=40, workers=2, record_trace=True)
    assert [r.id for r in results] == ["easy0", "easy1", "easy2"]
    assert sum(r.proved for r in results) >= 2
    examples = [e for r in results for e in examples_from_result(r)]
    assert any(e.positives for e in examples)
    config = PolicyTrainConfig(steps=40, batch_size=8, width=16, heads=2, layers=1, progress=False, lr=5e-3)
    model, kwargs, metrics = fit_policy(examples, TACTIC_NAMES, config)
    assert kwargs["num_tactics"] == len(TACTIC_NAMES) and "loss" in metrics
    # after fitting, a goal that was closed gets a prior above uniform on one of its closing tactics
    closed = next(e for e in examples if e.positives)
    with torch.no_grad():
        out, _ = model(collate([closed.encoded]))
    prior = torch.softmax(out.policy_logits[0], -1)
    assert max(float(prior[TACTIC_NAMES.index(t)]) for t in closed.positives) > 1.0 / len(TACTIC_NAMES)
