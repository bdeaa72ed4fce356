"""The acoustic model (a bidirectional LSTM over feature frames) and its self-contained file."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import __version__
from .config import from_dict
from .features import CmvnStats, FeatureConfig
from .io.atomic import atomic_open
from .lexicon import Lexicon
from .phones import UnitSet

MODEL_FORMAT = "asr-acoustic-model"
MODEL_FORMAT_VERSION = 1


class ModelError(ValueError):
    """A model file that cannot be used (corrupt, foreign, or from an incompatible version)."""


@dataclass(frozen=True)
class ModelConfig:
    """BiLSTM acoustic model.

    hidden: LSTM cells per direction.
    layers: stacked bidirectional layers.
    dropout: dropout between layers and before the output layer.
    projection: if > 0, a linear projection of each layer's output to this size (LSTMP-style).
    states_per_phone: 1 or 3 units per phone (sub-phone states sharpen boundaries).
    """

    hidden: int = 256
    layers: int = 3
    dropout: float = 0.2
    projection: int = 0
    states_per_phone: int = 3


class BLSTM(nn.Module):
    """Feature frames (B, T, D) -> per-frame log-posteriors over units (B, T, U). No subsampling."""

    def __init__(self, input_dim: int, num_units: int, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config = config
        self.lstm = nn.LSTM(input_dim, config.hidden, num_layers=config.layers, batch_first=True,
                            bidirectional=True, dropout=config.dropout if config.layers > 1 else 0.0,
                            proj_size=config.projection)
        out_dim = 2 * (config.projection or config.hidden)
        self.dropout = nn.Dropout(config.dropout)
        self.output = nn.Linear(out_dim, num_units)

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """feats (B, T, D) padded, lengths (B,) -> log-posteriors (B, T, U); padding frames are 0."""
        packed = pack_padded_sequence(feats, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=feats.shape[1])
        return torch.log_softmax(self.output(self.dropout(out)), dim=-1)


class FrameMLP(nn.Module):
    """A context-window MLP: each frame sees only +-``context`` neighbours.

    Used to bootstrap Viterbi training from a flat start: with so little context and capacity it
    cannot learn *where in the utterance* a frame is, only what it sounds like, so re-alignment
    moves boundaries towards the acoustics (a BiLSTM trained on a flat start memorises it instead).
    """

    def __init__(self, input_dim: int, num_units: int, context: int = 2, hidden: int = 256, dropout: float = 0.2):
        super().__init__()
        self.context = context
        self.net = nn.Sequential(nn.Linear(input_dim * (2 * context + 1), hidden), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, num_units))

    def splice(self, feats: torch.Tensor) -> torch.Tensor:
        """(B, T, D) -> (B, T, (2c+1) D), edges repeated."""
        c = self.context
        padded = torch.cat([feats[:, :1].expand(-1, c, -1), feats, feats[:, -1:].expand(-1, c, -1)], 1)
        return torch.cat([padded[:, k:k + feats.shape[1]] for k in range(2 * c + 1)], -1)

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """feats (B, T, D), lengths (B,) -> log-posteriors (B, T, U); each utterance's own last frame
        (not the padding) is repeated at its end."""
        if lengths is not None:
            t = torch.arange(feats.shape[1], device=feats.device)
            idx = torch.minimum(t[None, :], (lengths.to(feats.device) - 1)[:, None])
            feats = torch.gather(feats, 1, idx[:, :, None].expand(-1, -1, feats.shape[2]))
        return torch.log_softmax(self.net(self.splice(feats)), dim=-1)


@dataclass
class AcousticModel:
    """Everything needed to use a trained model: network, units, features, CMVN and priors."""

    net: BLSTM
    units: UnitSet
    features: FeatureConfig
    cmvn: CmvnStats | None = None
    log_priors: np.ndarray | None = None
    info: dict | None = None

    def log_probs(self, feats: list[np.ndarray], device: str | torch.device = "cpu") -> list[np.ndarray]:
        """Per-utterance log-posteriors (T_i, U) for normalised features, in eval mode."""
        self.net.eval()
        out = []
        with torch.no_grad():
            for i in range(0, len(feats), 16):
                chunk = feats[i:i + 16]
                x, lens = pad_batch(chunk, device)
                lp = self.net(x, lens).cpu().numpy()
                out.extend(lp[k, :len(f)] for k, f in enumerate(chunk))
        return out

    def lexicon(self) -> Lexicon | None:
        """The training words' pronunciations kept in the model file (the default decoding vocabulary)."""
        prons = (self.info or {}).get("lexicon")
        if not prons:
            return None
        lex = Lexicon()
        for w, variants in prons.items():
            for p in variants:
                lex.add(w, p)
        return lex

    def phone_bigram(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(log_start, log_bigram)`` of the training phone sequences, if the model file has them."""
        big = (self.info or {}).get("phone_bigram")
        if not big:
            return None
        return np.asarray(big["start"], np.float64), np.asarray(big["bigram"], np.float64)

    def save(self, path: str | Path) -> None:
        """Write the model atomically as one self-contained file."""
        blob = {
            "format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION, "asr_version": __version__,
            "model_config": asdict(self.net.config), "feature_config": asdict(self.features),
            "input_dim": self.net.lstm.input_size,
            "units": {"phones": list(self.units.phones), "states_per_phone": self.units.states_per_phone},
            "cmvn": self.cmvn.to_dict() if self.cmvn is not None else None,
            "log_priors": self.log_priors.tolist() if self.log_priors is not None else None,
            "info": self.info or {},
            "state_dict": self.net.state_dict(),
        }
        with atomic_open(path, "wb") as f:
            torch.save(blob, f)


def pad_batch(feats: list[np.ndarray], device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Stack (T_i, D) arrays into a zero-padded (B, T_max, D) tensor and lengths (B,)."""
    lens = torch.tensor([len(f) for f in feats], dtype=torch.long)
    x = torch.zeros(len(feats), int(lens.max()), feats[0].shape[1])
    for i, f in enumerate(feats):
        x[i, :len(f)] = torch.from_numpy(f)
    return x.to(device), lens


def load_model(path: str | Path, device: str | torch.device = "cpu") -> AcousticModel:
    """Load a model file written by :meth:`AcousticModel.save`; clear :class:`ModelError` otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    try:
        blob = torch.load(path, map_location=device, weights_only=True)
    except Exception as e:  # torch raises many types for corrupt/truncated/foreign files
        raise ModelError(f"{path}: not a readable model file ({type(e).__name__}: {str(e).splitlines()[0][:120]})") from None
    if not isinstance(blob, dict) or blob.get("format") != MODEL_FORMAT:
        raise ModelError(f"{path}: not an asr acoustic model (foreign file)")
    if blob.get("format_version") != MODEL_FORMAT_VERSION:
        raise ModelError(f"{path}: model format version {blob.get('format_version')} is not supported by "
                         f"asr {__version__} (expects {MODEL_FORMAT_VERSION})")
    try:
        config = from_dict(ModelConfig, blob["model_config"], source=str(path))
        units = UnitSet(tuple(blob["units"]["phones"]), int(blob["units"]["states_per_phone"]))
        net = BLSTM(int(blob["input_dim"]), len(units), config)
        net.load_state_dict(blob["state_dict"])
        feats = from_dict(FeatureConfig, blob["feature_config"], source=str(path))
    except (KeyError, RuntimeError, ValueError, TypeError) as e:
        raise ModelError(f"{path}: model file is incomplete or inconsistent ({str(e).splitlines()[0][:160]})") from None
    cmvn = CmvnStats.from_dict(blob["cmvn"]) if blob.get("cmvn") else None
    priors = np.asarray(blob["log_priors"], dtype=np.float32) if blob.get("log_priors") is not None else None
    return AcousticModel(net.to(device).eval(), units, feats, cmvn, priors, blob.get("info") or {})
