"""Slitherin' environment: PettingZoo API and seeding, collision rules on hand-built states,
rewards, episode ends and egocentric observations."""

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

from rl_suite.envs.slitherin import (
    FRUIT,
    OTHER_BODY,
    OTHER_HEADS,
    OWN_BODY,
    WALL,
    SlitherinEnv,
    SlitherinError,
)

LEFT, STRAIGHT, RIGHT = 0, 1, 2


def small_env(**kwargs):
    settings = {"height": 10, "width": 10, "num_snakes": 2, "num_fruit": 1, "view_radius": 3,
                "max_steps": 50}
    settings.update(kwargs)
    return SlitherinEnv(**settings)


def test_parallel_api_test_passes_for_two_and_four_snakes():
    parallel_api_test(small_env(), num_cycles=200)
    parallel_api_test(small_env(num_snakes=4, height=12, width=12), num_cycles=200)


def test_parallel_seed_test_passes():
    parallel_seed_test(lambda: small_env(num_snakes=3), num_cycles=100)


def test_same_seed_same_start_and_different_seed_differs():
    first, _ = small_env().reset(seed=3)
    again, _ = small_env().reset(seed=3)
    other, _ = small_env().reset(seed=4)
    assert all(np.array_equal(first[a], again[a]) for a in first)
    assert not all(np.array_equal(first[a], other[a]) for a in first)


def test_head_on_collision_kills_both_without_credit():
    env = small_env()
    # snake_0 heads right from (5, 3), snake_1 heads left from (5, 5): both enter (5, 4).
    env.set_state([[(5, 3), (5, 2), (5, 1)], [(5, 5), (5, 6), (5, 7)]])
    _, rewards, terminations, _, infos = env.step({"snake_0": STRAIGHT, "snake_1": STRAIGHT})
    assert terminations == {"snake_0": True, "snake_1": True}
    assert infos["snake_0"]["death_cause"] == infos["snake_1"]["death_cause"] == "head_on"
    assert infos["snake_0"]["killer"] is None
    assert rewards == {"snake_0": -1.0, "snake_1": -1.0}  # nobody outlasted anybody
    assert env.agents == []


def test_heads_swapping_cells_both_die_on_each_others_neck():
    env = small_env()
    env.set_state([[(5, 3), (5, 2), (5, 1)], [(5, 4), (5, 5), (5, 6)]])
    _, _, terminations, _, infos = env.step({"snake_0": STRAIGHT, "snake_1": STRAIGHT})
    assert all(terminations.values())
    assert infos["snake_0"]["death_cause"] == "body" and infos["snake_0"]["killer"] == "snake_1"
    assert infos["snake_1"]["death_cause"] == "body" and infos["snake_1"]["killer"] == "snake_0"


def test_running_into_a_body_kills_and_the_survivor_outlasts():
    env = small_env()
    # snake_1 lies vertically in column 4; snake_0 heads right into its middle.
    env.set_state([[(5, 3), (5, 2)], [(4, 4), (5, 4), (6, 4), (7, 4)]])
    _, rewards, terminations, _, infos = env.step({"snake_0": STRAIGHT, "snake_1": RIGHT})
    assert terminations == {"snake_0": True, "snake_1": False}
    assert infos["snake_0"]["death_cause"] == "body" and infos["snake_0"]["killer"] == "snake_1"
    assert rewards == {"snake_0": -1.0, "snake_1": 1.0}  # outlast bonus
    assert env.agents == ["snake_1"]


def test_a_vacating_tail_is_safe_unless_its_snake_eats():
    bodies = [[(5, 3), (5, 2)], [(4, 6), (4, 5), (4, 4), (5, 4)]]  # snake_1's tail is (5, 4)
    env = small_env()
    env.set_state(bodies)
    _, _, terminations, _, _ = env.step({"snake_0": STRAIGHT, "snake_1": STRAIGHT})
    assert terminations == {"snake_0": False, "snake_1": False}
    env.set_state(bodies, fruit=[(4, 7)])  # snake_1 eats, so its tail stays
    _, rewards, terminations, _, infos = env.step({"snake_0": STRAIGHT, "snake_1": STRAIGHT})
    assert terminations == {"snake_0": True, "snake_1": False}
    assert infos["snake_1"]["length"] == 5
    assert rewards["snake_1"] == 1.0 + 1.0  # fruit plus outlasting snake_0


def test_wall_and_own_body_kill():
    env = small_env()
    env.set_state([[(0, 3), (1, 3)], [(6, 3), (6, 4), (7, 4), (7, 3), (7, 2)]])
    # snake_0 heads up off the field; snake_1 (heading left) turns left into its own (7, 3).
    _, _, terminations, _, infos = env.step({"snake_0": STRAIGHT, "snake_1": LEFT})
    assert infos["snake_0"]["death_cause"] == "wall"
    assert infos["snake_1"]["death_cause"] == "self"
    assert all(terminations.values())


def test_fruit_grows_rewards_and_is_replaced():
    env = small_env(num_fruit=2)
    env.set_state([[(5, 3), (5, 2)], [(1, 1), (1, 0)]], fruit=[(5, 4), (8, 8)])
    _, rewards, _, _, infos = env.step({"snake_0": STRAIGHT, "snake_1": STRAIGHT})
    assert rewards["snake_0"] == 1.0 and infos["snake_0"]["length"] == 3
    assert rewards["snake_1"] == 0.0
    assert env.fruit.sum() == 2 and not env.fruit[5, 4] and env.fruit[8, 8]


def test_truncation_at_step_limit_ends_the_game():
    env = small_env(max_steps=3)
    env.set_state([[(5, 1), (5, 0)], [(1, 1), (1, 0)]])
    for _ in range(2):
        _, _, _, truncations, _ = env.step({"snake_0": STRAIGHT, "snake_1": STRAIGHT})
        assert not any(truncations.values())
    _, _, terminations, truncations, _ = env.step({"snake_0": STRAIGHT, "snake_1": STRAIGHT})
    assert all(truncations.values()) and not any(terminations.values())
    assert env.agents == []


def test_observation_is_egocentric():
    env = small_env(view_radius=3)
    obs, _ = env.set_state([[(5, 5), (6, 5), (7, 5)], [(5, 7), (5, 8), (5, 9)]], fruit=[(3, 5)])
    view = obs["snake_0"]  # heading up: the view is the board as is, centred on (5, 5)
    assert view[OWN_BODY, 3, 3] == 1.0 and view[OWN_BODY, 4, 3] > view[OWN_BODY, 5, 3] > 0.5
    assert view[FRUIT, 1, 3] == 1.0  # two cells ahead
    assert view[OTHER_HEADS, 3, 5] == 1.0 and view[OTHER_BODY, 3, 6] > 0.5  # on its right
    # snake_1 heads left: for it "ahead" is column 6 -> 5, so snake_0's head is 2 cells ahead.
    assert obs["snake_1"][OTHER_HEADS, 1, 3] == 1.0
    # Behind it: its body (5, 8), (5, 9), then the wall at column 10, three cells back.
    assert obs["snake_1"][OWN_BODY, 5, 3] > 0.5 and obs["snake_1"][WALL, 5, 3] == 0.0
    assert obs["snake_1"][WALL, 6, 3] == 1.0


def test_observation_is_invariant_under_rotating_the_field():
    size = 10

    def rotate(cell):  # a quarter turn of the whole field
        return (cell[1], size - 1 - cell[0])

    bodies = [[(4, 4), (5, 4), (5, 5)], [(2, 7), (2, 8), (3, 8)]]
    fruit = [(1, 4), (8, 2)]
    env = small_env(view_radius=4)
    before, _ = env.set_state(bodies, fruit)
    after, _ = env.set_state([[rotate(c) for c in body] for body in bodies], [rotate(c) for c in fruit])
    for agent in before:
        np.testing.assert_array_equal(before[agent], after[agent])


def test_rgb_render_and_errors():
    env = small_env(render_mode="rgb_array")
    env.reset(seed=0)
    image = env.render()
    assert image.shape == (10 * 16, 10 * 16, 3) and image.dtype == np.uint8
    with pytest.raises(SlitherinError):
        SlitherinEnv(num_snakes=9)
    with pytest.raises(SlitherinError):
        env.step({"snake_0": 5, "snake_1": 1})
    with pytest.raises(SlitherinError):
        env.set_state([[(0, 0), (2, 0)], [(5, 5), (5, 6)]])
