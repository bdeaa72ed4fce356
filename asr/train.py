"""Flat-start Viterbi training: align, train, re-align, repeat until the alignments settle.

The loop (``train``) reads top to bottom:
  flat start -> for each iteration: E epochs of frame cross-entropy on the current alignments ->
  re-align every utterance with the current model (``realign``) -> log, checkpoint -> next.
``mode="combined"`` instead aligns each mini-batch with the current model inside the training step.
No timing from the transcripts is used anywhere; hand labels, where a corpus has them, are only
used to *report* boundary agreement.
"""
from __future__ import annotations

import json
import logging
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from tqdm import tqdm

from .align import flat_start, viterbi_align
from .config import check_choice, dump_yaml
from .corpus.utterance import Utterance
from .features import CmvnStats, FeatureCache, FeatureConfig, compute_features, normalize
from .io.atomic import atomic_open, atomic_write_text
from .lexicon import Lexicon
from .metrics import BoundaryScore
from .model import BLSTM, AcousticModel, FrameMLP, ModelConfig, pad_batch
from .phones import SILENCE, UnitSet
from .segment import Segment
from .transcript import Targets, TranscriptError, phone_segments, phone_targets, word_targets

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint.pt"


@dataclass(frozen=True)
class BootstrapConfig:
    """The context-window MLP that takes the first iterations from the flat start.

    iterations: MLP train / re-align rounds before the BiLSTM (0: the BiLSTM starts from the flat start).
    context: frames on each side the MLP sees.
    hidden: MLP hidden units.
    updates: mini-batch updates per round, whatever the corpus size (about one epoch of the TIMIT
        sample: a lightly trained model stays acoustic and cannot memorise the alignment it is given).
    batch_frames: frames per mini-batch (frames are shuffled across utterances).
    lr: Adam learning rate.
    """

    iterations: int = 20
    context: int = 1
    hidden: int = 64
    updates: int = 150
    batch_frames: int = 256
    lr: float = 1e-3


@dataclass(frozen=True)
class TrainConfig:
    """Everything ``asr-train`` needs; saved as ``config.yaml`` beside the model.

    features: feature extraction (see :class:`asr.features.FeatureConfig`).
    model: network shape (see :class:`asr.model.ModelConfig`).
    bootstrap: the context-window MLP rounds that come first (see :class:`BootstrapConfig`).
    iterations: BiLSTM train / re-align rounds after the bootstrap.
    epochs_per_iteration: cross-entropy epochs on each alignment.
    mode: ``realign`` (train on fixed alignments, re-align the set after each iteration) or
        ``combined`` (align every mini-batch with the current model inside the training step).
    batch_size: utterances per mini-batch (split across processes under torchrun).
    lr: Adam learning rate at the start.
    clip_norm: gradient clipping by global norm.
    lr_patience: halve the learning rate when the dev loss has not improved for this many epochs.
    early_stop_patience: end an iteration's epochs early after this many epochs without dev improvement.
    min_lr: never halve below this.
    flat_start: ``uniform`` (equal shares) or ``silence`` (leading/trailing silence placed by energy).
    prior_scale: align with log posterior minus this times log prior (hybrid scaled likelihoods).
    converge: stop when fewer than this share of frames changed label in a re-alignment.
    transcripts: ``phones`` (use a corpus's phone labels, times ignored) or ``words`` (dictionary).
    speed_perturb: extra copies of every training utterance played at these speeds (e.g. ``[0.9, 1.1]``,
        Kaldi's speed perturbation): more apparent speakers, better on unseen ones; training time grows.
    seed: seed of every random choice (init, dropout, batch order).
    """

    features: FeatureConfig = field(default_factory=FeatureConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    bootstrap: BootstrapConfig = field(default_factory=BootstrapConfig)
    iterations: int = 4
    epochs_per_iteration: int = 4
    mode: str = "realign"
    batch_size: int = 8
    lr: float = 2e-3
    clip_norm: float = 5.0
    lr_patience: int = 1
    early_stop_patience: int = 3
    min_lr: float = 1e-5
    flat_start: str = "uniform"
    prior_scale: float = 1.0
    converge: float = 0.002
    transcripts: str = "phones"
    speed_perturb: tuple[float, ...] = ()
    seed: int = 0

    def __post_init__(self):
        check_choice("mode", self.mode, ("realign", "combined"))
        check_choice("flat_start", self.flat_start, ("uniform", "silence"))
        check_choice("transcripts", self.transcripts, ("phones", "words"))


@dataclass
class Item:
    """One training utterance: normalised features, targets, and hand labels if any (for scoring)."""

    utt_id: str
    speaker: str
    feats: np.ndarray
    energy: np.ndarray
    targets: Targets
    ref_phones: tuple[Segment, ...] | None = None


# ----------------------------------------------------------------------------------- data
def prepare_items(utts: list[Utterance], features: FeatureConfig, units: UnitSet, transcripts: str = "phones",
                  lexicon: Lexicon | None = None, cache_dir: str | Path | None = None,
                  cmvn: CmvnStats | None = None, progress: bool = True,
                  speeds: tuple[float, ...] = ()) -> tuple[list[Item], CmvnStats | None, list[str]]:
    """Features (cached), CMVN and targets for each utterance, and for its copy at each of ``speeds``
    (utterance and speaker ids prefixed ``sp{speed}-``, as Kaldi names them).

    Returns the items, the global CMVN statistics (for ``cmvn: global``) and one error line per
    utterance that could not be used (the rest go on).
    """
    from .audio import AudioError, load_audio, speed_perturb

    cache = FeatureCache(cache_dir, features) if cache_dir else None
    raw, targets, errors, refs = {}, {}, [], {}
    utt2spk = {u.utt_id: u.speaker for u in utts}
    copies = [(u, 1.0) for u in utts] + [(u, s) for s in speeds if s != 1.0 for u in utts]
    for u, speed in tqdm(copies, desc="features", disable=not progress, leave=False):
        key = u.utt_id if speed == 1.0 else f"sp{speed:g}-{u.utt_id}"
        try:
            if transcripts == "phones" and u.phones:
                tg = phone_targets(u.phone_labels, units)
            else:
                if lexicon is None:
                    raise TranscriptError("word transcripts need a dictionary")
                tg = word_targets(u.text, lexicon, units)
            if cache is not None and not u.start and u.end is None:
                f = cache.features(key, u.audio, speed)
            else:
                audio = load_audio(u.audio)
                s0 = int(u.start * audio.sample_rate)
                s1 = int(u.end * audio.sample_rate) if u.end is not None else len(audio.samples)
                f = compute_features(speed_perturb(audio.samples[s0:s1], speed), features)
        except (AudioError, TranscriptError, ValueError) as e:
            if speed == 1.0:
                errors.append(f"{u.utt_id}\t{u.audio}\t{e}")
            continue
        raw[key], targets[key], refs[key] = f, tg, u.phones if speed == 1.0 else None
        utt2spk[key] = u.speaker if speed == 1.0 else f"sp{speed:g}-{u.speaker}"
    normed, stats = normalize(raw, features.cmvn, utt2spk, cmvn)
    items = [Item(k, utt2spk[k], normed[k], _energy(raw[k], features), targets[k], refs[k]) for k in raw]
    return items, stats, errors


def _energy(raw: np.ndarray, features: FeatureConfig) -> np.ndarray:
    """A loudness proxy per frame: mean log-mel (fbank) or c0 (mfcc)."""
    base = raw[:, : (features.num_ceps if features.kind == "mfcc" else features.num_mel_bins)]
    return base[:, 0] if features.kind == "mfcc" else base.mean(axis=1)


def initial_alignment(item: Item, how: str = "uniform") -> np.ndarray:
    """Flat start: positions per frame. ``silence`` first gives a leading/trailing ``sil`` the frames
    below an energy threshold at the edges, then shares the rest uniformly."""
    T, N = len(item.feats), len(item.targets.units)
    if how == "uniform" or N < 3:
        return flat_start(T, N)
    phones = item.targets.phones
    pos_of_phone = [np.flatnonzero(item.targets.phone_of == k) for k in range(len(phones))]
    e = item.energy
    thr = e.min() + 0.25 * (e.max() - e.min())
    loud = np.flatnonzero(e > thr)
    lo, hi = (int(loud[0]), int(loud[-1]) + 1) if len(loud) else (0, T)
    lead = phones[0] == SILENCE and item.targets.phone_of[0] == 0
    trail = phones[-1] == SILENCE
    n_lead = len(pos_of_phone[0]) if lead else 0
    n_trail = len(pos_of_phone[-1]) if trail else 0
    inner = N - n_lead - n_trail
    lo = max(lo, n_lead) if lead else 0
    hi = min(hi, T - n_trail) if trail else T
    if inner <= 0 or hi - lo < inner:
        return flat_start(T, N)
    out = np.empty(T, dtype=np.int32)
    if lead:
        out[:lo] = flat_start(lo, n_lead)
    out[lo:hi] = n_lead + flat_start(hi - lo, inner)
    if trail:
        out[hi:] = n_lead + inner + flat_start(T - hi, n_trail)
    return out


# ----------------------------------------------------------------------------------- distributed
def _world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def init_distributed(device: str) -> tuple[int, int]:
    """Join the process group when started by torchrun (gloo on CPU, nccl on GPU)."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
    return _world()


def _all_mean(values: list[float]) -> list[float]:
    rank, world = _world()
    if world == 1:
        return values
    t = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(t)
    return (t / world).tolist()


# ----------------------------------------------------------------------------------- steps
def _labels(items: list[Item], alignments: dict[str, np.ndarray], device) -> torch.Tensor:
    T = max(len(it.feats) for it in items)
    y = torch.full((len(items), T), -100, dtype=torch.long)
    for i, it in enumerate(items):
        y[i, :len(it.feats)] = torch.from_numpy(it.targets.units[alignments[it.utt_id]])
    return y.to(device)


def align_items(model: torch.nn.Module, items: list[Item], device, log_priors: np.ndarray | None = None,
                prior_scale: float = 1.0, batch: int = 16) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Viterbi-align ``items`` with ``model``; returns positions per utterance and path scores."""
    model.eval()
    out, scores = {}, {}
    with torch.no_grad():
        for i in range(0, len(items), batch):
            chunk = items[i:i + batch]
            x, lens = pad_batch([it.feats for it in chunk], device)
            lp = model(x, lens)
            if prior_scale and log_priors is not None:
                lp = lp - prior_scale * torch.as_tensor(log_priors, device=lp.device)
            res = viterbi_align(lp if lp.is_cuda else lp.cpu(), [it.targets.units for it in chunk], lens.numpy(),
                                [it.targets.optional for it in chunk])
            for it, a in zip(chunk, res):
                if a.error:
                    log.warning("%s: %s", it.utt_id, a.error)
                    continue
                out[it.utt_id], scores[it.utt_id] = a.positions, a.score
    return out, scores


def realign(model, items: list[Item], device, log_priors=None, prior_scale=0.0) -> dict[str, np.ndarray]:
    """Re-align every item; under torchrun each process aligns its share and all gather."""
    rank, world = _world()
    mine, _ = align_items(model, items[rank::world], device, log_priors, prior_scale)
    if world == 1:
        return mine
    gathered: list = [None] * world
    dist.all_gather_object(gathered, mine)
    return {k: v for part in gathered for k, v in part.items()}


def estimate_log_priors(items: list[Item], alignments: dict[str, np.ndarray], num_units: int) -> np.ndarray:
    """Log unit priors from aligned frame counts (add-one smoothed)."""
    counts = np.ones(num_units)
    for it in items:
        if it.utt_id in alignments:
            np.add.at(counts, it.targets.units[alignments[it.utt_id]], 1)
    return np.log(counts / counts.sum()).astype(np.float32)


def boundary_score(items: list[Item], alignments: dict[str, np.ndarray]) -> BoundaryScore | None:
    """Boundary agreement of the alignments with the hand labels, where items have them."""
    score = BoundaryScore()
    for it in items:
        if it.ref_phones and it.utt_id in alignments:
            score.add(it.ref_phones, phone_segments(alignments[it.utt_id], it.targets))
    return score if score.n else None


def _changed(old: dict[str, np.ndarray], new: dict[str, np.ndarray], items: list[Item]) -> float:
    same = total = 0
    for it in items:
        if it.utt_id in old and it.utt_id in new:
            a, b = it.targets.units[old[it.utt_id]], it.targets.units[new[it.utt_id]]
            same += int((a == b).sum())
            total += len(a)
    return 1.0 - same / max(total, 1)


def run_epoch(net, opt, items: list[Item], alignments: dict[str, np.ndarray], config: TrainConfig, device,
              order_seed: int, progress: bool = True) -> tuple[float, float]:
    """One epoch of frame cross-entropy. In ``combined`` mode every batch is first aligned with the
    current model and ``alignments`` is updated in place. Returns (loss, frame accuracy)."""
    rank, world = _world()
    order = np.random.default_rng(order_seed).permutation(len(items))
    batches = [order[i:i + config.batch_size] for i in range(0, len(order), config.batch_size)]
    tot_loss = tot_correct = tot_frames = 0.0
    for idx in tqdm(batches, desc="train", disable=not progress or rank > 0, leave=False):
        mine = [items[i] for i in idx[rank::world]] or [items[idx[0]]]
        if config.mode == "combined":
            alignments.update(align_items(_module(net), mine, device)[0])
        net.train()
        x, lens = pad_batch([it.feats for it in mine], device)
        y = _labels(mine, alignments, device)
        lp = net(x, lens)
        loss = torch.nn.functional.nll_loss(lp.transpose(1, 2), y, ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), config.clip_norm)
        opt.step()
        valid = y != -100
        n = int(valid.sum())
        tot_loss += float(loss.detach()) * n
        tot_correct += float((lp.argmax(-1) == y)[valid].sum())
        tot_frames += n
    loss, acc = _all_mean([tot_loss / max(tot_frames, 1), tot_correct / max(tot_frames, 1)])
    return loss, acc


def bootstrap_round(net, opt, items: list[Item], alignments: dict[str, np.ndarray], config: BootstrapConfig,
                    device, order_seed: int) -> tuple[float, float]:
    """``config.updates`` mini-batches of the context-window MLP on frames shuffled across utterances.
    Returns (loss, frame accuracy) over the frames seen."""
    rank, world = _world()
    net.train()
    x = torch.cat([net.splice(torch.from_numpy(it.feats)[None])[0] for it in items])
    y = torch.cat([torch.from_numpy(it.targets.units[alignments[it.utt_id]]) for it in items])
    rng = np.random.default_rng(order_seed)
    per_pass = max(len(x) // config.batch_frames, 1)
    order = np.concatenate([rng.permutation(len(x)) for _ in range(-(-config.updates // per_pass))])
    tot_loss = tot_correct = seen = 0.0
    for k in range(config.updates):
        idx = torch.from_numpy(order[k * config.batch_frames:(k + 1) * config.batch_frames][rank::world])
        xb, yb = x[idx].to(device), y[idx].to(device)
        logits = net.net(xb)
        loss = torch.nn.functional.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        if world > 1:
            for p in net.parameters():
                dist.all_reduce(p.grad)
                p.grad /= world
        opt.step()
        tot_loss += float(loss.detach()) * len(idx)
        tot_correct += float((logits.argmax(-1) == yb).sum())
        seen += len(idx)
    return tuple(_all_mean([tot_loss / seen, tot_correct / seen]))


def dev_loss(net, items: list[Item], alignments: dict[str, np.ndarray], device) -> float | None:
    """Mean frame cross-entropy of ``items`` against their current alignments."""
    items = [it for it in items if it.utt_id in alignments]
    if not items:
        return None
    net.eval()
    tot = frames = 0.0
    with torch.no_grad():
        for i in range(0, len(items), 16):
            chunk = items[i:i + 16]
            x, lens = pad_batch([it.feats for it in chunk], device)
            y = _labels(chunk, alignments, device)
            lp = net(x, lens)
            tot += float(torch.nn.functional.nll_loss(lp.transpose(1, 2), y, ignore_index=-100, reduction="sum"))
            frames += float((y != -100).sum())
    return tot / max(frames, 1)


def _module(net):
    return net.module if hasattr(net, "module") else net


# ----------------------------------------------------------------------------------- checkpoints
def _rng_state() -> dict:
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])


def save_checkpoint(path: Path, **state) -> None:
    with atomic_open(path, "wb") as f:
        torch.save(state, f)


def load_checkpoint(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:
        raise RuntimeError(f"{path}: checkpoint cannot be loaded ({type(e).__name__}: {e}); "
                           f"remove it to start over") from None


# ----------------------------------------------------------------------------------- the loop
def train(train_items: list[Item], dev_items: list[Item], config: TrainConfig, out_dir: str | Path,
          units: UnitSet, cmvn: CmvnStats | None = None, device: str = "cpu", resume: bool = False,
          progress: bool = True, lexicon: Lexicon | None = None) -> AcousticModel:
    """Flat-start Viterbi training; writes checkpoints, ``history.json``, ``curves.png`` and
    ``model.pt`` into ``out_dir`` and returns the final model.

    Iterations 1..B use the context-window MLP (``config.bootstrap``), B+1.. the BiLSTM; each
    iteration trains on the current alignments and then re-aligns every utterance. The model file
    also keeps a phone bigram of the training transcripts (for the phone-loop decoder) and, given
    ``lexicon``, the pronunciations of the training words (the default decoding vocabulary).
    """
    out = Path(out_dir)
    rank, world = _world()
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out / "config.yaml", dump_yaml(config))
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)
    random.seed(config.seed)
    dim = train_items[0].feats.shape[1]
    boot = config.bootstrap
    mlp = FrameMLP(dim, len(units), boot.context, boot.hidden).to(device)
    mlp_opt = torch.optim.Adam(mlp.parameters(), lr=boot.lr)
    net = BLSTM(dim, len(units), config.model).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=config.lr)
    all_items = train_items + dev_items
    alignments = {it.utt_id: initial_alignment(it, config.flat_start) for it in all_items}
    history: list[dict] = []
    start_it, start_ep, best_dev, bad_epochs = 1, 0, float("inf"), 0
    ckpt = out / CHECKPOINT

    def checkpoint(iteration: int, epoch: int) -> None:
        if rank == 0:
            save_checkpoint(ckpt, net=net.state_dict(), opt=opt.state_dict(), mlp=mlp.state_dict(),
                            mlp_opt=mlp_opt.state_dict(), alignments=alignments, history=history,
                            iteration=iteration, epoch=epoch, best_dev=best_dev, bad_epochs=bad_epochs,
                            rng=_rng_state())

    if resume and ckpt.exists():
        st = load_checkpoint(ckpt)
        net.load_state_dict(st["net"])
        opt.load_state_dict(st["opt"])
        mlp.load_state_dict(st["mlp"])
        mlp_opt.load_state_dict(st["mlp_opt"])
        alignments, history = st["alignments"], st["history"]
        start_it, start_ep, best_dev, bad_epochs = st["iteration"], st["epoch"], st["best_dev"], st["bad_epochs"]
        _set_rng_state(st["rng"])
        log.info("resumed from %s at iteration %d epoch %d", ckpt, start_it, start_ep)
    elif resume:
        log.info("no checkpoint in %s; starting from the flat start", out)
    if not history:
        b = boundary_score(all_items, alignments)
        history.append({"iteration": 0, "stage": "flat", "boundary_within_20ms": b.within(20) if b else None,
                        "boundary_mean_ms": b.mean_ms if b else None})
        if b and rank == 0:
            log.info("flat start: boundary agreement %s", b.line())
    ddp = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
    total = boot.iterations + config.iterations
    loss = acc = dl = None
    for it in range(start_it, total + 1):
        stage = "mlp" if it <= boot.iterations else "blstm"
        t_train = time.time()
        epochs_run = 0
        if stage == "mlp":
            loss, acc = bootstrap_round(mlp, mlp_opt, train_items, alignments, boot, device,
                                        order_seed=config.seed * 100003 + it * 1009)
            epochs_run = 1
            dl = None
        else:
            for ep in range(start_ep, config.epochs_per_iteration):
                loss, acc = run_epoch(ddp, opt, train_items, alignments, config, device,
                                      order_seed=config.seed * 100003 + it * 1009 + ep, progress=progress)
                epochs_run += 1
                dl = dev_loss(net, dev_items, alignments, device)
                watched = dl if dl is not None else loss
                if watched < best_dev - 1e-4:
                    best_dev, bad_epochs = watched, 0
                else:
                    bad_epochs += 1
                    if bad_epochs >= config.lr_patience:
                        for g in opt.param_groups:
                            g["lr"] = max(g["lr"] / 2, config.min_lr)
                if rank == 0:
                    log.info("iteration %d epoch %d: loss %.4f frame acc %.3f dev loss %s lr %.2g", it, ep + 1, loss,
                             acc, f"{dl:.4f}" if dl is not None else "-", opt.param_groups[0]["lr"])
                checkpoint(it, ep + 1)
                if bad_epochs >= config.early_stop_patience:
                    log.info("iteration %d: loss stalled for %d epochs; re-aligning", it, bad_epochs)
                    break
        epoch_time = (time.time() - t_train) / max(epochs_run, 1)
        start_ep = 0
        t_align = time.time()
        # a BiLSTM that fits the alignment worse than the bootstrap model did must not overwrite it
        gate = max([h["frame_acc"] for h in history if h.get("stage") == "mlp"][-1:] or [0.0])
        if stage == "blstm" and acc < gate:
            log.info("iteration %d: BiLSTM frame accuracy %.3f is below the bootstrap model's %.3f; "
                     "alignment kept", it, acc, gate)
            new = {}
        else:
            log_priors = estimate_log_priors(all_items, alignments, len(units))
            new = realign(mlp if stage == "mlp" else net, all_items, device, log_priors, config.prior_scale)
        align_time = time.time() - t_align
        changed = _changed(alignments, new, all_items) if new else None
        alignments.update(new)
        best_dev, bad_epochs = float("inf"), 0  # the targets moved: losses are not comparable across iterations
        b = boundary_score(all_items, alignments)
        row = {"iteration": it, "stage": stage, "loss": loss, "frame_acc": acc, "dev_loss": dl, "changed": changed,
               "boundary_within_20ms": b.within(20) if b else None, "boundary_mean_ms": b.mean_ms if b else None,
               "epoch_seconds": epoch_time, "align_seconds": align_time}
        history.append(row)
        if rank == 0:
            log.info("iteration %d (%s): loss %.4f acc %.3f changed %s %s (%.1f s/epoch, align %.1f s)", it, stage,
                     loss, acc, f"{100 * changed:.2f}%" if new else "-", f"boundaries {b.line()}" if b else "",
                     epoch_time, align_time)
        checkpoint(it + 1, 0)
        if stage == "blstm" and new and changed < config.converge:
            log.info("alignments settled (%.3f%% of frames changed); stopping", 100 * changed)
            break
    if boot.iterations >= total or config.iterations == 0:
        log.warning("no BiLSTM iteration ran; the saved model is the BiLSTM trained on nothing")
    model = AcousticModel(net.cpu().eval(), units, config.features, cmvn,
                          estimate_log_priors(all_items, alignments, len(units)),
                          decoding_info(train_items, units, lexicon) | {"iterations": len(history) - 1,
                                                                        "train_utterances": len(train_items)})
    net.to(device)
    if rank == 0:
        model.save(out / "model.pt")
        atomic_write_text(out / "history.json", json.dumps(history, indent=1))
        save_alignments(out / "alignments.npz", alignments)
        plot_history(history, out / "curves.png")
    return model


def decoding_info(items: list[Item], units: UnitSet, lexicon: Lexicon | None) -> dict:
    """What a decoder needs from the training data: a phone bigram and the training words' pronunciations."""
    from .decode.phone_loop import estimate_bigram

    seqs = [[p for i, p in enumerate(it.targets.phones) if not (it.targets.word_of and it.targets.word_of[i] < 0
                                                                and p == SILENCE)] for it in items]
    start, bigram = estimate_bigram(seqs, units.phones)
    info: dict = {"phone_bigram": {"start": start.tolist(), "bigram": bigram.tolist()}}
    words = sorted({w for it in items for w in it.targets.words})
    if lexicon is not None and words:
        info["lexicon"] = {w: [list(p) for p in lexicon.lookup(w)] for w in words}
    return info


def save_alignments(path: Path, alignments: dict[str, np.ndarray]) -> None:
    with atomic_open(path, "wb") as f:
        np.savez_compressed(f, **alignments)


def plot_history(history: list[dict], path: Path) -> None:
    """Curves per iteration: loss, frame accuracy, share of frames changed, boundary agreement."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [h for h in history if h["iteration"] > 0]
    its = [h["iteration"] for h in rows]
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.5))
    panels = [("loss", "train loss", None), ("frame_acc", "frame accuracy vs alignment", None),
              ("changed", "share of frames re-labelled", None)]
    for ax, (key, title, _) in zip(axes, panels):
        ax.plot(its, [h[key] if h[key] is not None else np.nan for h in rows], "o-")
        if key == "loss" and any(h.get("dev_loss") is not None for h in rows):
            ax.plot(its, [h["dev_loss"] for h in rows], "s--", label="dev")
            ax.legend()
        ax.set_title(title)
        ax.set_xlabel("iteration")
    bw = [(h["iteration"], h["boundary_within_20ms"]) for h in history if h.get("boundary_within_20ms") is not None]
    if bw:
        axes[3].plot(*zip(*bw), "o-")
    axes[3].set_title("boundaries within 20 ms (%)")
    first_blstm = next((h["iteration"] for h in rows if h.get("stage") == "blstm"), None)
    if first_blstm is not None and first_blstm > 1:
        for ax in axes:
            ax.axvline(first_blstm - 0.5, color="grey", ls=":", lw=1)
        axes[3].text(first_blstm - 0.5, axes[3].get_ylim()[0], " BiLSTM", color="grey", fontsize=8, va="bottom")
    axes[3].set_xlabel("iteration (0 = flat start)")
    fig.tight_layout()
    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png", dpi=90)
    plt.close(fig)
