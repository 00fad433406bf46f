"""Scripts in the style of each era (written for this project) that stopped on the long tail:
a Keras 2 GAN with noisy labels and `Dense(np.prod(shape))`, a Keras 1 custom layer on
`keras.engine.topology`, `initializations` and `K.*`, run with `cornu run`."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(tmp_path, source):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": ROOT, "KERAS_HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "cornu", "run", str(script)], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=300)


def test_keras2_gan_with_noisy_labels_and_numpy_units(tmp_path):
    result = _run(tmp_path, """
        import numpy as np
        from keras.models import Sequential, Model
        from keras.layers import Dense, Reshape, Flatten, Input, LeakyReLU
        from keras.optimizers import Adam

        img_shape = (4, 4, 1)
        np.random.seed(0)
        generator = Sequential()
        generator.add(Dense(16, input_dim=8))
        generator.add(LeakyReLU(alpha=0.2))
        generator.add(Dense(np.prod(img_shape), activation='tanh'))   # an np.int64
        generator.add(Reshape(img_shape))

        discriminator = Sequential()
        discriminator.add(Flatten(input_shape=img_shape))
        discriminator.add(Dense(8))
        discriminator.add(LeakyReLU(alpha=0.2))
        discriminator.add(Dense(1, activation='sigmoid'))
        discriminator.compile(loss='binary_crossentropy', optimizer=Adam(0.0002, 0.5))

        z = Input(shape=(8,))
        discriminator.trainable = False
        combined = Model(z, discriminator(generator(z)))
        combined.compile(loss='binary_crossentropy', optimizer=Adam(0.0002, 0.5))

        real = np.random.uniform(-1, 1, (16,) + img_shape).astype('float32')
        for step in range(3):
            noise = np.random.normal(0, 1, (16, 8))
            fake = generator.predict(noise, verbose=0)
            valid = np.ones((16, 1)) - 0.05 * np.random.random((16, 1))   # label smoothing
            fake_labels = np.zeros((16, 1)) + 0.05 * np.random.random((16, 1))
            valid_noisy = valid + 0.1 * np.random.random((16, 1))            # above 1
            d_loss = 0.5 * np.add(discriminator.train_on_batch(real, valid_noisy),
                                  discriminator.train_on_batch(fake, fake_labels))
            g_loss = combined.train_on_batch(noise, valid)
            assert np.isfinite(d_loss) and np.isfinite(g_loss)
        print("GAN OK", generator.layers[2].units)
    """)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "GAN OK 16" in result.stdout


def test_keras1_custom_layer_on_topology_initializations_and_backend(tmp_path):
    result = _run(tmp_path, """
        import numpy as np
        from keras import backend as K
        from keras import initializations
        from keras.engine.topology import Layer
        from keras.engine import InputSpec
        from keras.models import Sequential
        from keras.layers import Dense

        class NoisyDense(Layer):
            def __init__(self, output_dim, **kwargs):
                self.output_dim = output_dim
                self.init = initializations.get('glorot_uniform')
                super(NoisyDense, self).__init__(**kwargs)

            def build(self, input_shape):
                self.input_spec = [InputSpec(shape=input_shape)]
                self.W = self.init((input_shape[1], self.output_dim), name='W')
                self.trainable_weights = [self.W]
                super(NoisyDense, self).build(input_shape)

            def call(self, x, mask=None):
                noise = K.random_normal(K.shape(x), mean=0., std=0.0)   # Keras 1's `std`
                return K.dot(x + noise, self.W)

            def get_output_shape_for(self, input_shape):
                return (input_shape[0], self.output_dim)

        model = Sequential()
        model.add(NoisyDense(3, input_shape=(4,)))
        model.add(Dense(1))
        model.compile(loss='mse', optimizer='sgd')
        x = np.random.rand(8, 4).astype('float32')
        layer = model.layers[0]
        out = K.eval(layer(x))
        w = K.get_value(layer.W)
        assert np.allclose(np.asarray(out), x.dot(w), atol=1e-5)
        limit = np.sqrt(6.0 / (4 + 3))
        assert np.abs(w).max() <= limit
        model.fit(x, np.ones((8, 1)), nb_epoch=1, verbose=0)
        print("KERAS1 OK")
    """)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "KERAS1 OK" in result.stdout
