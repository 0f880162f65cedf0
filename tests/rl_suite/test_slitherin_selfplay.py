"""Slitherin' self-play: opponent schemes' sampling, a --quick training run, behaviour metrics,
the tournament on two tiny policies, and the command line."""

import json

import numpy as np
import pytest

from rl_suite.envs.slitherin import SlitherinEnv
from rl_suite.slitherin.__main__ import main
from rl_suite.slitherin.behaviour import (
    GreedyPlayer,
    RandomPlayer,
    _encircler,
    play_games,
    summarise,
)
from rl_suite.slitherin.opponents import (
    LATEST,
    OpponentError,
    OpponentPool,
    learner_scores,
    sampling_distribution,
)
from rl_suite.slitherin.selfplay import SlitherinPolicy, SlitherinTrainConfig, placement_ranks, train
from rl_suite.slitherin.tournament import TournamentConfig, tournament_command


def test_latest_uniform_mixed_and_fixed_distributions():
    np.testing.assert_allclose(sampling_distribution("latest", 4), [0, 0, 0, 1])
    np.testing.assert_allclose(sampling_distribution("uniform", 4), [0.25] * 4)
    np.testing.assert_allclose(sampling_distribution("mixed", 5, past_fraction=0.2),
                               [0.05, 0.05, 0.05, 0.05, 0.8])
    np.testing.assert_allclose(sampling_distribution("mixed", 1), [1.0])
    np.testing.assert_allclose(sampling_distribution("fixed", 3), [1, 0, 0])
    with pytest.raises(OpponentError):
        sampling_distribution("elo", 3)


def test_pfsp_prefers_the_opponents_that_beat_us():
    scores = np.array([0.9, 0.5, 0.2])  # the learner's score against each entry
    probabilities = sampling_distribution("pfsp", 3, scores, pfsp_power=2.0)
    expected = np.array([0.01, 0.25, 0.64]) / 0.9
    np.testing.assert_allclose(probabilities, expected)
    np.testing.assert_allclose(sampling_distribution("pfsp", 2, np.array([1.0, 1.0])), [0.5, 0.5])


def test_pool_sampling_matches_the_pfsp_distribution_and_keeps_ids():
    pool = OpponentPool(SlitherinPolicy(view_radius=1, hidden=4), "pfsp", window=10)
    pool.add_snapshot(pool.models[-1].state_dict(), 100)
    assert len(pool.models) == 2 and pool.steps == [100, 100]
    for _ in range(10):
        pool.record(0, 1.0)   # we always beat the snapshot
        pool.record(LATEST, 0.0)  # and always lose to latest
    np.testing.assert_allclose(learner_scores(pool.outcomes), [11 / 12, 1 / 12])
    rng = np.random.default_rng(0)
    draws = [pool.sample(rng) for _ in range(4000)]
    expected_latest = (11 / 12) ** 2 / ((1 / 12) ** 2 + (11 / 12) ** 2)
    assert abs(np.mean([d == LATEST for d in draws]) - expected_latest) < 0.02
    pool.add_snapshot(pool.models[-1].state_dict(), 200)  # latest keeps its id
    assert len(pool.models) == 3 and pool.steps[-1] == 200
    with pytest.raises(OpponentError):
        pool.record(0, 0.3)


def test_placement_ranks_follow_the_documented_rule():
    env = SlitherinEnv(height=10, width=10, num_snakes=3, num_fruit=1, max_steps=5)
    env.set_state([[(5, 3), (5, 2)], [(0, 5), (1, 5)], [(9, 1), (9, 0), (8, 0)]])
    env.step({"snake_0": 1, "snake_1": 1, "snake_2": 1})  # snake_1 hits the wall
    assert placement_ranks(env) == [2, 3, 1]  # alive beats dead; among the living, longer wins
    env.step({"snake_0": 1, "snake_2": 2})  # snake_2 turns right (down) into the bottom wall
    assert placement_ranks(env) == [1, 3, 2]  # alive; then the later death


def test_encirclement_is_credited_to_the_enclosing_snake():
    env = SlitherinEnv(height=8, width=8, num_snakes=2, num_fruit=1)
    # snake_0's body walls off the top-left corner, where snake_1 (length 3) has 1 free cell.
    enclosure = [(2, 1), (2, 0), (3, 0), (3, 1), (3, 2), (2, 2), (1, 2), (0, 2), (0, 3)]
    env.set_state([enclosure[::-1], [(1, 0), (0, 0), (0, 1)]])
    assert _encircler(env, 1, env.owner_grid()) == 0
    assert _encircler(env, 0, env.owner_grid()) is None


def test_greedy_player_eats_more_than_random_and_summary_fields():
    kwargs = {"height": 10, "width": 10, "num_snakes": 2, "num_fruit": 2, "view_radius": 3,
              "max_steps": 60}
    greedy = summarise(play_games([GreedyPlayer(), RandomPlayer(1)], 16, kwargs, measure=True))
    random = summarise(play_games([RandomPlayer(2), RandomPlayer(3)], 16, kwargs, measure=True))
    assert greedy["fruit_per_100_steps"] > 2 * random["fruit_per_100_steps"]
    assert greedy["mean_fruit_distance"] < random["mean_fruit_distance"]
    assert abs(sum(greedy["death_causes"].values()) - 1.0) < 1e-9 or greedy["deaths_per_game"] == 0
    assert greedy["win_rate"] + greedy["loss_rate"] + greedy["draw_rate"] == pytest.approx(1.0)
    crowd = summarise(play_games([RandomPlayer(4)] * 3, 8, dict(kwargs, num_snakes=3), measure=True))
    assert 0.0 <= crowd["gang_up"]["crowded_base_rate"] <= 1.0


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    summaries = [train(SlitherinTrainConfig(scheme=scheme, seed=seed, quick=True, runs_root=root,
                                            tensorboard=False, progress=False))
                 for scheme, seed in (("latest", 0), ("pfsp", 1))]
    return root, summaries


def test_quick_train_writes_checkpoints_snapshots_and_result(quick_runs):
    root, summaries = quick_runs
    for summary in summaries:
        assert summary["global_step"] == 1024
        run_dir = root / "slitherin" / f"{summary['scheme']}_s{summary['seed']}_quick"
        assert (run_dir / "final.pt").is_file()
        assert len(list((run_dir / "snapshots").glob("step_*.pt"))) == 1 + 3  # step 0 and every 256
        assert json.loads((run_dir / "result.json").read_text())["pool_steps"][0] == 0
        assert summary["last_selfplay"]["games"] > 0


def test_tournament_on_two_tiny_policies(quick_runs, tmp_path):
    root, _ = quick_runs
    output = tmp_path / "tournament.json"
    result = tournament_command(TournamentConfig(runs_root=root, quick=True, exploit_steps=1,
                                                 output=output))
    ratings = result["rating"]["ratings"]
    assert len(ratings) == 4  # two snapshots of each of the two runs
    assert all(r["sigma"] < 25 / 3 for r in ratings.values())  # every player was rated
    assert set(result["schemes"]) == {"latest", "pfsp"}
    for run in result["runs"].values():
        assert 0.0 <= run["cycling"]["cycling_rate"] <= 1.0
        assert 0.0 <= run["exploit"]["exploiter_score"] <= 1.0
    assert json.loads(output.read_text())["rating"]["games"] == 6 * 2


def test_command_line_json_and_errors(quick_runs, capsys, tmp_path):
    _, summaries = quick_runs
    code = main(["evaluate", "--checkpoint", summaries[0]["final_checkpoint"], "--games", "4",
                 "--opponent", "random", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["games"] == 4 and "death_causes" in result
    assert main(["evaluate", "--checkpoint", str(tmp_path / "missing.pt")]) == 1
    assert main(["train", "--scheme", "nope", "--quick", "--runs-root", str(tmp_path)]) == 1
    assert main(["bogus"]) == 2
