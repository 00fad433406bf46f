"""The warning `fit` gives, once, when the training loss becomes NaN or infinite.

Keras trains on silently (`TerminateOnNaN` stops, but says nothing of why). The watch only reads
losses that are on the host already: the values the progress bar prints when it redraws, and the
epoch's logs; so it costs no host synchronization per step. The batch range it names is the
narrowest those readings allow.
"""
import math
import warnings


class NanWatch:
    """One per `fit` call: `seen()` from the progress bar's readings, `epoch_end()` from fit."""

    def __init__(self, key="loss"):
        self.key = key
        self.warned = False
        self.first = None        # the first finite loss read, (epoch, value)
        self.last_finite = None  # (epoch, batch, value) of the latest finite reading
        self.first_bad = None    # (epoch, batch, value) of the first non-finite reading

    def _value(self, items):
        for name, value in items:
            if name == self.key:
                try:
                    return float(value)
                except (TypeError, ValueError):
                    return None
        return None

    def seen(self, epoch, batch, items):
        """A reading the progress bar made anyway: the loss averaged up to `batch` (0-based)."""
        if self.warned or self.first_bad is not None:
            return
        value = self._value(items)
        if value is None:
            return
        if math.isfinite(value):
            self.last_finite = (epoch, batch, value)
            if self.first is None:
                self.first = (epoch, value)
        else:
            self.first_bad = (epoch, batch, value)

    def epoch_end(self, epoch, steps, logs):
        if self.warned:
            return
        value = (logs or {}).get(self.key)  # (each epoch: a lookup, not a walk of the logs)
        if value is None:
            return
        try:
            value = float(value)
        except (TypeError, ValueError):
            return
        if math.isfinite(value):
            self.last_finite = (epoch, max(steps - 1, 0), value)
            if self.first is None:
                self.first = (epoch, value)
            return
        self.warned = True
        warnings.warn(self._message(epoch, steps, value), RuntimeWarning, stacklevel=3)

    def _message(self, epoch, steps, value):
        kind = "NaN" if math.isnan(value) else "infinite"
        low = 1
        if self.last_finite is not None and self.last_finite[0] == epoch:
            low = self.last_finite[1] + 2  # the reading covers batches up to last_finite[1]
        high = steps
        if self.first_bad is not None and self.first_bad[0] == epoch:
            high = self.first_bad[1] + 1
        where = f"batch {high}" if low >= high else f"batches {low}-{high}"
        if self.first is not None:
            cause = (f"The loss was finite before ({self.first[1]:.4g} at epoch {self.first[0] + 1}"
                     f", last {self.last_finite[2]:.4g}), so training diverged: the likely cause "
                     "is a learning rate too high (try 10x smaller, or `clipnorm=1.0`); "
                     "unscaled inputs (standardize features to about unit variance) make it "
                     "likelier.")
        else:
            cause = ("No finite loss was read before it. Likely causes: NaN or inf in the data "
                     "(check `np.isfinite(x).all()` and y); a log of zero (a crossentropy on "
                     "outputs outside (0, 1): use `from_logits=True` or a sigmoid/softmax "
                     "output); a learning rate too high (try 10x smaller, or `clipnorm=1.0`); "
                     "unscaled inputs (standardize features to about unit variance).")
        return (f"fit: the training loss became {kind} in epoch {epoch + 1}, {where} of {steps}. "
                f"{cause} Training continues with {kind} weights; "
                "`keras.callbacks.TerminateOnNaN()` stops it instead.")
