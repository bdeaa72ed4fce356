"""Decoders: per-frame log-probabilities -> phones (greedy, phone loop) or dictionary words."""
from .greedy import greedy_decode
from .phone_loop import estimate_bigram, phone_loop_decode
from .words import DecodingGraph, WordHypothesis, compile_graph, decode_words, lm_arrays

__all__ = ["greedy_decode", "estimate_bigram", "phone_loop_decode", "DecodingGraph", "WordHypothesis",
           "compile_graph", "decode_words", "lm_arrays"]
