"""Writing a training loop from scratch in PyTorch: a Keras model with torch's optimizer and
loss on a DataLoader, then with Keras's optimizer, loss and metrics."""
import os

import numpy as np
import torch
import keras

rng = np.random.default_rng(1)
x = rng.random((320, 20)).astype("float32")
labels = (x[:, :5].argmax(axis=1)).astype("int64")
y = keras.utils.to_categorical(labels, 5)


def get_model():
    inputs = keras.Input(shape=(20,), name="digits")
    x1 = keras.layers.Dense(32, activation="relu")(inputs)
    x2 = keras.layers.Dense(32, activation="relu")(x1)
    return keras.Model(inputs=inputs, outputs=keras.layers.Dense(5, name="predictions")(x2))


def run(seed):
    keras.utils.set_random_seed(seed)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=False)

    model = get_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(3):
        for inputs, targets in loader:
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            model.zero_grad()
            loss.backward()
            optimizer.step()

    model = get_model()
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
    train_acc = keras.metrics.CategoricalAccuracy()
    for epoch in range(6):
        train_acc.reset_state()
        for inputs, targets in loader:
            logits = model(inputs, training=True)
            loss = loss_fn(targets, logits)
            model.zero_grad()
            loss.backward()
            trainable_weights = [v for v in model.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                optimizer.apply(gradients, trainable_weights)
            train_acc.update_state(targets, logits)
    assert 0.0 <= float(train_acc.result()) <= 1.0
    assert int(optimizer.iterations) == 6 * 10
    return float(loss_fn(torch.from_numpy(y), model(torch.from_numpy(x))))


for seed in os.environ.get("GUIDE_SEEDS", "0").split(","):
    print("final_loss", seed, run(int(seed)))
