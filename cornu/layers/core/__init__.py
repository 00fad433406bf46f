"""cornu.layers.core (the layers are exported from `cornu.layers`)."""
