# The "Training & evaluation with the built-in methods" guide's tf.data section.
import numpy as np
import tensorflow as tf
import keras
from keras import layers

inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(60000, 784).astype("float32")[:6000] / 255
x_test = x_test.reshape(10000, 784).astype("float32")[:1000] / 255
y_train = y_train.astype("float32")[:6000]
y_test = y_test.astype("float32")[:1000]

model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)

train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
train_dataset = train_dataset.shuffle(buffer_size=1024).batch(64)
test_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(64)

history = model.fit(train_dataset, epochs=3)
print("Evaluate")
result = model.evaluate(test_dataset)
print(dict(zip(model.metrics_names, result)))

# steps_per_epoch with a repeated dataset, and validation_data as a dataset
val_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(64)
model.fit(train_dataset.repeat(), epochs=1, steps_per_epoch=50, validation_data=val_dataset,
          validation_steps=5)
print("MODULE", type(model).__module__, "ACC", result[1])
assert result[1] > 0.8, result
