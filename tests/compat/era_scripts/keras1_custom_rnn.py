# Keras 1: custom recurrent layers on keras.layers.recurrent.Recurrent: `step`, `states`,
# `get_constants` (a context vector and Keras 1's dropout mask B_U), `preprocess_input`
# (consume_less='cpu'), a Keras 1 `reset_states`, initializations, K.*, Masking, nb_epoch.
import os
import numpy as np
from keras import backend as K
from keras import initializations
from keras.engine import InputSpec
from keras.layers.recurrent import Recurrent
from keras.layers import Dense, Masking
from keras.models import Sequential


class ElmanRNN(Recurrent):
    """h_t = tanh(x_t W + b + h_{t-1} U), written as Keras 1.0's SimpleRNN was."""

    def __init__(self, output_dim, init='glorot_uniform', inner_init='orthogonal', **kwargs):
        self.output_dim = output_dim
        self.init = initializations.get(init)
        self.inner_init = initializations.get(inner_init)
        super(ElmanRNN, self).__init__(**kwargs)

    def build(self, input_shape):
        self.input_spec = [InputSpec(shape=input_shape)]
        if self.stateful:
            self.reset_states()
        else:
            self.states = [None]
        input_dim = input_shape[2]
        self.W = self.init((input_dim, self.output_dim), name='{}_W'.format(self.name))
        self.U = self.inner_init((self.output_dim, self.output_dim),
                                 name='{}_U'.format(self.name))
        self.b = K.zeros((self.output_dim,), name='{}_b'.format(self.name))
        self.trainable_weights = [self.W, self.U, self.b]

    def reset_states(self):
        assert self.stateful, 'Layer must be stateful.'
        input_shape = self.input_spec[0].shape
        if hasattr(self, 'states'):
            K.set_value(self.states[0], np.zeros((input_shape[0], self.output_dim)))
        else:
            self.states = [K.zeros((input_shape[0], self.output_dim))]

    def step(self, x, states):
        prev_output = states[0]
        h = K.dot(x, self.W) + self.b
        output = K.tanh(h + K.dot(prev_output, self.U))
        return output, [output]

    def get_config(self):
        config = {'output_dim': self.output_dim}
        base_config = super(ElmanRNN, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class ContextRNN(Recurrent):
    """h_t = tanh(x_t W + b + (h_{t-1} * B_U) U + mean_t(x) V), in Keras 1.2's style."""

    def __init__(self, output_dim, dropout_U=0., **kwargs):
        self.output_dim = output_dim
        self.dropout_U = dropout_U
        super(ContextRNN, self).__init__(**kwargs)

    def build(self, input_shape):
        self.input_spec = [InputSpec(shape=input_shape)]
        self.states = [None]
        input_dim = input_shape[2]
        self.W = self.add_weight((input_dim, self.output_dim), initializer='glorot_uniform',
                                 name='{}_W'.format(self.name))
        self.U = self.add_weight((self.output_dim, self.output_dim), initializer='orthogonal',
                                 name='{}_U'.format(self.name))
        self.V = self.add_weight((input_dim, self.output_dim), initializer='glorot_uniform',
                                 name='{}_V'.format(self.name))
        self.b = self.add_weight((self.output_dim,), initializer='zero',
                                 name='{}_b'.format(self.name))
        self.built = True

    def preprocess_input(self, x):
        if self.consume_less == 'cpu':
            return K.dot(x, self.W) + self.b
        return x

    def get_constants(self, x):
        ones = K.ones_like(K.reshape(x[:, 0, 0], (-1, 1)))
        ones = K.concatenate([ones] * self.output_dim, 1)
        if 0 < self.dropout_U < 1:
            B_U = K.in_train_phase(K.dropout(ones, self.dropout_U), ones)
        else:
            B_U = ones
        context = K.dot(K.mean(x, axis=1), self.V)
        return [B_U, context]

    def step(self, x, states):
        h_tm1, B_U, context = states
        if self.consume_less == 'cpu':
            h = x
        else:
            h = K.dot(x, self.W) + self.b
        output = K.tanh(h + K.dot(h_tm1 * B_U, self.U) + context)
        return output, [output]


rng = np.random.RandomState(0)
T, D = 5, 3
x = rng.randn(8, T, D).astype('float32')
x[:2, -2:] = 0.0   # padded ends: masked by Masking
x[2, :1] = 0.0     # a padded start
y = rng.randn(8, 1).astype('float32')

elman = Sequential()
elman.add(Masking(mask_value=0., input_shape=(T, D)))
elman.add(ElmanRNN(4, return_sequences=True, go_backwards=True))
out = {'x': x, 'elman_masked': None}
elman.compile('sgd', 'mse')
elman.fit(x, np.ones((8, T, 4)), nb_epoch=2, batch_size=4, verbose=0)
out['elman_masked'] = elman.predict(x, verbose=0)
out['elman_weights'] = np.concatenate([w.ravel() for w in elman.layers[1].get_weights()])

results = {}
for mode in ('cpu', 'mem'):
    model = Sequential()
    model.add(ContextRNN(6, dropout_U=0.2, consume_less=mode, input_dim=D, input_length=T))
    model.add(Dense(1))
    model.compile('rmsprop', 'mse')
    model.fit(x, y, nb_epoch=2, batch_size=4, verbose=0)
    layer = model.layers[0]
    out['context_%s' % mode] = K.eval(layer(x))
    for name, w in zip('WUVb', layer.get_weights()):
        out['context_%s_%s' % (mode, name)] = w

stateful = Sequential()
stateful.add(ElmanRNN(4, stateful=True, batch_input_shape=(2, T, D)))
first = stateful.predict(x[:2], batch_size=2, verbose=0)
second = stateful.predict(x[2:4], batch_size=2, verbose=0)
stateful.reset_states()
again = stateful.predict(x[2:4], batch_size=2, verbose=0)
out.update(stateful_first=first, stateful_second=second, stateful_reset=again)
for name, w in zip('WUb', stateful.layers[0].get_weights()):
    out['stateful_%s' % name] = w
out.update({'elman_%s' % n: w for n, w in zip('WUb', elman.layers[1].get_weights())})
trained = Sequential()  # stateful training: the states carry over between batches
trained.add(ElmanRNN(4, stateful=True, batch_input_shape=(2, T, D)))
trained.add(Dense(1))
trained.compile('sgd', 'mse')
trained.fit(x[:4], y[:4], batch_size=2, nb_epoch=2, shuffle=False, verbose=0)
out['trained_state'] = np.array(K.get_value(trained.layers[0].states[0]))
trained.reset_states()
out['trained_reset'] = K.get_value(trained.layers[0].states[0])
np.savez(os.environ.get('PRED_OUT', 'rnn.npz'), **out)
print('RNN OK', elman.output_shape, stateful.output_shape)
