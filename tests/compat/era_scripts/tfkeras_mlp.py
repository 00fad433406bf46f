# tf.keras 2: tensorflow.keras paths, tf.keras.* attributes, tf.random.set_seed
import os
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Dropout

tf.random.set_seed(0)
rng = np.random.RandomState(2)
x = rng.rand(40, 6).astype("float32")
y = (x.sum(axis=1) > 3).astype("float32")

model = tf.keras.models.Sequential([Dense(8, activation='relu', input_shape=(6,)), Dropout(0.0),
                                    Dense(1, activation='sigmoid')])
model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in model.get_weights()])
model.compile(optimizer=tf.keras.optimizers.RMSprop(lr=0.01), loss='binary_crossentropy')
model.fit(x, y, epochs=2, batch_size=10, verbose=0, shuffle=False)
np.save(os.environ.get("PRED_OUT", "pred.npy"), model.predict(x, verbose=0).ravel())
