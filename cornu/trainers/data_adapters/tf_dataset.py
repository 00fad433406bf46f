"""`tf.data.Dataset`, read as NumPy through `as_numpy_iterator()`.

cornu never imports TensorFlow: a dataset can only be a `tf.data.Dataset` when the script has
imported TensorFlow already, so the check looks in `sys.modules` first and costs nothing
otherwise."""
import sys

from cornu.trainers.data_adapters.base import StreamAdapter

_CLASSES = ("DatasetV2", "DistributedDataset", "DistributedDatasetsFromFunction")


def is_tf_dataset(x):
    if "tensorflow" not in sys.modules:
        return False
    return any(cls.__name__ in _CLASSES and cls.__module__.startswith("tensorflow.python.")
               for cls in type(x).__mro__)


class TFDatasetAdapter(StreamAdapter):
    """The dataset's elements are the batches (it batches, shuffles and repeats itself); its
    `cardinality()` is the number of batches of a pass, when it is known."""

    kind = "tf.data.Dataset"

    def _count(self):
        count = int(self.data.cardinality())
        return count if count >= 0 else None  # -1: infinite, -2: unknown

    def _open(self):
        return iter(self.data.as_numpy_iterator())
