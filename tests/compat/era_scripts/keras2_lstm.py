# Keras 2: recurrent/embeddings module paths, optimizer lr + decay, fit_generator, W_regularizer
import os
import numpy as np
from keras.models import Sequential
from keras.layers.embeddings import Embedding
from keras.layers.recurrent import LSTM
from keras.layers import Dense
from keras import optimizers, regularizers

rng = np.random.RandomState(1)
x = rng.randint(1, 20, (32, 5))
y = rng.rand(32, 1).astype("float32")

model = Sequential()
model.add(Embedding(20, 4, input_length=5))
model.add(LSTM(6))
model.add(Dense(1, W_regularizer=regularizers.l2(0.01)))
model.set_weights([rng.uniform(-0.3, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(loss='mse', optimizer=optimizers.Adam(lr=0.01, decay=1e-3))

def batches():
    while True:
        for i in range(0, 32, 8):
            yield x[i:i + 8], y[i:i + 8]

model.fit_generator(batches(), steps_per_epoch=4, epochs=2, verbose=0)
np.save(os.environ.get("PRED_OUT", "pred.npy"), model.predict(x, verbose=0).ravel())
