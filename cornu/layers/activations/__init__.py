"""cornu.layers.activations (the layers are exported from `cornu.layers`)."""
