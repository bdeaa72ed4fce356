"""Decoders: per-frame log-probabilities -> phones (greedy, phone loop); dictionary words to come."""
from .greedy import greedy_decode
from .phone_loop import estimate_bigram, phone_loop_decode

__all__ = ["greedy_decode", "estimate_bigram", "phone_loop_decode"]
