import numpy as np
import pytest

import cornu
from cornu.testing import real_keras


@pytest.mark.parametrize("y,num_classes", [([0, 2, 1, 2], None), ([[1], [0]], 3),
                                           (np.array([[0, 1], [2, 3]]), None)])
def test_to_categorical_matches_keras(y, num_classes):
    keras = real_keras()
    np.testing.assert_array_equal(cornu.utils.to_categorical(y, num_classes),
                                  keras.utils.to_categorical(y, num_classes))


def test_to_categorical_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        cornu.utils.to_categorical([0, 5], 2)


def test_normalize_matches_keras():
    keras = real_keras()
    x = np.random.RandomState(0).randn(4, 3)
    x[1] = 0
    np.testing.assert_allclose(cornu.utils.normalize(x), np.asarray(keras.utils.normalize(x)),
                               rtol=1e-6)


def test_set_random_seed_makes_training_reproducible():
    def run():
        cornu.utils.set_random_seed(42)
        cornu.backend.clear_session()
        model = cornu.Sequential([cornu.layers.Dense(4, input_shape=(3,)),
                                  cornu.layers.Dropout(0.5), cornu.layers.Dense(1)])
        model.compile("adam", "mse")
        model.fit(np.random.rand(20, 3), np.random.rand(20), epochs=2, verbose=0)
        return model.get_weights()
    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)
