"""Sequential: building, shapes, pop, deferred build, summary text."""
import numpy as np
import pytest

import cornu
from cornu.layers import Activation, Dense, Dropout


def test_layer_names_are_unique_until_clear_session():
    names = [Dense(1).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    assert cornu.Sequential().name == "sequential"
    cornu.backend.clear_session()
    assert Dense(1).name == "dense"


def test_first_layer_with_input_shape_builds_on_add():
    model = cornu.Sequential()
    model.add(Dense(10, input_shape=(13,), activation="sigmoid"))
    model.add(Dense(1))
    assert model.built
    assert model.input_shape == (None, 13) and model.output_shape == (None, 1)
    assert model.layers[0].output_shape == (None, 10)
    assert model.count_params() == 13 * 10 + 10 + 11
    assert [w.path for w in model.weights] == ["dense/kernel", "dense/bias", "dense_1/kernel",
                                               "dense_1/bias"]
    # torch names by position in `model.layers` (as nn.Sequential), Keras paths by layer name
    assert list(dict(model.named_parameters())) == ["layers.0.kernel", "layers.0.bias",
                                                    "layers.1.kernel", "layers.1.bias"]


def test_input_dim_and_batch_input_shape():
    model = cornu.Sequential([Dense(2, batch_input_shape=(None, 3))])
    assert model.input_shape == (None, 3)
    model = cornu.Sequential([Dense(2, input_dim=7)])
    assert model.input_shape == (None, 7)


def test_deferred_build_from_first_data():
    model = cornu.Sequential([Dense(4, activation="relu"), Dense(2)])
    assert not model.built
    with pytest.raises(AttributeError, match="not been built"):
        model.output_shape
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    out = model.predict(np.zeros((3, 5)), verbose=0)
    assert out.shape == (3, 2) and model.built and model.input_shape == (None, 5)


def test_pop_rebuilds_and_layer_access():
    model = cornu.Sequential([Dense(4, input_shape=(3,)), Activation("relu"), Dense(2)])
    popped = model.pop()
    assert popped.name == "dense_1" and model.output_shape == (None, 4)
    assert model.get_layer(index=1).name == "activation"
    assert model.get_layer("dense") is model.layers[0]


def test_duplicate_layer_name_rejected():
    model = cornu.Sequential([Dense(2, input_shape=(3,), name="a")])
    with pytest.raises(ValueError, match="unique"):
        model.add(Dense(2, name="a"))


def test_model_is_a_torch_module():
    import torch
    model = cornu.Sequential([Dense(4, input_shape=(3,), activation="relu"), Dropout(0.5), Dense(2)])
    assert isinstance(model, torch.nn.Module)
    x = torch.randn(5, 3)
    out = model(x)
    kernel, bias, kernel2, bias2 = model.get_weights()
    expected = np.maximum(x.numpy() @ kernel + bias, 0) @ kernel2 + bias2
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)  # users can drop into PyTorch
    model(x).sum().backward()
    opt.step()
    assert not np.allclose(model.get_weights()[0], kernel)


SUMMARY = '''Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 dense (Dense)               (None, 256)               200960    
                                                                 
 dense_1 (Dense)             (None, 10)                2570      
                                                                 
 batch_normalization (BatchN  (None, 10)               40        
 ormalization)                                                   
                                                                 
=================================================================
Total params: 203,570
Trainable params: 203,550
Non-trainable params: 20
_________________________________________________________________'''


def test_summary_prints_tf_keras_2_table():
    model = cornu.Sequential([Dense(256, input_shape=(784,)), Dense(10),
                              cornu.layers.BatchNormalization()])
    lines = []
    model.summary(print_fn=lines.append)
    assert "\n".join(lines) == SUMMARY
