"""The Snake environment: API, rules, masks, truncation, rendering, and the vector twin."""

import copy

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import rl_suite.envs  # noqa: F401  (registers rl_suite/Snake-v0)
from rl_suite.envs.snake import (
    BODY_CHANNEL,
    FRUIT_CHANNEL,
    HEAD_CHANNEL,
    SnakeEnv,
    SnakeError,
    StepsWithoutFoodLimit,
    make_snake_env,
)
from rl_suite.envs.snake_vector import SnakeVectorEnv
from rl_suite.snake.agents import HamiltonianAgent


def test_check_env_passes_on_the_game_and_the_registered_env():
    for render_mode in ("rgb_array", "ansi"):
        made = gymnasium.make("rl_suite/Snake-v0", size=6, render_mode=render_mode)
        check_env(made.unwrapped, skip_render_check=False)
    made = gymnasium.make("rl_suite/Snake-v0", size=8)
    assert made.observation_space.shape == (3, 8, 8)
    check_env(made.unwrapped)


def test_make_passes_board_arguments_and_wraps_the_limit():
    env = gymnasium.make("rl_suite/Snake-v0", height=4, width=7, max_steps_without_food=9)
    assert env.observation_space.shape == (3, 4, 7)
    wrapper = env
    while not isinstance(wrapper, StepsWithoutFoodLimit):
        wrapper = wrapper.env
    assert wrapper.limit == 9


def test_reset_is_reproducible_from_the_seed():
    env = SnakeEnv(6)
    first, _ = env.reset(seed=3)
    again, _ = env.reset(seed=3)
    np.testing.assert_array_equal(first, again)
    starts = {env.reset(seed=s)[0].tobytes() for s in range(20)}
    assert len(starts) > 10


def test_start_state_has_head_neck_and_fruit():
    env = SnakeEnv(6)
    for seed in range(30):
        obs, info = env.reset(seed=seed)
        assert info["length"] == 2 and not info["won"]
        assert obs[HEAD_CHANNEL].sum() == 1 and obs[FRUIT_CHANNEL].sum() == 1
        body = obs[BODY_CHANNEL]
        assert np.count_nonzero(body) == 1 and np.isclose(body.max(), 1 / 36)
        head = np.argwhere(obs[HEAD_CHANNEL] > 0)[0]
        neck = np.argwhere(body > 0)[0]
        assert np.abs(head - neck).sum() == 1
        assert (obs[:, head[0], head[1]] > 0).sum() == 1  # fruit not under the snake


def test_eating_grows_by_one_and_rewards_one():
    env = SnakeEnv(4)
    obs, info = env.reset(seed=1)
    agent = HamiltonianAgent(4, 4)  # never dies, so it must reach the fruit
    for _ in range(16):
        length = info["length"]
        obs, reward, terminated, _, info = env.step(int(agent(obs[None], info["action_mask"][None])[0]))
        assert not terminated
        if info["length"] > length:
            assert info["length"] == length + 1 and reward == 1.0
            assert obs[FRUIT_CHANNEL].sum() == 1
            return
        assert reward == 0.0
    raise AssertionError("the Hamiltonian agent did not reach the fruit within 16 steps")


def test_hitting_the_wall_dies_with_minus_one():
    env = SnakeEnv(6)
    env.reset(seed=0)
    for _ in range(10):  # going straight must hit a wall within the board's side
        _, reward, terminated, truncated, _ = env.step(1)
        if terminated:
            assert reward == -1.0 and not truncated
            return
    raise AssertionError("went straight 10 times on a 6x6 board without dying")


def test_action_mask_marks_exactly_the_moves_that_die_at_once():
    env = SnakeEnv(5)
    rng = np.random.default_rng(1)
    checked = 0
    for seed in range(15):
        env.reset(seed=seed)
        for _ in range(60):
            mask = env.action_mask()
            for action in range(3):
                trial = copy.deepcopy(env)
                _, reward, terminated, _, _ = trial.step(action)
                assert mask[action] == (reward != -1.0), (seed, action)
                checked += 1
            if not mask.any():
                break
            _, _, terminated, _, _ = env.step(int(rng.choice(np.flatnonzero(mask))))
            if terminated:
                break
    assert checked > 300


def test_following_the_tail_is_allowed():
    # On a 2x2 board a length-3 snake must move into the cell its tail leaves.
    env = SnakeEnv(2)
    obs, info = env.reset(seed=0)
    agent = HamiltonianAgent(2, 2)
    rewards = []
    terminated = False
    while not terminated:
        action = int(agent(obs[None], info["action_mask"][None])[0])
        obs, reward, terminated, _, info = env.step(action)
        rewards.append(reward)
    assert info["won"] and info["length"] == 4 and rewards[-1] == 1.0


def test_filling_the_board_wins_and_terminates():
    env = make_snake_env(height=4, width=5)
    obs, info = env.reset(seed=7)
    agent = HamiltonianAgent(4, 5)
    total, terminated, truncated = 0.0, False, False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, info = env.step(int(agent(obs[None], info["action_mask"][None])[0]))
        total += reward
    assert terminated and not truncated and info["won"] and info["length"] == 20
    assert total == 18.0  # 18 fruits, no death
    assert obs[FRUIT_CHANNEL].sum() == 0 and np.count_nonzero(obs[BODY_CHANNEL]) == 19


def test_body_channel_holds_normalised_ages():
    env = make_snake_env(height=4, width=5)
    obs, info = env.reset(seed=7)
    agent = HamiltonianAgent(4, 5)
    while info["length"] < 6:
        obs, _, _, _, info = env.step(int(agent(obs[None], info["action_mask"][None])[0]))
    values = np.sort(obs[BODY_CHANNEL][obs[BODY_CHANNEL] > 0])
    np.testing.assert_allclose(values, np.arange(1, 6) / 20)  # tail 1/20 ... neck 5/20


def test_steps_without_food_truncates_and_resets_on_eating():
    env = StepsWithoutFoodLimit(SnakeEnv(2), limit=1)
    obs, info = env.reset(seed=0)
    agent = HamiltonianAgent(2, 2)
    # Every step on a 2x2 board either eats or not; without food for 1 step -> truncated.
    while True:
        obs, reward, terminated, truncated, info = env.step(int(agent(obs[None], info["action_mask"][None])[0]))
        assert truncated == (reward == 0.0 and not terminated)
        if terminated or truncated:
            break
    with pytest.raises(SnakeError):
        StepsWithoutFoodLimit(SnakeEnv(6), limit=0)


def test_renders_rgb_and_ansi():
    rgb = make_snake_env(6, render_mode="rgb_array", cell_pixels=10)
    rgb.reset(seed=0)
    frame = rgb.render()
    assert frame.shape == (60, 60, 3) and frame.dtype == np.uint8
    ansi = make_snake_env(height=3, width=4, render_mode="ansi")
    ansi.reset(seed=0)
    text = ansi.render()
    lines = text.splitlines()
    assert len(lines) == 5 and all(len(line) == 6 for line in lines)
    assert text.count("@") == 1 and text.count("o") == 1 and text.count("*") == 1


def test_bad_arguments_raise_snake_error():
    for kwargs in ({"size": 1}, {"size": 6, "render_mode": "human"}, {"height": 0}):
        with pytest.raises(SnakeError):
            SnakeEnv(**kwargs)
    env = SnakeEnv(6)
    with pytest.raises(SnakeError):
        env.step(1)  # before reset
    env.reset(seed=0)
    with pytest.raises(SnakeError):
        env.step(3)
    with pytest.raises(SnakeError):
        SnakeVectorEnv(0)
    vector = SnakeVectorEnv(2)
    vector.reset(seed=0)
    with pytest.raises(SnakeError):
        vector.step(np.array([0, 5]))


@pytest.mark.parametrize("height,width,limit", [(6, 6, None), (4, 5, 12), (3, 3, 6)])
def test_vector_env_matches_single_envs_step_for_step(height, width, limit):
    num_envs, seed = 12, int(np.random.default_rng(height * width).integers(10_000))
    vector = SnakeVectorEnv(num_envs, height=height, width=width, max_steps_without_food=limit)
    singles = [make_snake_env(height=height, width=width, max_steps_without_food=limit)
               for _ in range(num_envs)]
    obs, info = vector.reset(seed=seed)
    for index, env in enumerate(singles):
        single_obs, single_info = env.reset(seed=seed + index)
        np.testing.assert_array_equal(obs[index], single_obs)
        np.testing.assert_array_equal(info["action_mask"][index], single_info["action_mask"])
    rng = np.random.default_rng(seed)
    episodes_ended = {"terminated": 0, "truncated": 0, "won": 0}
    for _ in range(400):
        # Mostly safe actions so that games last, sometimes any action so that snakes die.
        random_actions = rng.integers(0, 3, num_envs)
        safe = np.array([rng.choice(np.flatnonzero(m)) if m.any() else 1 for m in info["action_mask"]])
        actions = np.where(rng.random(num_envs) < 0.9, safe, random_actions)
        obs, rewards, terminated, truncated, info = vector.step(actions)
        for index, env in enumerate(singles):
            single_obs, reward, single_terminated, single_truncated, single_info = env.step(int(actions[index]))
            assert rewards[index] == reward
            assert terminated[index] == single_terminated and truncated[index] == single_truncated
            if single_terminated or single_truncated:
                assert info["_final_obs"][index]
                np.testing.assert_array_equal(info["final_obs"][index], single_obs)
                assert info["final_info"]["length"][index] == single_info["length"]
                assert info["final_info"]["won"][index] == single_info["won"]
                episodes_ended["terminated"] += int(single_terminated)
                episodes_ended["truncated"] += int(single_truncated)
                episodes_ended["won"] += int(single_info["won"])
                single_obs, single_info = env.reset()
            np.testing.assert_array_equal(obs[index], single_obs)
            np.testing.assert_array_equal(info["action_mask"][index], single_info["action_mask"])
            assert info["length"][index] == single_info["length"]
    assert episodes_ended["terminated"] > 5
    if limit is not None:
        assert episodes_ended["truncated"] > 0
