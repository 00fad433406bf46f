"""The base of the merge layers: a layer called on a list of tensors."""
from cornu.backend import layout as layouts
from cornu.layers.layer import Layer


class _Merge(Layer):
    """Merges a list of tensors of the same shape, or shapes that broadcast (Keras's rules:
    a lower-rank input gets axes of size 1 inserted after the batch axis).

    Element-wise merges run in whatever layout their inputs arrive in (no conversion around
    convolutions) when all inputs have the same rank.
    """

    layout = layouts.ANY
    min_inputs = 1

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _check_inputs(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(f"A merge layer ({type(self).__name__} {self.name!r}) should be "
                             f"called on a list of inputs. Received: input_shape={input_shape}")
        if len(input_shape) < self.min_inputs:
            raise ValueError(f"{type(self).__name__} {self.name!r} needs at least "
                             f"{self.min_inputs} inputs; received {len(input_shape)} "
                             f"(input_shape={list(input_shape)}).")
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"{type(self).__name__} {self.name!r} cannot merge tensors with "
                             f"different batch sizes: {list(input_shape)}.")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)  # validates the shapes
        self._reshape_required = len({len(s) for s in input_shape}) > 1
        if self._reshape_required:
            self.layout = layouts.KERAS

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer ({type(self).__name__} {self.name!r}) should be "
                             f"called on a list of inputs; received a {type(inputs).__name__}.")
        if getattr(self, "_reshape_required", False):
            rank = max(x.ndim for x in inputs)
            inputs = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:])
                      for x in inputs]
        return self._merge_function(inputs)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        output = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            output = self._broadcast(output, tuple(shape[1:]), input_shape)
        batch_sizes = {s[0] for s in input_shape} - {None}
        return (batch_sizes.pop() if len(batch_sizes) == 1 else None,) + output

    def _broadcast(self, shape1, shape2, all_shapes):
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return shape1
        out = list(shape1[:len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                out.append(None)
            elif i == 1 or j == 1:
                out.append(j if i == 1 else i)
            elif i != j:
                raise ValueError(f"{type(self).__name__} {self.name!r}: inputs have incompatible "
                                 f"shapes {[tuple(s) for s in all_shapes]}.")
            else:
                out.append(i)
        return tuple(out)
