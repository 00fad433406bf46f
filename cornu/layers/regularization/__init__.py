"""cornu.layers.regularization (the layers are exported from `cornu.layers`)."""
