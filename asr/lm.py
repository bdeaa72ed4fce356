"""Word language models for the dictionary decoder: a backoff bigram estimated from text, or read
from (and written to) an ARPA file, the format SRILM, KenLM and Kaldi exchange.

Scores are natural logs. Only unigrams and bigrams are used; higher orders in an ARPA file are
skipped with a warning (the decoder's history is one word).
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .io.atomic import atomic_write_text

log = logging.getLogger(__name__)

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
LN10 = math.log(10.0)


class LMError(ValueError):
    """An unreadable language model: names the file, line and problem."""


@dataclass
class BigramLM:
    """``unigram[w]`` = log P(w); ``backoff[w]`` = log alpha(w); ``bigram[(a, b)]`` = log P(b | a)."""

    unigram: dict[str, float]
    backoff: dict[str, float] = field(default_factory=dict)
    bigram: dict[tuple[str, str], float] = field(default_factory=dict)

    def logp(self, word: str, prev: str) -> float:
        """log P(word | prev) with backoff to the unigram (unknown words get ``<unk>``'s, else -inf)."""
        if (prev, word) in self.bigram:
            return self.bigram[(prev, word)]
        uni = self.unigram.get(word, self.unigram.get(UNK, -math.inf))
        return self.backoff.get(prev, 0.0) + uni

    def sentence_logp(self, words: list[str]) -> float:
        seq = [BOS, *words, EOS]
        return sum(self.logp(b, a) for a, b in zip(seq, seq[1:]))


def estimate_bigram_lm(sentences: Iterable[list[str]], discount: float = 0.5) -> BigramLM:
    """Absolute-discounting backoff bigram (discount ``D`` per seen bigram, mass given to the unigram)."""
    uni: Counter[str] = Counter()
    big: Counter[tuple[str, str]] = Counter()
    for words in sentences:
        seq = [BOS, *words, EOS]
        uni.update(seq[1:])
        big.update(zip(seq, seq[1:]))
    if not uni:
        raise LMError("no text to estimate a language model from")
    total = sum(uni.values())
    unigram = {w: math.log(c / total) for w, c in uni.items()}
    unigram[BOS] = -99.0  # never predicted; present so that it has a backoff weight
    ctx: Counter[str] = Counter()
    types: Counter[str] = Counter()
    seen_uni: dict[str, float] = {}
    for (a, b), c in big.items():
        ctx[a] += c
        types[a] += 1
        seen_uni[a] = seen_uni.get(a, 0.0) + math.exp(unigram[b])
    bigram, backoff = {}, {}
    for (a, b), c in big.items():
        bigram[(a, b)] = math.log((c - discount) / ctx[a])
    for a in ctx:
        left = discount * types[a] / ctx[a]  # probability mass freed by discounting
        backoff[a] = math.log(left / max(1.0 - seen_uni[a], 1e-12)) if left > 0 else -99.0
    return BigramLM(unigram, backoff, bigram)


def read_arpa(path: str | Path) -> BigramLM:
    """Read the 1-grams and 2-grams of an ARPA file (log10 converted to natural log)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise LMError(f"{path}: cannot read ARPA file ({e})") from None
    lm = BigramLM({})
    order, saw_data, higher = 0, False, False
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line == "\\data\\":
            saw_data = True
            continue
        if line == "\\end\\":
            break
        if line.startswith("\\") and line.endswith("-grams:"):
            try:
                order = int(line[1:-7])
            except ValueError:
                raise LMError(f"{path}:{n}: bad section header {line!r}") from None
            higher |= order > 2
            continue
        if order == 0:
            if line.startswith("ngram ") or not saw_data:
                continue
            raise LMError(f"{path}:{n}: text before the first n-gram section: {line!r}")
        if order > 2:
            continue
        parts = line.split()
        try:
            logp = float(parts[0]) * LN10
        except (ValueError, IndexError):
            raise LMError(f"{path}:{n}: expected 'log10prob word(s) [backoff]', got {line!r}") from None
        words = parts[1:1 + order]
        if len(words) != order or len(parts) > order + 2:
            raise LMError(f"{path}:{n}: a {order}-gram line needs {order} words, got {line!r}")
        bo = float(parts[-1]) * LN10 if len(parts) == order + 2 else None
        if order == 1:
            lm.unigram[words[0]] = logp
            if bo is not None:
                lm.backoff[words[0]] = bo
        else:
            lm.bigram[(words[0], words[1])] = logp
    if not saw_data or not lm.unigram:
        raise LMError(f"{path}: not an ARPA language model (no \\data\\ header or no 1-grams)")
    if higher:
        log.warning("%s: n-grams above order 2 are ignored (the decoder keeps one word of history)", path)
    return lm


def write_arpa(lm: BigramLM, path: str | Path) -> None:
    """Write ``lm`` as an ARPA file (atomically)."""
    def f(x: float) -> str:
        return f"{max(x / LN10, -99.0):.6f}"

    out = ["\\data\\", f"ngram 1={len(lm.unigram)}", f"ngram 2={len(lm.bigram)}", "", "\\1-grams:"]
    for w in sorted(lm.unigram):
        bo = lm.backoff.get(w)
        out.append(f"{f(lm.unigram[w])}\t{w}" + (f"\t{f(bo)}" if bo is not None else ""))
    out += ["", "\\2-grams:"]
    out += [f"{f(p)}\t{a} {b}" for (a, b), p in sorted(lm.bigram.items())]
    out += ["", "\\end\\", ""]
    atomic_write_text(path, "\n".join(out))
