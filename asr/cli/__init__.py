"""Command-line entry points. Each ``main`` returns an exit code: 0 ok, 1 some inputs failed,
2 bad usage or nothing could be done."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def setup_logging(log_file: str | Path | None = None, verbose: bool = False) -> None:
    """Log to stderr (and to ``log_file`` if given) with timestamps."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def parser(prog: str, description: str, example: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=prog, description=description, epilog=f"example:\n  {example}",
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def parse_shard(spec: str | None) -> tuple[int, int]:
    """``K/N`` (1-based) -> (K, N); None -> (1, 1). Shards are every N-th item from the K-th."""
    if not spec:
        return 1, 1
    try:
        k, n = (int(x) for x in spec.split("/"))
    except ValueError:
        raise ValueError(f"--shard must be K/N, e.g. 2/8; got {spec!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard K/N needs 1 <= K <= N; got {spec!r}")
    return k, n
