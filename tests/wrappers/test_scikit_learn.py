"""Keras 2's scikit-learn wrappers inside scikit-learn's own tools (the notes' ensembles)."""
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import VotingClassifier
from sklearn.model_selection import RandomizedSearchCV, cross_val_score
from sklearn.preprocessing import StandardScaler

import cornu
from cornu.wrappers.scikit_learn import KerasClassifier, KerasRegressor

data = load_breast_cancer()
X = StandardScaler().fit_transform(data.data)[:200].astype("float32")
Y = data.target[:200]


def create_model(optimizer="adam", activation="relu", units=8):
    model = cornu.Sequential([cornu.layers.Dense(units, input_shape=(30,), activation=activation),
                              cornu.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def softmax_model():
    model = cornu.Sequential([cornu.layers.Dense(8, input_shape=(30,), activation="relu"),
                              cornu.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_returns_estimator_with_history_and_predicts_classes():
    cornu.utils.set_random_seed(0)  # 5 epochs from some initial weights score under 0.8
    clf = KerasClassifier(build_fn=create_model, epochs=5, batch_size=16, verbose=0)
    assert clf.fit(X, Y) is clf
    assert len(clf.fit(X, Y).history["loss"]) == 5
    assert set(clf.predict(X)) <= {0, 1}
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert 0.8 < clf.score(X, Y) <= 1.0


def test_string_labels_and_one_hot_for_categorical_crossentropy():
    labels = np.where(Y == 1, "benign", "malignant")
    clf = KerasClassifier(build_fn=softmax_model, epochs=3, verbose=0).fit(X, labels)
    assert list(clf.classes_) == ["benign", "malignant"]
    assert set(clf.predict(X)) <= {"benign", "malignant"}


def test_soft_voting_ensemble_from_the_notes():
    cornu.utils.set_random_seed(0)
    models = [(f"model{i}", KerasClassifier(build_fn=create_model, epochs=20, verbose=0))
              for i in range(3)]
    ensemble = VotingClassifier(estimators=models, voting="soft").fit(X, Y)
    assert np.mean(ensemble.predict(X) == Y) > 0.85


def test_cross_validation_and_random_search_clone_the_estimator():
    cornu.utils.set_random_seed(0)
    clf = KerasClassifier(build_fn=create_model, epochs=10, batch_size=16, verbose=0)
    scores = cross_val_score(clf, X, Y, cv=3)
    assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1)) and scores.mean() > 0.6
    params = dict(optimizer=["sgd", "adam"], epochs=[2], batch_size=[10, 20],
                  activation=["relu", "tanh"])
    search = RandomizedSearchCV(clf, params, n_iter=2, cv=2, random_state=0).fit(X, Y)
    assert set(search.best_params_) == {"optimizer", "epochs", "batch_size", "activation"}


def test_illegal_parameter_is_rejected():
    with pytest.raises(ValueError, match="'bogus' is not a legal parameter"):
        KerasClassifier(build_fn=create_model, bogus=1)


def test_regressor_score_is_negative_loss():
    def regression_model():
        model = cornu.Sequential([cornu.layers.Dense(1, input_shape=(30,))])
        model.compile("sgd", "mse")
        return model
    reg = KerasRegressor(build_fn=regression_model, epochs=2, verbose=0).fit(X, Y.astype("float32"))
    assert reg.predict(X).shape == (200,)
    assert reg.score(X, Y) == pytest.approx(-reg.model.evaluate(X, Y, verbose=0), rel=1e-6)


def test_wrappers_work_without_scikit_learn():
    """scikit-learn is optional: cornu imports and the wrappers fit and predict without it."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "import numpy as np, cornu\n"
            "from cornu.wrappers.scikit_learn import KerasClassifier\n"
            "def build():\n"
            "    m = cornu.Sequential([cornu.Input((4,)), cornu.layers.Dense(3, activation='softmax')])\n"
            "    m.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])\n"
            "    return m\n"
            "clf = KerasClassifier(build_fn=build, epochs=1, verbose=0)\n"
            "clf.fit(np.random.rand(12, 4), np.arange(12) % 3)\n"
            "print(sorted(set(clf.predict(np.random.rand(5, 4)).tolist()) - {0, 1, 2}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
