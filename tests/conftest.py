import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # so tests can import reference.py / fakes.py

MANIFESTS = os.path.join(os.path.dirname(__file__), "..", "book", "manifests")


def lab_manifest(name: str) -> str:
    """A manifest the book applies: tests use the lab's files, not copies of them."""
    with open(os.path.join(MANIFESTS, name), encoding="utf-8") as f:
        return f.read()
