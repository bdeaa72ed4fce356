"""Decoders: turn per-frame log-probabilities into phones (and, later, dictionary words)."""
from .greedy import greedy_decode

__all__ = ["greedy_decode"]
