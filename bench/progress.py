"""A small progress bar on stderr (no dependency): label, bar, percent, count, rate."""

import sys
import time


class Progress:
    WIDTH = 28

    def __init__(self, label, total, *, stream=None, enabled=True, interval=0.25):
        self.label, self.total, self.done = label, max(int(total), 0), 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval = interval
        self.started = self._last = time.monotonic()

    def __enter__(self):
        self._draw()
        return self

    def __exit__(self, *exc):
        self.close()

    def advance(self, n=1):
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._draw()

    def close(self):
        self._draw(final=True)

    def _draw(self, final=False):
        if not self.enabled:
            return
        total = self.total or 1
        share = min(self.done / total, 1.0)
        filled = int(self.WIDTH * share)
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        line = (
            f"\r{self.label:<14} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{share:6.1%} {self.done:>10,}/{self.total:,} {elapsed:6.1f}s {rate:>10,.0f}/s"
        )
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()
