"""Distributed helpers, including a real two-process gloo run on this machine."""

import json
import os

import torch
import torch.multiprocessing as mp

from rl_suite.core.distributed import (all_reduce_mean, average_gradients, average_parameters,
                                       cleanup_distributed, find_free_port, get_rank, get_world_size,
                                       init_distributed, is_main_process)


def _worker(rank: int, world_size: int, port: int, out_dir: str) -> None:
    """One rank: gradients and parameters differ by rank, then are averaged."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world_size), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    assert init_distributed("gloo", timeout_s=60)
    try:
        model = torch.nn.Linear(2, 1, bias=False)
        with torch.no_grad():
            model.weight.fill_(float(rank))  # rank 0: [0, 0], rank 1: [1, 1]
        x = torch.full((1, 2), float(rank + 1))
        model(x).sum().backward()  # gradient = x = rank + 1
        average_gradients(model)
        gradient = model.weight.grad.tolist()
        average_parameters(model)
        value = all_reduce_mean(torch.tensor([10.0 * rank]))
        result = {"rank": get_rank(), "world": get_world_size(), "main": is_main_process(),
                  "grad": gradient, "weight": model.weight.tolist(), "mean": value.tolist()}
        with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as handle:
            json.dump(result, handle)
    finally:
        cleanup_distributed()


def test_two_gloo_processes_average_gradients_parameters_and_tensors(tmp_path):
    mp.spawn(_worker, args=(2, find_free_port(), str(tmp_path)), nprocs=2, join=True)
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    for rank, result in enumerate(results):
        assert (result["rank"], result["world"], result["main"]) == (rank, 2, rank == 0)
        assert result["grad"] == [[1.5, 1.5]]  # mean of 1 and 2
        assert result["weight"] == [[0.5, 0.5]]  # mean of 0 and 1
        assert result["mean"] == [5.0]  # mean of 0 and 10


def test_single_process_defaults_leave_tensors_unchanged(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert (get_rank(), get_world_size(), is_main_process()) == (0, 1, True)
    assert init_distributed() is False
    tensor = torch.tensor([1.0, 2.0])
    assert torch.equal(all_reduce_mean(tensor), torch.tensor([1.0, 2.0]))
