"""Helpers for torchrun / torch.distributed data parallelism (gloo on CPU, nccl on GPU).

Without torchrun (no WORLD_SIZE > 1 in the environment) everything degrades to a single
process: rank 0, world size 1, and the averaging helpers return their input unchanged.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import torch
import torch.distributed as dist

from rl_suite.core.errors import CoreError


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise CoreError(f"environment variable {name}={raw!r} is not an integer") from None


def get_rank() -> int:
    """Global rank: from the process group if initialised, else $RANK (torchrun), else 0."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else _env_int("RANK", 0)


def get_world_size() -> int:
    """Number of processes: from the process group if initialised, else $WORLD_SIZE, else 1."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return _env_int("WORLD_SIZE", 1)


def get_local_rank() -> int:
    """Rank on this machine ($LOCAL_RANK, set by torchrun), used to pick the GPU; else 0."""
    return _env_int("LOCAL_RANK", 0)


def is_main_process() -> bool:
    """True on rank 0, the process that should log, plot and write checkpoints."""
    return get_rank() == 0


def default_backend() -> str:
    """"nccl" when CUDA is available, else "gloo"."""
    return "nccl" if torch.cuda.is_available() else "gloo"


def init_distributed(backend: str | None = None, *, timeout_s: float = 300.0) -> bool:
    """Join the process group described by torchrun's environment; return True if distributed.

    Reads MASTER_ADDR/MASTER_PORT/RANK/WORLD_SIZE (env:// rendezvous). With world size 1 it does
    nothing and returns False. On nccl it also binds this process to cuda:<LOCAL_RANK>.
    """
    if get_world_size() <= 1:
        return False
    if dist.is_initialized():
        return True
    backend = backend or default_backend()
    if backend == "nccl":
        torch.cuda.set_device(get_local_rank())
    dist.init_process_group(backend=backend, timeout=timedelta(seconds=timeout_s))
    return True


def cleanup_distributed() -> None:
    """Destroy the process group if one was initialised."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def barrier() -> None:
    """Wait for every process (no-op when not distributed)."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def all_reduce_mean(tensor: torch.Tensor) -> torch.Tensor:
    """Replace `tensor` in place by its mean over all processes and return it."""
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        tensor.div_(dist.get_world_size())
    return tensor


def average_gradients(model: torch.nn.Module) -> None:
    """Average `.grad` of every parameter across processes (call after backward, before step).

    Parameters without a gradient on this rank get a zero gradient first, so that every rank
    takes part in the same collectives in the same order.
    """
    for parameter in model.parameters():
        if not parameter.requires_grad:
            continue
        if parameter.grad is None:
            parameter.grad = torch.zeros_like(parameter)
        all_reduce_mean(parameter.grad)


@torch.no_grad()
def average_parameters(model: torch.nn.Module) -> None:
    """Average the parameters themselves across processes (e.g. periodic model averaging)."""
    for parameter in model.parameters():
        all_reduce_mean(parameter.data)


@torch.no_grad()
def broadcast_parameters(model: torch.nn.Module, src: int = 0) -> None:
    """Copy rank `src`'s parameters and buffers to every process (start from identical weights)."""
    if not (dist.is_available() and dist.is_initialized()):
        return
    for tensor in list(model.parameters()) + list(model.buffers()):
        dist.broadcast(tensor.data, src=src)


def find_free_port() -> int:
    """A TCP port on localhost that was free a moment ago (for MASTER_PORT in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
