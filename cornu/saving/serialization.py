"""Layer and model configs in every era's dialect (implemented in `cornu.layers.serialization`,
which layers need below saving)."""
from cornu.layers.serialization import (clean_layer_config, deserialize_layer, layer_config,  # noqa: F401
                                        to_keras3)
