"""Corpus readers: each returns a list of :class:`Utterance` records.

``load_corpus(path)`` picks the reader by layout: a TIMIT tree, a Kaldi data directory, or a folder
of audio files each beside a ``.lab``/``.txt`` transcript (the Montreal Forced Aligner layout), or a
Free Spoken Digit folder (``{digit}_{speaker}_{n}.wav``).
"""
from __future__ import annotations

from pathlib import Path

from .utterance import CorpusError, Utterance


def load_corpus(path: str | Path) -> list[Utterance]:
    """Read any supported corpus layout at ``path`` (all of it, every split)."""
    from .folder import read_folder
    from .fsdd import is_fsdd_dir, read_fsdd
    from .kaldi_dir import is_kaldi_dir, read_kaldi_dir
    from .timit import find_timit_root, prepare_timit

    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: no such corpus folder")
    if is_kaldi_dir(path):
        return read_kaldi_dir(path)
    if find_timit_root(path) is not None:
        splits = prepare_timit(path)
        return [u for part in splits.values() for u in part]
    if is_fsdd_dir(path):
        return read_fsdd(path)
    return read_folder(path)


__all__ = ["CorpusError", "Utterance", "load_corpus"]
