"""Progress bars for long stages, on stderr, only when stderr is a terminal and not --quiet:
when the output goes to a file or a CI log, nothing but errors is written to stderr."""

from __future__ import annotations

import sys
from contextlib import contextmanager


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


class Progress:
    def __init__(self, quiet: bool = False):
        self.enabled = not quiet and sys.stderr.isatty()

    @contextmanager
    def bar(self, label: str, total: int, unit: str):
        if not self.enabled or total <= 0:
            yield _Silent()
            return
        from tqdm import tqdm

        with tqdm(total=total, desc=label, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False) as bar:
            yield bar
