"""`torch.utils.data.DataLoader`: the loader batches, shuffles and loads (its own `num_workers`,
`pin_memory`, `collate_fn`, sampler), as it would in a PyTorch loop; each batch is one step.

A loader of a `TensorDataset` in the training process with the default collation gets each
batch with one gather per tensor instead of indexing the samples one by one and stacking them:
the same batches from the same sampler (the same random numbers drawn), a Python loop less per
sample."""
import torch
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data._utils.collate import default_collate

from cornu.trainers.data_adapters.base import StreamAdapter


def is_torch_dataloader(x):
    return isinstance(x, DataLoader)


def is_torch_dataset(x):
    """A dataset of samples, which needs a DataLoader to become batches."""
    return isinstance(x, torch.utils.data.Dataset) and not hasattr(x, "num_batches")


def gathers(loader):
    """Whether `loader`'s batches may be gathered from its TensorDataset (see the module doc)."""
    return (type(loader) is DataLoader and type(loader.dataset) is TensorDataset
            and loader.num_workers == 0 and loader.batch_sampler is not None
            and loader.collate_fn is default_collate and not loader.pin_memory)


def gathered_batches(loader):
    """`iter(loader)`'s batches, gathered: a list of one tensor per dataset tensor."""
    tensors = loader.dataset.tensors
    indices = iter(loader.batch_sampler)
    # The loader's iterator draws a base seed for its workers from `loader.generator` (the
    # global generator when None) before the first batch: drawing it too keeps every later
    # random number (dropout, the next epoch's shuffle) what iterating the loader gives.
    torch.empty((), dtype=torch.int64).random_(generator=loader.generator)
    for batch in indices:
        index = torch.as_tensor(batch, dtype=torch.long)
        yield [t.index_select(0, index) for t in tensors]


class DataLoaderAdapter(StreamAdapter):
    kind = "torch DataLoader"

    def _open(self):
        return gathered_batches(self.data) if gathers(self.data) else iter(self.data)
