"""LoRA (low-rank adaptation) for Dense, Embedding and the convolutions, as Keras 3.15 has it.

`enable_lora(rank)` freezes the layer's main weight `W` (the kernel, or Embedding's table) and
adds two trainable factors, `a` of shape `W.shape[:-1] + (rank,)` and `b` of shape
`(rank, W.shape[-1])`; the layer then computes with `W + (lora_alpha / rank) * a @ b`. `b`
starts at zero, so enabling LoRA does not change the outputs until `a` and `b` train.
"""
from cornu import initializers
from cornu.layers import config as layer_config


class LoraMixin:
    _lora_target = "kernel"  # the weight LoRA adapts; its factors are `lora_<target>_a/_b`

    def _init_lora(self, lora_rank, lora_alpha, quantization_config):
        layer_config.check_quantization_config(self, quantization_config)
        if lora_rank is not None and (not isinstance(lora_rank, int) or lora_rank <= 0):
            raise ValueError(f"{type(self).__name__} {self.name!r}: `lora_rank` must be a "
                             f"positive integer or None, got {lora_rank!r}.")
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False

    def _build_lora(self):
        """Called at the end of `build`: a `lora_rank` given to the constructor takes effect."""
        if self.lora_rank:
            self.built = True  # (Keras's check in enable_lora; build is done by now)
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform",
                    b_initializer="zeros"):
        """Freezes the main weight and adds the trainable low-rank factors `a` and `b`."""
        owner = f"{type(self).__name__} {self.name!r}"
        target = self._lora_target
        if getattr(self, f"{target}_constraint", None) is not None:
            raise ValueError(f"{owner}: LoRA is incompatible with `{target}_constraint`; "
                             "remove the constraint to enable LoRA.")
        if not self.built:
            raise ValueError(f"{owner}: cannot enable LoRA on a layer that isn't built yet.")
        if self.lora_enabled:
            raise ValueError(f"{owner}: LoRA is already enabled; it can be enabled only once.")
        weight = getattr(self, target)
        regularizer = getattr(self, f"{target}_regularizer", None)
        self.add_weight(name=f"lora_{target}_a", shape=tuple(weight.shape[:-1]) + (rank,),
                        initializer=initializers.get(a_initializer), regularizer=regularizer)
        self.add_weight(name=f"lora_{target}_b", shape=(rank, weight.shape[-1]),
                        initializer=initializers.get(b_initializer), regularizer=regularizer)
        weight._created_trainable = True  # keeps its place in `weights`, as in Keras
        weight.trainable = False
        weight.requires_grad_(False)
        self.lora_enabled = True
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def _lora_weight(self):
        """The weight the layer computes with: `W + (alpha / rank) * a @ b`."""
        target = self._lora_target
        a, b = getattr(self, f"lora_{target}_a"), getattr(self, f"lora_{target}_b")
        return getattr(self, target) + (self.lora_alpha / self.lora_rank) * (a @ b)

    def get_config(self):
        # Keras 3 writes the LoRA arguments only when LoRA is set.
        config = super().get_config()
        if self.lora_rank:
            config.update(lora_rank=self.lora_rank, lora_alpha=self.lora_alpha)
        return config
