"""`torch.utils.data.DataLoader`: the loader batches, shuffles and loads (its own `num_workers`,
`pin_memory`, `collate_fn`), as it would in a PyTorch loop; each batch is one step."""
import torch

from cornu.trainers.data_adapters.base import StreamAdapter


def is_torch_dataloader(x):
    return isinstance(x, torch.utils.data.DataLoader)


def is_torch_dataset(x):
    """A dataset of samples, which needs a DataLoader to become batches."""
    return isinstance(x, torch.utils.data.Dataset) and not hasattr(x, "num_batches")


class DataLoaderAdapter(StreamAdapter):
    kind = "torch DataLoader"

