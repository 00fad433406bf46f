"""`summary()` in tf.keras 2's text: chains in 65 columns, graphs in 98 with `Connected to`."""
import cornu
from cornu import layers as L

CHAIN = """\
Model: "model"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 input_1 (InputLayer)        [(None, 784)]             0         
                                                                 
 dense (Dense)               (None, 64)                50240     
                                                                 
 dense_1 (Dense)             (None, 10)                650       
                                                                 
=================================================================
Total params: 50,890
Trainable params: 50,890
Non-trainable params: 0
_________________________________________________________________"""

GRAPH = """\
Model: "two_tower"
__________________________________________________________________________________________________
 Layer (type)                   Output Shape         Param #     Connected to                     
==================================================================================================
 left (InputLayer)              [(None, 8)]          0           []                               
                                                                                                  
 right (InputLayer)             [(None, 8)]          0           []                               
                                                                                                  
 tower (Dense)                  (None, 6)            54          ['left[0][0]',                   
                                                                  'right[0][0]']                  
                                                                                                  
 concatenate (Concatenate)      (None, 12)           0           ['tower[0][0]',                  
                                                                  'tower[1][0]']                  
                                                                                                  
 output_a (Dense)               (None, 1)            13          ['concatenate[0][0]']            
                                                                                                  
 output_b (Dense)               (None, 3)            39          ['concatenate[0][0]']            
                                                                                                  
==================================================================================================
Total params: 106
Trainable params: 106
Non-trainable params: 0
__________________________________________________________________________________________________"""


def _summary(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


def test_a_functional_chain_prints_like_a_sequential_with_its_input_layer():
    x = cornu.Input((784,))
    hidden = L.Dense(64, activation="relu")(x)
    model = cornu.Model(x, L.Dense(10)(hidden))
    assert _summary(model) == CHAIN


def test_a_graph_prints_connected_to_wrapped_as_tf_keras2():
    a, b = cornu.Input((8,), name="left"), cornu.Input((8,), name="right")
    tower = L.Dense(6, name="tower")
    merged = L.concatenate([tower(a), tower(b)])
    model = cornu.Model([a, b], [L.Dense(1, name="output_a")(merged),
                                 L.Dense(3, name="output_b")(merged)], name="two_tower")
    assert _summary(model) == GRAPH


def test_nested_models_multiple_outputs_and_show_trainable():
    x = cornu.Input((4,))
    inner = cornu.Model(x, [L.Dense(2)(x), L.Dense(3)(x)], name="inner")
    inner.trainable = False
    y = cornu.Input((4,), name="y")
    outs = inner(y)
    model = cornu.Model(y, L.Concatenate()(outs))
    text = _summary(model, show_trainable=True)
    assert " inner (Functional)             [(None, 2),          25          ['y[0][0]']" in text
    assert "                                 (None, 3)]" in text
    assert text.splitlines()[2].rstrip().endswith("Connected to" + " " * 21 + "Trainable")
    assert "Trainable params: 0" in text and "Non-trainable params: 25" in text
