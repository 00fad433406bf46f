"""What a Keras 3 `train_step` reads every step and cornu keeps between steps: the modules whose
`training` flag `self(x, training=True)` switches (trainers/modes.py), `self.metrics`, and the
shape check of `optimizer.apply`. Each kept list must equal what it replaces (`nn.Module.train`,
the list built anew, Keras 3's `metrics`) after every change that can alter it."""
import copy

import numpy as np
import pytest
import torch

import cornu

keras = pytest.importorskip("keras")


def _flags(model):
    return [(name, m.training) for name, m in model.named_modules()]


def _torch_train(model, mode):
    """What `nn.Module.train(mode)` leaves, on a deep copy: the reference for the flags."""
    reference = copy.deepcopy(model)
    torch.nn.Module.train(reference, mode)
    return _flags(reference)


def _mlp():
    return cornu.Sequential([cornu.Input((4,)), cornu.layers.Dense(3),
                             cornu.layers.Dropout(0.5), cornu.layers.Dense(2)])


def test_train_sets_every_flag_as_torch_does_also_after_the_model_changes():
    model = _mlp()
    for mode in (True, False, True):
        model.train(mode)
        assert _flags(model) == _torch_train(model, mode)
    model.add(cornu.layers.Dropout(0.5))  # a layer the kept list has not seen
    model.train(False)
    assert _flags(model) == _torch_train(model, False) and not model.layers[-1].training
    model.train(True)
    assert model.layers[-1].training


def test_a_torch_module_changed_inside_a_layer_gets_the_mode():
    # A change cornu's layers do not see: torch's registration hooks invalidate the list.
    inner = torch.nn.Sequential(torch.nn.Linear(4, 4))
    model = cornu.Sequential([cornu.Input((4,)), cornu.layers.TorchModuleWrapper(inner)])
    model.train(False)
    inner.append(torch.nn.Dropout(0.5))  # nn.Module.add_module, on a plain torch module
    model.train(True)
    assert _flags(model) == _torch_train(model, True) and inner[1].training
    inner.drop = torch.nn.Dropout(0.5)  # nn.Module.__setattr__
    model.train(False)
    assert _flags(model) == _torch_train(model, False) and not inner.drop.training


def test_a_module_with_its_own_train_gets_it_called_for_its_subtree():
    class FrozenNorm(torch.nn.Module):  # the frozen-BatchNorm pattern: stays in eval mode
        def __init__(self):
            super().__init__()
            self.norm = torch.nn.BatchNorm1d(4)

        def forward(self, x):
            return self.norm(x)

        def train(self, mode=True):
            super().train(mode)
            self.norm.eval()
            return self

    model = cornu.Sequential([cornu.Input((4,)), cornu.layers.TorchModuleWrapper(FrozenNorm()),
                              cornu.layers.Dropout(0.5)])
    model.train(True)
    assert _flags(model) == _torch_train(model, True)
    norm = model.layers[0].module.norm
    assert not norm.training and model.layers[1].training


def test_a_copy_of_a_model_switches_its_own_modules():
    model = _mlp()
    model.train(True)
    twin = copy.deepcopy(model)  # the kept list comes along, over the copy's modules
    twin.train(False)
    assert all(not m.training for m in twin.modules())
    assert all(m.training for m in model.modules())


def test_training_true_in_a_train_step_reaches_a_layer_added_between_fits():
    seen = []

    class Probe(cornu.layers.Layer):
        def call(self, x, training=None):
            if x.device.type != "meta":  # (not shape inference)
                seen.append(training)
            return x

    class Model(cornu.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            loss = self.compute_loss(y=y, y_pred=self(x, training=True))
            loss.backward()
            weights = self.trainable_weights
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in weights], weights)
            return {}

    model = cornu.Sequential([cornu.Input((4,)), cornu.layers.Dense(2)])
    x, y = np.ones((8, 4), "float32"), np.ones((8, 2), "float32")
    custom = Model(model.inputs, model.outputs)
    custom.compile("sgd", "mse")
    custom.fit(x, y, batch_size=4, verbose=0)
    probe = Probe()
    outputs = probe(custom.outputs[0])
    second = Model(custom.inputs, outputs)  # the same layers, and one more
    second.compile("sgd", "mse")
    second.fit(x, y, batch_size=4, verbose=0)
    assert seen and all(t is True for t in seen) and not probe.training


def _names(lib, make_model, metrics, fit=True):
    model = make_model(lib)
    model.compile("sgd", "mse", metrics=metrics)
    if fit:
        model.fit(np.ones((4, 4), "float32"), np.ones((4, 2), "float32"), verbose=0)
    return [m.name for m in model.metrics]


def _functional(lib):
    inputs = lib.Input((4,))
    return lib.Model(inputs, lib.layers.Dense(2)(inputs))


@pytest.mark.parametrize("metrics", [None, ["mae"], ["mae", "mse"]])
@pytest.mark.parametrize("fit", [False, True])
def test_metrics_list_is_keras_list_before_and_after_fit(metrics, fit):
    assert _names(cornu, _functional, metrics, fit) == _names(keras, _functional, metrics, fit)


def test_metrics_list_follows_compile_and_held_metrics_and_is_a_new_list():
    model = _functional(cornu)
    model.compile("sgd", "mse")
    first = model.metrics
    assert [m.name for m in first] == ["loss"]
    first.append("not a metric")  # a new list each time: changing it changes nothing
    assert [m.name for m in model.metrics] == ["loss"]
    model.compile("sgd", "mse", metrics=["mae"])  # compiling again: new compiled metrics
    container = model.metrics[1]
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    model.compile("sgd", "mse", metrics=["mae"])
    assert model.metrics[1] is not container and model.metrics[1] is model._compile_metrics
    model.layers[1].tracker = cornu.metrics.Mean(name="held")  # a layer's own metric joins
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "held"]
    model.layers[1].tracker = None  # (forgotten, as Keras 3 forgets it)
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]


def test_apply_checks_shapes_of_every_call_also_for_a_list_seen_before():
    variables = [cornu.Variable(np.zeros((3, 2), "float32"), name="k"),
                 cornu.Variable(np.zeros(2, "float32"), name="b")]
    opt = cornu.optimizers.SGD(0.1)
    opt.apply([torch.ones(3, 2), torch.ones(2)], variables)
    for params in (variables, list(variables)):  # the same list, and a step's new list
        # (1,) broadcasts against (2,): without the check it would update silently
        with pytest.raises(ValueError, match=r"b.*shape \(1,\).*shape \(2,\)"):
            opt.apply([torch.ones(3, 2), torch.ones(1)], params)
    np.testing.assert_allclose(variables[1].numpy(), [-0.1, -0.1])  # the failed calls: no update
    assert int(opt.iterations) == 1


def test_a_compiled_step_traces_the_model_call_in_one_graph():
    # The mode switch and the mark an eager call leaves on its output (graph/node.py) are
    # plain Python Dynamo traces: a compiled train_step gets no graph break from them.
    inputs = cornu.Input((4,))
    model = cornu.Model(inputs, [cornu.layers.Dense(3)(inputs), cornu.layers.Dense(2)(inputs)])
    single = _mlp()

    def step(x):
        first, second = model(x, training=True)
        return first.sum() + second.sum() + single(x, training=True).sum()

    explained = torch._dynamo.explain(step)(torch.ones(2, 4))
    assert explained.graph_break_count == 0, explained.break_reasons
