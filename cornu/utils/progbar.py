"""Keras's progress bar, with the tf.keras 2 text the course notes show.

    1875/1875 [==============================] - 11s 6ms/step - loss: 0.6092 - accuracy: 0.8393

On a terminal the bar is redrawn in place (at most every `interval` seconds); otherwise only the
finished line is written, so logs get one line per epoch. Values are fetched lazily: reading a
metric waits for the device, so the bar asks only when it draws.
"""
import os
import sys
import time


def _is_interactive():
    stream = sys.stdout
    return (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules or \
        os.environ.get("CORNU_PROGBAR") == "dynamic"


def format_value(value):
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_time_per_unit(seconds, unit="step"):
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int(eta % 3600) // 60:02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


class Progbar:
    def __init__(self, target, width=30, verbose=1, interval=0.05, unit_name="step"):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.dynamic = _is_interactive()
        self._start = time.time()
        self._last_update = 0.0
        self._total_width = 0
        self.needs_every_step = verbose == 1 and self.dynamic

    def _values_text(self, values):
        return "".join(f" - {name}: {format_value(value)}" for name, value in values)

    def update(self, current, values=None, finalize=None):
        """Draws the bar at `current` steps. `values`: pairs, or a function returning pairs."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.time()
        if self.verbose != 1 or (not finalize and (not self.dynamic or
                                                     now - self._last_update < self.interval)):
            if finalize and self.verbose == 2:
                self._write_epoch_line(current, values, now)
            return
        self._last_update = now
        if callable(values):
            values = values()
        values = values or []
        elapsed = now - self._start
        digits = len(str(self.target)) if self.target else 1
        if self.target is not None:
            bar = f"{current:{digits}d}/{self.target} ["
            filled = int(self.width * current / self.target) if self.target else self.width
            if filled > 0:
                bar += "=" * (filled - 1) + (">" if current < self.target else "=")
            bar += "." * (self.width - filled) + "]"
        else:
            bar = f"{current:7d}/Unknown"
        per_unit = elapsed / current if current else 0
        if finalize:
            info = f" - {elapsed:.0f}s {format_time_per_unit(per_unit, self.unit_name)}"
        elif self.target is not None:
            info = f" - ETA: {format_eta(per_unit * (self.target - current))}"
        else:
            info = f" - {elapsed:.0f}s"
        line = bar + info + self._values_text(values)
        if self.dynamic:
            pad = max(0, self._total_width - len(line))
            sys.stdout.write("\r" + line + " " * pad)
            self._total_width = len(line)
        else:
            sys.stdout.write(line)
        if finalize:
            sys.stdout.write("\n")
        sys.stdout.flush()

    def _write_epoch_line(self, current, values, now):
        if callable(values):
            values = values()
        elapsed = now - self._start
        per_unit = elapsed / current if current else 0
        digits = len(str(self.target)) if self.target else 1
        count = f"{current:{digits}d}/{self.target}" if self.target else f"{current}"
        sys.stdout.write(f"{count} - {elapsed:.0f}s{self._values_text(values or [])} - "
                         f"{elapsed:.0f}s/epoch - {format_time_per_unit(per_unit, self.unit_name)}\n")
        sys.stdout.flush()


class AveragingProgbar(Progbar):
    """`keras.utils.Progbar` (every Keras): a progress bar for your own loops.

    Each value given to `update(current, values)` is averaged over the steps seen so far,
    weighted by the steps since the previous update, except names in `stateful_metrics`,
    shown as given (or: only the names in `stateless_metrics` are averaged), as tf.keras 2
    printed it; the last update too is an average (Keras 3.15 shows its value as given).
    `add(n, values)` advances by `n` steps.

    Args:
        target: the total number of steps (None if unknown).
        width: the bar's width in characters.
        verbose: 0 silent, 1 the bar, 2 one line at the end.
        interval: the least number of seconds between redraws.
        stateful_metrics: names whose values are shown as given, not averaged.
        stateless_metrics: instead, the only names that are averaged.
        unit_name: the unit in the time per unit (`step`).

    >>> bar = AveragingProgbar(2, verbose=0)
    >>> bar.update(1, [("loss", 1.0)]); bar.update(2, [("loss", 3.0)])
    >>> bar.average("loss")
    2.0
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: give `stateful_metrics` (names shown as given) or "
                             "`stateless_metrics` (the only names averaged), not both.")
        super().__init__(target, width=width, verbose=verbose, interval=interval,
                         unit_name=unit_name)
        self.stateful_metrics = set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._sums = {}
        self._seen_so_far = 0

    def update(self, current, values=None, finalize=None):
        for name, value in values or []:
            value = float(value)
            averaged = name in self.stateless_metrics if self.stateless_metrics is not None \
                else name not in self.stateful_metrics
            if not averaged:
                self._sums[name] = [value, 1]
            else:
                steps = max(current - self._seen_so_far, 1)
                total, count = self._sums.get(name, [0.0, 0])
                self._sums[name] = [total + value * steps, count + steps]
        self._seen_so_far = current
        super().update(current, [(name, self.average(name)) for name in self._sums], finalize)

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def average(self, name):
        total, count = self._sums[name]
        return total / count
