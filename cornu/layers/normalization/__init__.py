"""cornu.layers.normalization (the layers are exported from `cornu.layers`)."""
