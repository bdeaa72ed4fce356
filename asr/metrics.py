"""Scoring: PER (39-folded) and WER via jiwer with per-speaker breakdown, and phone-boundary
agreement against hand labels (the measure every alignment figure of this toolkit is given in).

Boundary agreement, step by step (:func:`boundary_agreement`):
1. Both reference and hypothesis are folded by :func:`fold_timed`: each closure merged into its
   release (``kcl k`` -> one ``k`` starting at the closure; an unreleased closure becomes its stop,
   or silence for the 48-set ``cl``/``vcl`` whose stop is unknown), ``q`` merged into the phone
   before it, labels folded to the 39 set, adjacent silences merged.
2. The two label sequences are aligned by edit distance.
3. For each reference boundary (the start of every reference phone but the first) the error is the
   distance to the start of its aligned hypothesis phone; a reference phone aligned to nothing is
   a miss (counted in the denominator, never within tolerance, left out of the mean).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .phones import SILENCE, to39
from .segment import Segment

TOLERANCES_MS = (10, 20, 25, 50)

# closure -> the releases it merges into; the first is what an unreleased closure becomes
_CLOSURE_RELEASES = {
    "pcl": ("p",), "tcl": ("t", "ch"), "kcl": ("k",),
    "bcl": ("b",), "dcl": ("d", "jh"), "gcl": ("g",),
    "cl": (SILENCE, "p", "t", "k", "ch"), "vcl": (SILENCE, "b", "d", "g", "jh"),
}


def fold_timed(segments: Sequence[Segment]) -> list[Segment]:
    """Fold timed TIMIT (61), 48-set or ARPAbet-derived labels for boundary scoring (see module doc)."""
    out: list[Segment] = []
    segs = list(segments)
    i = 0
    while i < len(segs):
        s = segs[i]
        label = s.label.lower()
        if label == "q":
            if out:
                out[-1] = Segment(out[-1].label, out[-1].start, s.end, out[-1].score)
            elif i + 1 < len(segs):
                segs[i + 1] = Segment(segs[i + 1].label, s.start, segs[i + 1].end, segs[i + 1].score)
            i += 1
            continue
        if label in _CLOSURE_RELEASES:
            releases = _CLOSURE_RELEASES[label]
            nxt = segs[i + 1].label.lower() if i + 1 < len(segs) else None
            if nxt is not None and nxt in releases[1 if releases[0] == SILENCE else 0:]:
                segs[i + 1] = Segment(segs[i + 1].label, s.start, segs[i + 1].end, segs[i + 1].score)
                i += 1
                continue
            label = releases[0]
        folded = to39(label)
        if folded is None:
            i += 1
            continue
        if out and folded == SILENCE and out[-1].label == SILENCE:
            out[-1] = Segment(SILENCE, out[-1].start, s.end, out[-1].score)
        else:
            out.append(Segment(folded, s.start, s.end, s.score))
        i += 1
    return out


def edit_alignment(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Levenshtein alignment of two label sequences as ``(ref_index, hyp_index)`` pairs
    (``None`` on the side of an insertion or deletion). Ties prefer match/substitution."""
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]), d[i - 1, j] + 1, d[i, j - 1] + 1)
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]


def labelled_boundary_errors(ref: Sequence[Segment], hyp: Sequence[Segment]) -> list[tuple[str, float | None]]:
    """``(reference phone, absolute error in seconds or None for a miss)`` for every reference
    boundary (the start of each folded reference phone but the first)."""
    r, h = fold_timed(ref), fold_timed(hyp)
    pairs = edit_alignment([s.label for s in r], [s.label for s in h])
    return [(r[ri].label, None if hi is None else abs(r[ri].start - h[hi].start))
            for ri, hi in pairs if ri is not None and ri > 0]


def boundary_errors(ref: Sequence[Segment], hyp: Sequence[Segment]) -> tuple[list[float], int]:
    """Per-boundary absolute errors (seconds) and the number of missed reference boundaries.

    Both inputs are folded with :func:`fold_timed` first.
    """
    pairs = labelled_boundary_errors(ref, hyp)
    return [e for _, e in pairs if e is not None], sum(e is None for _, e in pairs)


PHONE_CLASSES = {
    "vowels": {"aa", "ae", "ah", "aw", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw"},
    "stops": {"b", "d", "g", "p", "t", "k", "dx"},
    "affricates+fricatives": {"ch", "jh", "f", "v", "th", "dh", "s", "z", "sh", "hh"},
    "nasals": {"m", "n", "ng"},
    "liquids+glides": {"l", "r", "w", "y"},
    "silence": {SILENCE},
}


def boundary_by_class(pairs: Sequence[tuple[Sequence[Segment], Sequence[Segment]]]) -> dict[str, BoundaryScore]:
    """Boundary agreement split by the class of the phone that starts at the boundary."""
    out = {c: BoundaryScore() for c in PHONE_CLASSES}
    for ref, hyp in pairs:
        for label, err in labelled_boundary_errors(ref, hyp):
            cls = next((c for c, members in PHONE_CLASSES.items() if label in members), None)
            if cls is None:
                continue
            if err is None:
                out[cls].misses += 1
            else:
                out[cls].errors.append(err)
    return out


@dataclass
class BoundaryScore:
    """Boundary agreement over a set of utterances."""

    errors: list[float] = field(default_factory=list)
    misses: int = 0

    def add(self, ref: Sequence[Segment], hyp: Sequence[Segment]) -> "BoundaryScore":
        e, m = boundary_errors(ref, hyp)
        self.errors.extend(e)
        self.misses += m
        return self

    @property
    def n(self) -> int:
        return len(self.errors) + self.misses

    def within(self, ms: float) -> float:
        """Percentage of reference boundaries within ``ms`` milliseconds (misses count as outside)."""
        if not self.n:
            return float("nan")
        return 100.0 * sum(e <= ms / 1000 + 1e-9 for e in self.errors) / self.n

    @property
    def mean_ms(self) -> float:
        return 1000.0 * float(np.mean(self.errors)) if self.errors else float("nan")

    def summary(self) -> dict[str, float]:
        out = {f"within_{t}ms": round(self.within(t), 2) for t in TOLERANCES_MS}
        out.update(mean_ms=round(self.mean_ms, 2), boundaries=self.n, misses=self.misses)
        return out

    def line(self) -> str:
        return (" ".join(f"<{t}ms {self.within(t):5.1f}%" for t in TOLERANCES_MS)
                + f"  mean {self.mean_ms:.1f} ms  ({self.n} boundaries, {self.misses} missed)")


def boundary_agreement(pairs: Sequence[tuple[Sequence[Segment], Sequence[Segment]]]) -> BoundaryScore:
    """Boundary agreement over ``(reference, hypothesis)`` segment lists."""
    score = BoundaryScore()
    for ref, hyp in pairs:
        score.add(ref, hyp)
    return score


# --------------------------------------------------------------------------------------- PER / WER
@dataclass(frozen=True)
class ErrorRate:
    """Edit-distance error counts; ``rate`` in percent."""

    errors: int
    ref_len: int
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0

    @property
    def rate(self) -> float:
        return 100.0 * self.errors / self.ref_len if self.ref_len else float("nan")


def error_rate(refs: Sequence[Sequence[str]], hyps: Sequence[Sequence[str]]) -> ErrorRate:
    """Token error rate of hypothesis token lists against reference token lists (via jiwer)."""
    import jiwer

    if len(refs) != len(hyps):
        raise ValueError(f"{len(refs)} references but {len(hyps)} hypotheses")
    pairs = [(" ".join(r), " ".join(h)) for r, h in zip(refs, hyps)]
    nonempty = [(r, h) for r, h in pairs if r]
    ins_only = sum(len(h.split()) for r, h in pairs if not r)
    if not nonempty:
        return ErrorRate(ins_only, 0, insertions=ins_only)
    out = jiwer.process_words([r for r, _ in nonempty], [h for _, h in nonempty])
    ref_len = sum(len(r.split()) for r, _ in nonempty)
    ins = out.insertions + ins_only
    return ErrorRate(out.substitutions + out.deletions + ins, ref_len, out.substitutions, out.deletions, ins)


def per(refs: Sequence[Sequence[str]], hyps: Sequence[Sequence[str]]) -> ErrorRate:
    """Phone error rate after folding both sides to the 39 set (closures fold to ``sil``, ``q`` deleted,
    adjacent silences merged, as is standard for TIMIT)."""
    return error_rate([fold39_sequence(r) for r in refs], [fold39_sequence(h) for h in hyps])


def fold39_sequence(seq: Sequence[str]) -> list[str]:
    """A phone sequence folded to 39 for PER: ``q`` dropped, closures to ``sil``, silences merged."""
    out: list[str] = []
    for p in seq:
        f = to39(_CLOSURE_RELEASES[p][0] if p in ("cl", "vcl") else p)
        if f is not None and not (f == SILENCE and out and out[-1] == SILENCE):
            out.append(f)
    return out


def wer(refs: Sequence[str], hyps: Sequence[str]) -> ErrorRate:
    """Word error rate of transcripts (already normalised strings)."""
    return error_rate([r.split() for r in refs], [h.split() for h in hyps])


def per_speaker(utts: Sequence[str], speakers: dict[str, str], refs: dict[str, Sequence[str]],
                hyps: dict[str, Sequence[str]], scorer=error_rate) -> dict[str, ErrorRate]:
    """Error rate per speaker (and ``"all"``) with ``scorer`` (:func:`error_rate` or :func:`per`)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for u in utts:
        groups[speakers.get(u, u)].append(u)
    out = {s: scorer([refs[u] for u in us], [hyps[u] for u in us]) for s, us in sorted(groups.items())}
    out["all"] = scorer([refs[u] for u in utts], [hyps[u] for u in utts])
    return out


# --------------------------------------------------------------------------------------- reports
def token_alignment(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[str | None, str | None]]:
    """Edit-distance alignment as ``(ref token or None, hyp token or None)`` pairs."""
    return [(None if i is None else ref[i], None if j is None else hyp[j]) for i, j in edit_alignment(ref, hyp)]


def confusions(refs: Sequence[Sequence[str]], hyps: Sequence[Sequence[str]]) -> dict[tuple[str, str], int]:
    """Counts of errors ``(ref, hyp)``; deletions have hyp ``"***"``, insertions ref ``"***"``.
    Sorted by count, most frequent first."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r, h in zip(refs, hyps):
        for a, b in token_alignment(r, h):
            if a != b:
                counts[(a or "***", b or "***")] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def format_alignment(ref: Sequence[str], hyp: Sequence[str]) -> str:
    """An sclite-style three-line print: REF, HYP, and S/D/I markers; errors in upper case."""
    cols = []
    for a, b in token_alignment(ref, hyp):
        mark = " " if a == b else ("D" if b is None else "I" if a is None else "S")
        ra = (a or "***") if a == b else (a or "***").upper()
        hb = (b or "***") if a == b else (b or "***").upper()
        w = max(len(ra), len(hb))
        cols.append((ra.ljust(w), hb.ljust(w), mark.ljust(w)))
    return "\n".join(label + " ".join(c[k] for c in cols).rstrip() for k, label in
                     enumerate(("REF: ", "HYP: ", "     ")))
