"""Phone sets and maps: TIMIT 61 -> 48 (training) -> 39 (scoring), ARPAbet -> 48, and units.

The 61/48/39 map is data (``asr/data/phones.60-48-39.map``, the Lee & Hon 1989 map Kaldi's TIMIT
recipe uses), not code. ``q`` has no target: it is deleted from label sequences, and in timed
labels merged into the phone before it (see :func:`asr.metrics.fold_timed`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

SILENCE = "sil"


class PhoneError(ValueError):
    """An unknown phone label or a bad phone map."""


@dataclass(frozen=True)
class PhoneMap:
    to48: dict[str, str]
    to39: dict[str, str]

    @property
    def timit61(self) -> list[str]:
        return sorted(set(self.to48) | {"q"})


@lru_cache(maxsize=1)
def phone_map() -> PhoneMap:
    """The TIMIT 61 -> 48 -> 39 map shipped with the package."""
    to48: dict[str, str] = {}
    to39: dict[str, str] = {}
    text = resources.files("asr.data").joinpath("phones.60-48-39.map").read_text()
    for lineno, line in enumerate(text.splitlines(), 1):
        parts = [] if line.startswith("#") else line.split()
        if not parts:
            continue
        if len(parts) == 1:  # deleted phone (q)
            continue
        if len(parts) != 3:
            raise PhoneError(f"phones.60-48-39.map:{lineno}: expected 3 columns, got {len(parts)}")
        to48[parts[0]] = parts[1]
        to39[parts[0]] = parts[2]
        to39.setdefault(parts[1], parts[2])  # 48-set labels fold too
    return PhoneMap(to48, to39)


TIMIT61: tuple[str, ...] = tuple(phone_map().timit61)
PHONES48: tuple[str, ...] = tuple(sorted(set(phone_map().to48.values())))
PHONES39: tuple[str, ...] = tuple(sorted(set(phone_map().to39.values())))
DELETED = frozenset({"q"})

# ARPAbet (CMUdict, 39 phones, stress stripped) -> the 48-phone training set. Explicit, and tested:
# unstressed AH0 is TIMIT's schwa "ax", unstressed IH0 its "ix"; everything else maps to itself.
ARPABET: tuple[str, ...] = ("AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY",
                            "F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P",
                            "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH")
ARPABET_STRESSED_TO48 = {"AH0": "ax", "IH0": "ix"}


def arpabet_to48(phone: str) -> str:
    """Map one ARPAbet phone (stress digit optional) to the 48-phone set."""
    p = phone.upper()
    if p in ARPABET_STRESSED_TO48:
        return ARPABET_STRESSED_TO48[p]
    base = p.rstrip("012")
    if base not in ARPABET:
        raise PhoneError(f"unknown ARPAbet phone {phone!r}")
    return base.lower()


def to48(label: str) -> str | None:
    """Fold a TIMIT 61 (or already-48) label to the 48 set; ``None`` for deleted ``q``."""
    if label in DELETED:
        return None
    m = phone_map()
    if label in m.to48:
        return m.to48[label]
    if label in PHONES48:
        return label
    raise PhoneError(f"unknown phone label {label!r}")


def to39(label: str) -> str | None:
    """Fold a TIMIT 61 or 48 label to the 39 scoring set; ``None`` for deleted ``q``."""
    if label in DELETED:
        return None
    m = phone_map()
    if label in m.to39:
        return m.to39[label]
    if label in PHONES39:
        return label
    raise PhoneError(f"unknown phone label {label!r}")


def fold(labels: list[str], target: str = "39") -> list[str]:
    """Fold a label sequence to the ``48`` or ``39`` set, dropping deleted phones."""
    f = {"48": to48, "39": to39}[target]
    return [x for x in (f(lab) for lab in labels) if x is not None]


@dataclass(frozen=True)
class UnitSet:
    """The model's output units: each phone split into ``states_per_phone`` states.

    Unit ``i * S + s`` is state ``s`` of phone ``phones[i]``.
    """

    phones: tuple[str, ...] = PHONES48
    states_per_phone: int = 1

    def __post_init__(self):
        if self.states_per_phone < 1:
            raise PhoneError("states_per_phone must be at least 1")

    def __len__(self) -> int:
        return len(self.phones) * self.states_per_phone

    @property
    def index(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.phones)}

    def phone_ids(self, phones: list[str]) -> list[int]:
        idx = self.index
        try:
            return [idx[p] for p in phones]
        except KeyError as e:
            raise PhoneError(f"phone {e.args[0]!r} is not in the model's phone set") from None

    def units(self, phones: list[str]) -> list[int]:
        """Unit sequence of a phone sequence: every phone expands to its S states in order."""
        s = self.states_per_phone
        return [p * s + k for p in self.phone_ids(phones) for k in range(s)]

    def phone_of_unit(self, unit: int) -> str:
        return self.phones[unit // self.states_per_phone]

    def name(self, unit: int) -> str:
        p = self.phone_of_unit(unit)
        return p if self.states_per_phone == 1 else f"{p}_{unit % self.states_per_phone}"
