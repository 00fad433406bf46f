"""`keras.distribution`: data-parallel training on `torch.distributed` (see distribution_lib)."""
from cornu.distribution.distribution_lib import (DataParallel, DeviceMesh, LayoutMap, ModelParallel,
                                                 TensorLayout, distribute_tensor, distribution,
                                                 get_device_count, initialize, list_devices,
                                                 set_distribution)

__all__ = ["DataParallel", "DeviceMesh", "LayoutMap", "ModelParallel", "TensorLayout",
           "distribute_tensor", "distribution", "get_device_count", "initialize", "list_devices",
           "set_distribution"]
