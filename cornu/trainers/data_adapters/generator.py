"""Python generators and iterators (read once), and re-iterable sources of batches: cornu's own
`Dataset` (what the dataset utilities return) and any other iterable of batches."""
from cornu.trainers.data_adapters.base import StreamAdapter


class GeneratorAdapter(StreamAdapter):
    """A generator or iterator: each item is a batch. It cannot start again, so an epoch without
    `steps_per_epoch` reads it to its end, and the next epoch has nothing left."""

    kind = "generator"
    reiterable = False

    def _count(self):
        return None  # a generator's len(), where it has one, is not a number of batches to trust

    def _open(self):
        return self.data


class IterableAdapter(StreamAdapter):
    """An iterable that starts a new pass each time it is iterated (`len()` where it has one is
    the number of batches of a pass)."""

    def __init__(self, data, steps=None, **kwargs):
        self.kind = "Dataset" if type(data).__name__ in ("Dataset", "_SizedDataset") else \
            f"iterable ({type(data).__name__})"
        super().__init__(data, steps, **kwargs)
