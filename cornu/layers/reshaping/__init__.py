"""cornu.layers.reshaping (the layers are exported from `cornu.layers`)."""
