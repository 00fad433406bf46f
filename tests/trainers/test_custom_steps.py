"""The patterns of Keras 3's "Customizing what happens in fit() with PyTorch" guide (and its
GAN, VAE and knowledge-distillation examples), written once and run on cornu and on real Keras 3
(torch backend) from the same initial weights and data: the losses must agree."""
import numpy as np
import pytest
import torch

import cornu

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(3)
X = RNG.random((96, 8)).astype("float32")
Y = (X @ RNG.normal(size=(8, 1))).astype("float32")
SW = RNG.random((96, 1)).astype("float32")
LABELS = (X[:, :3].argmax(axis=1)).astype("int64")


def _mlp(lib, outputs=1):
    inputs = lib.Input(shape=(8,))
    hidden = lib.layers.Dense(6, activation="tanh")(inputs)
    return inputs, lib.layers.Dense(outputs)(hidden)


def _side_by_side(make, run, atol=1e-4):
    """`make(lib)` builds a model; Keras's initial weights go into cornu's; `run(lib, model)`
    returns a dict of numbers that must agree."""
    reference = make(keras)
    ours = make(cornu)
    ours.set_weights(reference.get_weights())
    expected, got = run(keras, reference), run(cornu, ours)
    assert set(got) == set(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-4, atol=atol, err_msg=key)
    return got


def _guide_train_step(lib):
    """Pattern (a): compute_loss, backward, optimizer.apply, every metric of self.metrics."""
    class CustomModel(lib.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}
    return CustomModel(*_mlp(lib))


def test_train_step_override_matches_keras():
    def run(lib, model):
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        history = model.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
        assert sorted(history) == ["loss", "mae"]
        assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
        result = model.get_metrics_result()
        return {**history, "result": [result["loss"], result["mae"]]}

    got = _side_by_side(_guide_train_step, run)
    assert got["loss"][-1] < got["loss"][0]


def test_lower_level_own_trackers_and_metrics_property_match_keras():
    def make(lib):
        class CustomModel(lib.Model):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.loss_tracker = lib.metrics.Mean(name="loss")
                self.mae_metric = lib.metrics.MeanAbsoluteError(name="mae")
                self.loss_fn = lib.losses.MeanSquaredError()

            def train_step(self, data):
                x, y = data
                self.zero_grad()
                y_pred = self(x, training=True)
                loss = self.loss_fn(y, y_pred)
                loss.backward()
                trainable_weights = [v for v in self.trainable_weights]
                gradients = [v.value.grad for v in trainable_weights]
                with torch.no_grad():
                    self.optimizer.apply(gradients, trainable_weights)
                self.loss_tracker.update_state(loss)
                self.mae_metric.update_state(y, y_pred)
                return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

            @property
            def metrics(self):
                return [self.loss_tracker, self.mae_metric]  # reset at each epoch

        return CustomModel(*_mlp(lib))

    def run(lib, model):
        model.compile(optimizer="adam")  # no loss: the step computes its own
        history = model.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
        return {"metrics_names": [len(model.metrics_names)], **history}

    _side_by_side(make, run)


def test_sample_weight_through_unpack_and_custom_test_step_match_keras():
    def make(lib):
        class CustomModel(lib.Model):
            def train_step(self, data):
                x, y, sample_weight = lib.utils.unpack_x_y_sample_weight(data)
                self.zero_grad()
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
                loss.backward()
                weights = self.trainable_weights
                with torch.no_grad():
                    self.optimizer.apply([v.value.grad for v in weights], weights)
                for metric in self.metrics:
                    if metric.name == "loss":
                        metric.update_state(loss)
                    else:
                        metric.update_state(y, y_pred, sample_weight=sample_weight)
                return {m.name: m.result() for m in self.metrics}

            def test_step(self, data):
                x, y = data
                y_pred = self(x, training=False)
                loss = self.compute_loss(y=y, y_pred=y_pred)
                for metric in self.metrics:
                    if metric.name == "loss":
                        metric.update_state(loss)
                    else:
                        metric.update_state(y, y_pred)
                return {m.name: m.result() for m in self.metrics}

        return CustomModel(*_mlp(lib))

    def run(lib, model):
        model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        history = model.fit(X, Y, sample_weight=SW, epochs=2, batch_size=32, shuffle=False,
                            verbose=0).history
        loss, mae = model.evaluate(X[:40], Y[:40], batch_size=16, verbose=0)
        logs = model.evaluate(X[:40], Y[:40], batch_size=16, verbose=0, return_dict=True)
        assert sorted(logs) == ["loss", "mae"]
        return {**history, "eval": [loss, mae]}

    _side_by_side(make, run)


def test_default_steps_with_compute_loss_override_distillation_match_keras():
    """Knowledge distillation: `compute_loss` (without a `training` argument) reads a teacher;
    `compile` is overridden and calls `super().compile(optimizer=, metrics=)` without a loss."""
    def make(lib):
        ops = lib.ops

        class Distiller(lib.Model):
            def __init__(self, student, teacher):
                super().__init__()
                self.teacher = teacher
                self.student = student

            def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn,
                        alpha=0.1, temperature=3):
                super().compile(optimizer=optimizer, metrics=metrics)
                self.student_loss_fn = student_loss_fn
                self.distillation_loss_fn = distillation_loss_fn
                self.alpha = alpha
                self.temperature = temperature

            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                             allow_empty=False):
                teacher_pred = self.teacher(x, training=False)
                student_loss = self.student_loss_fn(y, y_pred)
                distillation_loss = self.distillation_loss_fn(
                    ops.softmax(teacher_pred / self.temperature, axis=1),
                    ops.softmax(y_pred / self.temperature, axis=1),
                ) * (self.temperature ** 2)
                return self.alpha * student_loss + (1 - self.alpha) * distillation_loss

            def call(self, x):
                return self.student(x)

        def net(width):
            return lib.Sequential([lib.Input(shape=(8,)), lib.layers.Dense(width, "relu"),
                                   lib.layers.Dense(3)])
        distiller = Distiller(student=net(4), teacher=net(12))
        distiller.build((None, 8))
        return distiller

    def run(lib, model):
        model.compile(optimizer=lib.optimizers.Adam(0.01),
                      metrics=[lib.metrics.SparseCategoricalAccuracy()],
                      student_loss_fn=lib.losses.SparseCategoricalCrossentropy(from_logits=True),
                      distillation_loss_fn=lib.losses.KLDivergence(), alpha=0.1, temperature=10)
        history = model.fit(X, LABELS, epochs=3, batch_size=16, shuffle=False, verbose=0).history
        result = model.evaluate(X, LABELS, verbose=0, return_dict=True)
        return {**history, **{f"eval_{k}": [v] for k, v in result.items()}}

    got = _side_by_side(make, run)
    assert sorted(k for k in got if not k.startswith("eval_")) == ["loss",
                                                                    "sparse_categorical_accuracy"]


def test_gan_with_compile_override_and_dataloader_trains():
    lib, ops = cornu, cornu.ops
    latent_dim = 4
    torch.manual_seed(0)
    cornu.utils.set_random_seed(0)

    class GAN(lib.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_loss_tracker = lib.metrics.Mean(name="d_loss")
            self.g_loss_tracker = lib.metrics.Mean(name="g_loss")
            self.seed_generator = lib.random.SeedGenerator(1337)
            self.built = True

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def train_step(self, real):
            if isinstance(real, (tuple, list)):
                real = real[0]
            batch_size = real.shape[0]
            noise = lib.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            combined = ops.concatenate([self.generator(noise), real], axis=0)
            labels = ops.concatenate([torch.ones((batch_size, 1)), torch.zeros((batch_size, 1))],
                                     axis=0)
            labels = labels + 0.05 * lib.random.uniform(labels.shape, seed=self.seed_generator)
            self.zero_grad()
            d_loss = self.loss_fn(labels, self.discriminator(combined))
            d_loss.backward()
            grads = [v.value.grad for v in self.discriminator.trainable_weights]
            with torch.no_grad():
                self.d_optimizer.apply(grads, self.discriminator.trainable_weights)
            noise = lib.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            self.zero_grad()
            g_loss = self.loss_fn(torch.zeros((batch_size, 1)),
                                  self.discriminator(self.generator(noise)))
            g_loss.backward()
            grads = [v.value.grad for v in self.generator.trainable_weights]
            with torch.no_grad():
                self.g_optimizer.apply(grads, self.generator.trainable_weights)
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(),
                    "g_loss": self.g_loss_tracker.result()}

    discriminator = lib.Sequential([lib.Input((2,)), lib.layers.Dense(16, "relu"),
                                    lib.layers.Dense(1)], name="discriminator")
    generator = lib.Sequential([lib.Input((latent_dim,)), lib.layers.Dense(16, "relu"),
                                lib.layers.Dense(2)], name="generator")
    gan = GAN(discriminator, generator, latent_dim)
    gan.compile(d_optimizer=lib.optimizers.Adam(0.003), g_optimizer=lib.optimizers.Adam(0.003),
                loss_fn=lib.losses.BinaryCrossentropy(from_logits=True))
    real = torch.from_numpy(RNG.normal(3.0, 0.3, size=(256, 2)).astype("float32"))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(real, real),
                                         batch_size=32, shuffle=True)
    history = gan.fit(loader, epochs=4, verbose=0).history
    assert list(history) == ["d_loss", "g_loss"] and len(history["d_loss"]) == 4
    # Both losses fall at first (real Keras 3 running this code shows the same): the
    # discriminator learns the real cluster, the generator learns to fool it.
    assert history["d_loss"][-1] < 0.9 * history["d_loss"][0]
    assert history["g_loss"][2] < history["g_loss"][0]


def test_vae_with_compute_loss_override_trains():
    lib, ops = cornu, cornu.ops

    class VAE(lib.Model):
        def __init__(self):
            super().__init__()
            self.hidden = lib.layers.Dense(16, activation="relu")
            self.z_mean = lib.layers.Dense(2)
            self.z_log_var = lib.layers.Dense(2)
            self.decoder = lib.Sequential([lib.layers.Dense(16, activation="relu"),
                                           lib.layers.Dense(8, activation="sigmoid")])
            self.seed_generator = lib.random.SeedGenerator(7)

        def encode(self, x):
            h = self.hidden(x)
            return self.z_mean(h), self.z_log_var(h)

        def call(self, x):
            z_mean, z_log_var = self.encode(x)
            eps = lib.random.normal(ops.shape(z_mean), seed=self.seed_generator)
            return self.decoder(z_mean + ops.exp(0.5 * z_log_var) * eps)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            z_mean, z_log_var = self.encode(x)
            reconstruction = ops.mean(ops.sum(ops.square(x - y_pred), axis=1))
            kl = -0.5 * ops.mean(ops.sum(1 + z_log_var - ops.square(z_mean)
                                         - ops.exp(z_log_var), axis=1))
            return reconstruction + kl

    vae = VAE()
    vae.compile(optimizer=lib.optimizers.Adam(0.01))
    history = vae.fit(X, epochs=8, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.9 * history["loss"][0]
    assert vae.predict(X[:5], verbose=0).shape == (5, 8)


def test_a_dataloader_feeds_fit_evaluate_and_predict_like_keras():
    def make(lib):
        return lib.Sequential([lib.Input((8,)), lib.layers.Dense(4, "relu"), lib.layers.Dense(1)])

    def run(lib, model):
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y)),
            batch_size=16, shuffle=False)
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        history = model.fit(loader, epochs=2, validation_data=loader, verbose=0).history
        evaluated = model.evaluate(loader, verbose=0)
        predicted = model.predict(torch.utils.data.DataLoader(torch.from_numpy(X), batch_size=16),
                                  verbose=0)
        return {**history, "evaluate": evaluated, "predict": predicted}

    _side_by_side(make, run)


def test_train_on_batch_and_test_on_batch_go_through_the_steps():
    def make(lib):
        class CustomModel(lib.Model):
            def train_step(self, data):
                # (Keras 3's train_on_batch passes `(x, y, sample_weight)`, None included)
                x, y, _ = lib.utils.unpack_x_y_sample_weight(data)
                y_pred = self(x, training=True)
                self.zero_grad()
                loss = self.compute_loss(y=y, y_pred=y_pred) * 0.5
                loss.backward()
                weights = self.trainable_weights
                with torch.no_grad():
                    self.optimizer.apply([v.value.grad for v in weights], weights)
                self.metrics[0].update_state(loss)
                return self.compute_metrics(x, y, y_pred)
        return CustomModel(*_mlp(lib))

    def run(lib, model):
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        trained = [model.train_on_batch(X[:16], Y[:16]) for _ in range(3)]
        tested = model.test_on_batch(X[16:32], Y[16:32], return_dict=True)
        return {"train": trained, "test": [tested["loss"], tested["mae"]],
                "predict": model.predict_on_batch(X[:4])}

    _side_by_side(make, run)


def test_nested_step_logs_are_flattened_by_name():
    class Nested(cornu.Model):
        def train_step(self, data):
            return {"outer": {"inner": torch.tensor(2.0), "deep": {"x": 3}}, "plain": 1.5}

    inputs = cornu.Input((8,))
    model = Nested(inputs, cornu.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd")
    history = model.fit(X, Y, epochs=1, verbose=0).history
    assert history == {"inner": [2.0], "x": [3.0], "plain": [1.5]}


def test_a_step_returning_a_non_scalar_names_the_key_and_shape():
    class Bad(cornu.Model):
        def train_step(self, data):
            x, y = data
            return {"per_sample": (self(x) - y).squeeze(-1)}

    inputs = cornu.Input((8,))
    model = Bad(inputs, cornu.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=r"'per_sample'.*shape \(32,\).*scalar"):
        model.fit(X, Y, epochs=1, verbose=0)


def test_compute_loss_returning_a_non_scalar_is_a_clear_error():
    class PerSample(cornu.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return ((y_pred - y) ** 2).squeeze(-1)

    inputs = cornu.Input((8,))
    model = PerSample(inputs, cornu.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=r"PerSample.compute_loss\(\) must return a scalar.*"
                                         r"\(16,\)"):
        model.fit(X, Y, batch_size=16, epochs=1, verbose=0)


def test_compile_without_loss_and_a_default_step_says_what_is_missing():
    inputs = cornu.Input((8,))

    class Plain(cornu.Model):
        def predict_step(self, data):
            return super().predict_step(data) * 2

    model = Plain(inputs, cornu.layers.Dense(1)(inputs))
    np.testing.assert_allclose(model.predict(X[:3], verbose=0),
                               2 * model(X[:3]).detach().numpy(), rtol=1e-6)
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss to compute"):
        model.fit(X, Y, epochs=1, verbose=0)


def test_training_reaches_layers_through_a_call_that_does_not_pass_it():
    # The default train_step calls `self(x, training=True)`; a subclassed model's `call(x)`
    # that does not pass `training` on still runs its Dropout in training mode, as in Keras.
    rates = {}
    for lib in (keras, cornu):
        class Net(lib.Model):
            def __init__(self):
                super().__init__()
                self.dense = lib.layers.Dense(64, kernel_initializer="ones")
                self.dropout = lib.layers.Dropout(0.5)

            def call(self, x):
                return self.dropout(self.dense(x))

        net = Net()
        ones = np.ones((32, 8), "float32")
        net(ones)
        trained = np.asarray(net(ones, training=True).detach().cpu())
        inferred = np.asarray(net(ones).detach().cpu())
        rates[lib.__name__] = ((trained == 0).mean(), (inferred == 0).mean())
    assert rates["keras"][1] == rates["cornu"][1] == 0.0
    assert 0.4 < rates["cornu"][0] < 0.6 and 0.4 < rates["keras"][0] < 0.6


def test_fit_with_no_trainable_weights_warns_and_trains_nothing_as_keras():
    def make(lib):
        model = lib.Sequential([lib.Input((8,)), lib.layers.Dense(1, trainable=False)])
        model.compile("sgd", "mse")
        return model

    def run(lib, model):
        import warnings
        before = model.get_weights()[0].copy()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = model.fit(X, Y, epochs=2, batch_size=32, verbose=0)
        said = [str(w.message) for w in caught if "trainable weights" in str(w.message)]
        assert said and said[0] == "The model does not have any trainable weights."
        np.testing.assert_array_equal(model.get_weights()[0], before)
        return {"loss": history.history["loss"]}

    _side_by_side(make, run)


def test_compiling_again_without_a_loss_keeps_the_loss_as_keras():
    def make(lib):
        inputs, outputs = _mlp(lib)
        model = lib.Model(inputs, outputs)
        model.compile("sgd", "mse")
        model.compile(optimizer=lib.optimizers.SGD(0.05))
        return model

    _side_by_side(make, lambda lib, m: {"loss": m.fit(X, Y, epochs=2, batch_size=32,
                                                       shuffle=False, verbose=0).history["loss"]})


def test_a_metric_held_by_an_inner_layer_is_one_of_the_models_metrics_as_keras():
    def make(lib):
        class Tracked(lib.layers.Layer):
            def __init__(self):
                super().__init__()
                self.dense = lib.layers.Dense(1)
                self.mean_output = lib.metrics.Mean(name="mean_output")

            def call(self, x):
                out = self.dense(x)
                self.mean_output.update_state(out)
                return out

        inputs = lib.Input((8,))
        model = lib.Model(inputs, Tracked()(inputs))
        model.compile("sgd", "mse")
        return model

    def run(lib, model):
        names = [m.name for m in model.metrics]
        history = model.fit(X, Y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
        assert names == ["loss", "mean_output"] == [m.name for m in model.metrics]
        return {key: history[key] for key in ("loss", "mean_output")}

    _side_by_side(make, run)


def test_the_models_mode_in_fit_follows_keras():
    """Keras 3's torch fit: training mode for the epoch's steps (the step and the batch
    callbacks see it), inference mode for validation and after the call."""
    def run(lib, model):
        seen = []

        class Watch(lib.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                seen.append(("batch", self.model.training))

            def on_test_batch_begin(self, batch, logs=None):
                seen.append(("val", self.model.training))

            def on_epoch_end(self, epoch, logs=None):
                seen.append(("epoch end", self.model.training))

        model.compile(optimizer="sgd", loss="mse")
        model.fit(X[:32], Y[:32], epochs=2, batch_size=16, validation_data=(X[32:48], Y[32:48]),
                  verbose=0, callbacks=[Watch()])
        seen.append(("after", model.training))
        return {"modes": [float(mode) for _, mode in seen], "n": [float(len(seen))]}

    got = _side_by_side(_guide_train_step, run)
    assert got["modes"][0] == 1.0 and got["modes"][-1] == 0.0
