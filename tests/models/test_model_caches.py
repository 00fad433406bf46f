"""`Model.trainable_weights` and `Model.zero_grad` keep lists between calls (a `train_step`
reads them every step): they must equal the walk they replace (`Layer.trainable_weights`,
`nn.Module.zero_grad`) after every change that can alter it."""
import numpy as np
import torch

import cornu


def _walked(model):
    return cornu.layers.Layer.trainable_weights.fget(model)


def _same(a, b):
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def test_trainable_weights_follow_trainable_flags_and_new_layers():
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(4), cornu.layers.Dense(2)])
    first = model.trainable_weights
    assert _same(first, _walked(model)) and len(first) == 4
    first.append("not a weight")  # a new list each time: changing it changes nothing
    assert len(model.trainable_weights) == 4
    model.layers[0].trainable = False
    assert _same(model.trainable_weights, _walked(model)) and len(model.trainable_weights) == 2
    model.layers[0].trainable = True
    model.layers[1].kernel.trainable = False  # a variable's own flag
    assert _same(model.trainable_weights, _walked(model)) and len(model.trainable_weights) == 3
    model.add(cornu.layers.Dense(5))
    assert _same(model.trainable_weights, _walked(model)) and len(model.trainable_weights) == 5
    model.pop()
    assert _same(model.trainable_weights, _walked(model)) and len(model.trainable_weights) == 3


def test_zero_grad_clears_every_parameter_also_of_layers_built_later():
    class Lazy(cornu.Model):
        def __init__(self):
            super().__init__()
            self.first = cornu.layers.Dense(4)
            self.second = cornu.layers.Dense(1)

        def call(self, x):
            return self.second(self.first(x))

    model = Lazy()
    model.zero_grad()  # cached before any weight exists
    x = torch.ones(2, 3)
    model(x).sum().backward()  # the layers build (and get gradients) now
    params = list(model.parameters())
    assert len(params) == 4 and all(p.grad is not None for p in params)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())  # as nn.Module.zero_grad leaves them
    model(x).sum().backward()
    model.zero_grad(set_to_none=False)  # torch's other mode: zeros kept
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())


def test_zero_grad_after_a_wrapped_torch_module_builds():
    layer = cornu.layers.TorchModuleWrapper(torch.nn.Linear(3, 2))
    model = cornu.Sequential([cornu.Input((3,)), layer])
    model.zero_grad()
    model(np.ones((2, 3), "float32")).sum().backward()
    assert any(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
