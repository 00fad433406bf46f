"""Keras 1/2 model methods that Keras 3 removed, kept as thin forms of today's methods.

`fit_generator`, `evaluate_generator` and `predict_generator` are `fit`, `evaluate` and
`predict` (the data adapter reads generators and `Sequence`s); `predict_classes` and
`predict_proba` are the Sequential methods of Keras 1/2. Keras 1 layers listed their weights
by assignment (`self.trainable_weights = [self.W, self.b]` in `build`): `install_layer` makes
that assignment track them.
"""


class LegacyTrainerMethods:
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, **kwargs):
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, **kwargs)

    def evaluate_generator(self, generator, steps=None, **kwargs):
        return self.evaluate(generator, steps=steps, **kwargs)

    def predict_generator(self, generator, steps=None, **kwargs):
        return self.predict(generator, steps=steps, **kwargs)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices: the argmax, or a 0.5 threshold for a single sigmoid unit."""
        probs = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probs.shape[-1] > 1:
            return probs.argmax(axis=-1)
        return (probs > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        return self.predict(x, batch_size=batch_size, verbose=verbose)


def install(trainer_class):
    """Adds these methods to `Trainer` (the modern class does not name them); a method the
    class defines itself wins."""
    for name, method in vars(LegacyTrainerMethods).items():
        if callable(method) and not name.startswith("__") and name not in vars(trainer_class):
            setattr(trainer_class, name, method)


def _weights_setter(trainable):
    def set_weights_list(layer, weights):
        """Keras 1: `self.trainable_weights = [self.W]` tracks those variables (as trainable,
        or not for `non_trainable_weights`); a variable not yet an attribute gets a name."""
        from cornu.layers import tracking
        for variable in weights:
            if not any(layer._parameters.get(a) is variable for a in layer._own_weights):
                tracking.track(layer, f"variable_{len(layer._own_weights)}", variable)
            variable.trainable = trainable
    return set_weights_list


def install_layer(layer_class):
    """Gives `trainable_weights`/`non_trainable_weights` Keras 1's assignment."""
    for name, trainable in (("trainable_weights", True), ("non_trainable_weights", False)):
        getter = getattr(layer_class, name)
        if isinstance(getter, property) and getter.fset is None:
            setattr(layer_class, name, getter.setter(_weights_setter(trainable)))
