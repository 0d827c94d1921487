"""Shared by the property tests that damage valid manifests: where to damage them."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from netpol_kernel.api.manifests import load_path

#: Every valid object of the corpus, as a dict: the starting points for damage.
SEEDS = [d.obj for d in load_path(Path(__file__).parent / "corpus" / "valid")]


def paths(obj: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path into a JSON-like value (dict keys and list indices), the root first."""
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from paths(v, prefix + (i,))
