"""The book's manifests, read by tests: tests use the lab's files, not copies of them."""
import os

MANIFESTS = os.path.join(os.path.dirname(__file__), "..", "book", "manifests")


def lab_manifest(name: str) -> str:
    """A manifest the book applies, as text."""
    with open(os.path.join(MANIFESTS, name), encoding="utf-8") as f:
        return f.read()
