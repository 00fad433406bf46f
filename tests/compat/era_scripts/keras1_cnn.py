# Keras 1: Convolution2D(nb_filter, nb_row, nb_col), border_mode, dim_ordering, np_utils, nb_epoch
import os
import numpy as np
from keras.models import Sequential
from keras.layers.core import Dense, Flatten, Activation
from keras.layers.convolutional import Convolution2D, MaxPooling2D
from keras.utils import np_utils
from keras.optimizers import SGD

rng = np.random.RandomState(0)
x = rng.rand(24, 8, 8, 1).astype("float32")
y = np_utils.to_categorical(rng.randint(0, 3, 24), 3)

model = Sequential()
model.add(Convolution2D(4, 3, 3, border_mode='same', input_shape=(8, 8, 1), dim_ordering='tf'))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(output_dim=3, init='glorot_uniform'))
model.add(Activation('softmax'))
model.set_weights([rng.uniform(-0.3, 0.3, w.shape).astype("float32") for w in model.get_weights()])
model.compile(loss='categorical_crossentropy', optimizer=SGD(lr=0.05, momentum=0.9), metrics=['accuracy'])
model.fit(x, y, nb_epoch=3, batch_size=8, verbose=0, shuffle=False)
classes = model.predict_classes(x, verbose=0)
np.save(os.environ.get("PRED_OUT", "pred.npy"), np.concatenate([model.predict(x, verbose=0).ravel(), classes]))
