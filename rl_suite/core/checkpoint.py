"""Checkpoints that rebuild their model without the training script.

A model class opts in with `@register_model`; its checkpoint stores the class path
("package.module:ClassName"), the constructor kwargs, the state dicts, the step and the config.
`load_checkpoint(path)` imports the module, checks the class was registered (so a checkpoint
cannot name an arbitrary callable such as `os:system`), rebuilds the model from the kwargs and
loads its weights. Files are read with `torch.load(weights_only=True)`, so kwargs, config and
extra must be plain python (dict/list/tuple/str/int/float/bool/None) and tensors.
"""

from __future__ import annotations

import importlib
import pathlib
from collections.abc import Mapping
from typing import Any, TypeVar

import torch

from rl_suite.core.errors import CoreError

FORMAT = "rl_suite.checkpoint/1"
_REGISTRY: dict[str, type[torch.nn.Module]] = {}

ModuleT = TypeVar("ModuleT", bound=type[torch.nn.Module])


def class_path(cls: type) -> str:
    """Return "module:QualName", the key a registered class is stored under."""
    return f"{cls.__module__}:{cls.__qualname__}"


def register_model(cls: ModuleT) -> ModuleT:
    """Class decorator: allow checkpoints to rebuild `cls` by its class path."""
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise CoreError(f"register_model expects an nn.Module subclass, got {cls!r}")
    _REGISTRY[class_path(cls)] = cls
    return cls


def resolve_model_class(path: str) -> type[torch.nn.Module]:
    """Return the registered class for "module:QualName", importing the module if needed."""
    if path not in _REGISTRY:
        module_name, sep, _ = path.partition(":")
        if not sep or not module_name:
            raise CoreError(f"model class path {path!r} is not of the form 'module:ClassName'")
        try:
            importlib.import_module(module_name)  # registration happens at import time
        except ImportError as error:
            raise CoreError(f"cannot import module {module_name!r} for model {path!r}: {error}") from None
    if path not in _REGISTRY:
        raise CoreError(f"model class {path!r} is not registered with @register_model")
    return _REGISTRY[path]


def build_model(path: str, kwargs: Mapping[str, Any]) -> torch.nn.Module:
    """Construct the registered class at `path` with keyword arguments `kwargs`."""
    cls = resolve_model_class(path)
    try:
        return cls(**dict(kwargs))
    except TypeError as error:
        raise CoreError(f"cannot build {path} from kwargs {dict(kwargs)}: {error}") from None


def save_checkpoint(path: str | pathlib.Path, model: torch.nn.Module, *,
                    model_kwargs: Mapping[str, Any],
                    optimizer: torch.optim.Optimizer | None = None, step: int = 0,
                    config: Mapping[str, Any] | None = None,
                    extra: Mapping[str, Any] | None = None) -> pathlib.Path:
    """Write a checkpoint of `model` (an instance of a registered class) and return its path.

    `model_kwargs` must be the constructor kwargs, so that `type(model)(**model_kwargs)` builds
    a model with the same parameter shapes. The file is written to a temporary name then renamed,
    so a crash never leaves a half-written checkpoint under `path`.
    """
    path = pathlib.Path(path)
    model_class = class_path(type(model))
    if model_class not in _REGISTRY:
        raise CoreError(f"{model_class} is not registered; decorate the class with @register_model")
    payload = {
        "format": FORMAT,
        "model_class": model_class,
        "model_kwargs": dict(model_kwargs),
        "model_state": model.state_dict(),
        "optimizer_state": optimizer.state_dict() if optimizer is not None else None,
        "step": int(step),
        "config": dict(config) if config is not None else {},
        "extra": dict(extra) if extra is not None else {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(payload, temporary)
    temporary.replace(path)
    return path


def load_checkpoint(path: str | pathlib.Path, *, map_location: str | torch.device = "cpu",
                    optimizer: torch.optim.Optimizer | None = None
                    ) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Rebuild the model stored at `path`; return `(model, payload)`.

    The model is in eval mode on `map_location`. `payload` has keys format, model_class,
    model_kwargs, model_state, optimizer_state, step, config, extra. When `optimizer` (built over
    the returned model's parameters) is given, its state is restored from the checkpoint.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise CoreError(f"no checkpoint file at {path}")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # torch raises many types for corrupt / foreign files
        raise CoreError(f"{path} is not a readable checkpoint: {error}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CoreError(f"{path} is not an {FORMAT} checkpoint")
    model = build_model(payload["model_class"], payload["model_kwargs"])
    model.load_state_dict(payload["model_state"])
    model.to(map_location)
    model.eval()
    if optimizer is not None:
        if payload["optimizer_state"] is None:
            raise CoreError(f"{path} holds no optimizer state")
        optimizer.load_state_dict(payload["optimizer_state"])
    return model, payload
