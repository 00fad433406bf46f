# Keras 0.x/1: Graph and Merge have no Keras 3 spelling; K.placeholder is TensorFlow graph mode
import numpy as np
from keras.legacy.models import Graph
from keras.layers import Dense, Merge
from keras import backend as K

graph = Graph()
graph.add_input(name='input', input_shape=(4,))
graph.add_node(Dense(2), name='dense', input='input')
graph.add_output(name='output', input='dense')
x = K.placeholder(shape=(None, 4))
