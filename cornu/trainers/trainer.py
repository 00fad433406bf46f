"""`compile`, `fit`, `evaluate`, `predict`: one trainer for every model.

Data goes through one adapter (trainers/data_adapters.py) and is converted to tensors once per
call. A training step is the forward pass, the loss, `backward()` and one foreach optimizer
update; metrics accumulate on the device. The host reads values only when something prints or
a callback asks for batch logs.
"""
import itertools
import math

import numpy as np
import torch

from cornu import optimizers as optimizers_module
from cornu.callbacks.callback import CallbackList, LazyLogs
from cornu.callbacks.history import History
from cornu.callbacks.progbar_logger import ProgbarLogger
from cornu.compat import arguments as legacy
from cornu.compat.legacy_methods import LegacyTrainerMethods
from cornu.trainers import chunked_eval
from cornu.trainers import data_adapters as adapters
from cornu.trainers.compile_utils import CompileLoss, CompileMetrics, LossTracker
from cornu.trainers.progbar import Progbar


def _listify(x):
    if x is None:
        return None
    if isinstance(x, dict):
        return list(x.values())
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Trainer(LegacyTrainerMethods):
    def __init__(self):
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = LossTracker()
        self.jit_compile = False
        self._jit_step = None

    # ----------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        for key in ("sample_weight_mode", "target_tensors", "distribute", "experimental_run_tf_function"):
            kwargs.pop(key, None)
        kwargs = legacy.translate("compile", kwargs, "Model.compile")
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword argument(s) {sorted(kwargs)}.")
        loss_weights, metrics = legacy.compile_positional(loss_weights, metrics)
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        self._loss_spec, self._loss_weights = loss, loss_weights
        self._metrics_spec, self._weighted_spec = metrics, weighted_metrics
        self.jit_compile = jit_compile is True and not run_eagerly
        self._jit_step = None
        self.run_eagerly = run_eagerly
        self._compile_loss = None
        self._compile_metrics = None
        self.compiled = True
        if self.built:
            self._build_compile()

    def _output_names(self):
        names = getattr(self, "output_names", None)
        return list(names) if names else ["output"]

    def _build_compile(self):
        names = self._output_names()
        self._compile_loss = CompileLoss(self._loss_spec, self._loss_weights, names)
        self._compile_metrics = CompileMetrics(self._metrics_spec, self._weighted_spec, names,
                                               self._compile_loss.fns)

    def _assert_compiled(self):
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model for training "
                               "or evaluation.")
        self._refuse_custom_steps()

    def _refuse_custom_steps(self):
        # Keras's fit/evaluate/predict call an overridden train_step/test_step/predict_step;
        # cornu's loops would silently skip it, so say so instead.
        custom = [name for name in ("train_step", "test_step", "predict_step")
                  if hasattr(type(self), name)]
        if custom:
            raise NotImplementedError(
                f"{type(self).__name__} overrides {', '.join(custom)}: cornu's fit/evaluate/"
                "predict do not call custom step methods yet. Write the loop in PyTorch "
                "(model(x, training=True), loss.backward(), optimizer.apply(grads, weights)).")

    @property
    def metrics_names(self):
        if not self.compiled:
            return []
        if self._compile_loss is None and self.built:
            self._build_compile()
        names = ["loss"]
        if self._compile_loss is not None and self._compile_loss.multi:
            names += [f"{n}_loss" for n, fn in zip(self._compile_loss.output_names,
                                                   self._compile_loss.fns) if fn is not None]
        if self._compile_metrics is not None:
            names += self._compile_metrics.names()
        elif self._metrics_spec:
            names += [m if isinstance(m, str) else getattr(m, "name", getattr(m, "__name__", "metric"))
                      for m in _listify(self._metrics_spec)]
        return names

    @property
    def metrics(self):
        out = [self._loss_tracker]
        if self._compile_metrics is not None:
            out += self._compile_metrics.all_metrics
        return out

    def reset_metrics(self):
        self._loss_tracker.reset_state()
        if self._compile_loss is not None:
            self._compile_loss.reset()
        if self._compile_metrics is not None:
            self._compile_metrics.reset()

    # ------------------------------------------------------------- data prep
    def _device(self):
        for p in self.parameters():
            return p.device
        from cornu.backend.config import get_device
        return get_device()

    def _input_specs(self):
        return list(getattr(self, "inputs", None) or [])

    def _ensure_built(self, x):
        if self.built:
            return
        flat = adapters.flat(adapters._structure(x))
        shapes = [(None,) + tuple(np.shape(a)[1:]) if not isinstance(a, torch.Tensor)
                  else (None,) + tuple(a.shape[1:]) for a in flat]
        if len(shapes) == 1 and len(shapes[0]) == 1:
            shapes = [(None, 1)]  # Keras 2: 1-D data is one feature per sample
        self.build(shapes[0] if len(shapes) == 1 else shapes)
        if self.compiled and self._compile_loss is None:
            self._build_compile()

    def _prepare_x(self, x):
        self._ensure_built(x)
        x = adapters.order_by_names(x, getattr(self, "input_names", None), "input")
        x = adapters.standardize_x(x, self._input_specs(), self._device())
        self._check_inputs(x)
        return x

    def _check_inputs(self, x):
        specs = self._input_specs()
        if not specs:
            return
        arrays = adapters.flat(x)
        if len(arrays) != len(specs):
            raise ValueError(f"Model {self.name!r} expects {len(specs)} input(s), but it received "
                             f"{len(arrays)} input array(s).")
        for i, (array, spec) in enumerate(zip(arrays, specs)):
            expected, found = spec.shape, tuple(array.shape)
            # Keras 3 adjusts a rank by one for a trailing axis of 1 (the model's call does it).
            if len(found) == len(expected) + 1 and found[-1] == 1:
                found = found[:-1]
            elif len(found) == len(expected) - 1 and expected[-1] == 1:
                found = found + (1,)
            ok = len(expected) == len(found) and all(
                e is None or e == f for e, f in zip(expected[1:], found[1:]))
            if ok:
                continue
            hint = ""
            if len(expected) == len(found) and expected[-1] != found[-1]:
                hint = (f" The data has {found[-1]} features but the model was declared with "
                        f"{expected[-1]} (check `input_shape`/`input_dim`).")
            layer = spec._keras_history[0].name if spec._keras_history else self.name
            raise ValueError(f"Input {i} of layer {self.name!r} is incompatible with the layer: "
                             f"expected shape={expected}, found shape={found} "
                             f"(input layer {layer!r}).{hint}")

    def _prepare(self, x, y, sample_weight, class_weight=None):
        x = self._prepare_x(x)
        device = self._device()
        names = self._output_names()
        y = adapters.standardize_y(adapters.order_by_names(y, names, "output", True), device)
        sample_weight = adapters.order_by_names(sample_weight, names, "output", True)
        sw = adapters.standardize_sample_weight(sample_weight, device)
        if class_weight is not None and y is not None:
            cw = adapters.class_weights_to_sample_weights(y, class_weight)
            sw = cw if sw is None else adapters.map_arrays(lambda s: s * cw, sw)
        return x, y, sw

    def _forward(self, x):
        return torch.nn.Module.__call__(self, x)

    def _compile_for(self, y, y_pred):
        if self._compile_loss is None:
            self._build_compile()
        ys, preds = self._as_lists(y, y_pred)
        if self._compile_metrics.metrics is None:
            self._compile_loss.check(ys, preds)
            self._compile_metrics.build(ys, preds)
            for metric in self._compile_metrics.all_metrics:
                metric._to(preds[0].device)
        self._clear_activity_losses()  # the forward pass that resolved the metrics is no step

    def _as_lists(self, y, y_pred):
        if isinstance(y_pred, dict):
            y_pred = [y_pred[name] for name in self._output_names()]
        preds = y_pred if isinstance(y_pred, (list, tuple)) else [y_pred]
        if isinstance(y, dict):
            ys = [y.get(name) for name in self._output_names()]
        else:
            ys = y if isinstance(y, (list, tuple)) else [y]
        if len(ys) != len(preds):
            raise ValueError(f"The model has {len(preds)} output(s) but {len(ys)} target array(s) "
                             "were given.")
        return ys, preds

    # ------------------------------------------------------------------- steps
    def _trainable_params(self):
        return [w for w in self.trainable_weights if w.requires_grad]

    def _regularized(self):
        """Whether a step must collect `self.losses`: weight or activity regularizers, loss
        tensors added to a functional model, or user-written layers (their `call` may
        `add_loss`)."""
        return any(getattr(w, "regularizer", None) is not None for w in self.weights) or any(
            getattr(m, "activity_regularizer", None) is not None
            or m.__dict__.get("_graph_losses")
            or (hasattr(m, "_activity_losses") and type(m).__module__.split(".")[0] != "cornu")
            for m in self.modules())

    def _with_added_losses(self, loss, regularized):
        if regularized:
            extra = self.losses
            if extra:
                loss = sum(extra) if loss is None else loss + sum(extra)
            self._clear_activity_losses()
        if loss is None:
            raise ValueError("No loss to compute: give `compile()` a `loss`, or add losses "
                             "to the model with `add_loss`.")
        return loss

    def _clear_activity_losses(self):
        for module in self.modules():
            if getattr(module, "_activity_losses", None):
                module._activity_losses.clear()

    def _train_step(self, x, y, sw, params, regularized):
        y_pred = self._forward(x)
        ys, preds = self._as_lists(y, y_pred)
        sws = None if sw is None else (sw if isinstance(sw, list) else [sw] * len(preds))
        loss = self._with_added_losses(self._compile_loss(ys, preds, sws), regularized)
        for p in params:
            p.grad = None
        loss.backward()
        grads = [p.grad for p in params]
        if any(g is None for g in grads):
            pairs = [(g, p) for g, p in zip(grads, params) if g is not None]
            self.optimizer.apply([g for g, _ in pairs], [p for _, p in pairs])
        else:
            self.optimizer.apply(grads, params)
        with torch.no_grad():  # metrics read the predictions without recording a graph
            self._loss_tracker.update_state(loss, preds[0].shape[0])
            self._compile_metrics.update_state(ys, preds, sws)
        return loss

    def _test_step(self, x, y, sw, regularized=False):
        self._test_outputs(y, self._forward(x), sw, regularized)

    def _test_outputs(self, y, y_pred, sw, regularized=False):
        ys, preds = self._as_lists(y, y_pred)
        sws = None if sw is None else (sw if isinstance(sw, list) else [sw] * len(preds))
        loss = self._with_added_losses(self._compile_loss(ys, preds, sws), regularized)
        self._loss_tracker.update_state(loss, preds[0].shape[0])
        self._compile_metrics.update_state(ys, preds, sws)

    def _logs(self, as_float=True):
        if not as_float:
            logs = {"loss": self._loss_tracker.result()}
            logs.update(self._compile_loss.results())
            logs.update(self._compile_metrics.results())
            return logs
        logs = {"loss": self._loss_tracker.result_float()}
        logs.update((k, float(v)) for k, v in self._compile_loss.results().items())
        logs.update(self._compile_metrics.results_float())
        return logs

    # --------------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Trains the model; returns a `History` whose `.history` maps metric names to lists."""
        kwargs = legacy.translate("fit", {**kwargs, "batch_size": batch_size}, "Model.fit")
        batch_size = kwargs.pop("batch_size")
        epochs = kwargs.pop("epochs", epochs)
        steps_per_epoch = kwargs.pop("steps_per_epoch", steps_per_epoch)
        validation_steps = kwargs.pop("validation_steps", validation_steps)
        for key in ("workers", "use_multiprocessing", "max_queue_size"):
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}.")
        self._assert_compiled()
        verbose = 1 if verbose == "auto" else int(verbose)
        if adapters.is_iterator_data(x):
            train = self._iterator_adapter(x, steps_per_epoch)
            val_data = validation_data
        else:
            if validation_split and validation_data is None:
                arrays = [None if a is None else adapters.map_arrays(adapters.as_array, a)
                          for a in (x, y, sample_weight)]
                (x, y, sample_weight), val_data = adapters.split_validation(*arrays,
                                                                            validation_split)
            else:
                val_data = validation_data
            x, y, sw = self._prepare(x, y, sample_weight, class_weight)
            if y is None and self._loss_spec is not None:
                raise ValueError("fit() needs targets: pass `y` (or a generator of (x, y) batches).")
            train = adapters.ArrayAdapter(x, y, sw, batch_size or 32, shuffle=shuffle,
                                          steps_per_epoch=steps_per_epoch)
        val = self._validation_adapter(val_data, validation_batch_size or batch_size,
                                       validation_steps)
        history = History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(ProgbarLogger())
        cbs.append(history)
        callback_list = CallbackList(cbs, model=self,
                                     params={"verbose": verbose, "epochs": epochs,
                                             "steps": train.steps_per_epoch})
        self.stop_training = False
        params = None
        regularized = self._regularized()
        set_training = self._mode_setter()
        callback_list.on_train_begin()
        epoch_logs = {}
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callback_list.on_epoch_begin(epoch)
                set_training(True)
                hooks = callback_list.needs_batch_hooks("train")
                steps = 0
                for step, (xb, yb, swb) in enumerate(train.batches()):
                    if params is None:
                        self._ensure_built(xb)
                        with torch.no_grad():
                            self._compile_for(yb, self._peek_output(xb))
                        params = self._trainable_params()
                        self.optimizer.build(params) if self.optimizer._params is None else None
                        train_step = self._jit_train_step(params, regularized) \
                            if self.jit_compile else self._train_step
                    if hooks:
                        callback_list.on_batch("train", "begin", step)
                    train_step(xb, yb, swb, params, regularized)
                    steps = step + 1
                    if hooks:
                        callback_list.on_batch("train", "end", step, LazyLogs(self._logs))
                    if self.stop_training:
                        break
                set_training(False)
                callback_list.params["steps_done"] = steps
                epoch_logs = self._logs() if params is not None else {}
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._evaluate_adapter(val, regularized)
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        finally:
            self.train(False)
        if params is not None and getattr(self.optimizer, "use_ema", False):
            self.optimizer.finalize_variable_values(params)  # Keras 3: weights take the EMA
        callback_list.on_train_end(epoch_logs)
        self.history = history
        return history

    def _jit_train_step(self, params, regularized):
        """The compiled step of `compile(jit_compile=True)` (trainers/jit.py), kept between
        fits while the weights, optimizer and regularization stay the same."""
        from cornu.trainers.jit import JitTrainStep
        key = (tuple(id(p) for p in params), id(self.optimizer), regularized)
        if self._jit_step is None or self._jit_step[0] != key:
            self._jit_step = (key, JitTrainStep(self, params, regularized))
        return self._jit_step[1]

    @property
    def _jit_report(self):
        """Compile time, compile count and fallback of the jit step, or None."""
        return None if self._jit_step is None else self._jit_step[1].report

    def _mode_setter(self):
        """A cheap `self.train(mode)` for the fit loop, which switches modes twice per epoch:
        sets the `training` flag of every module directly (unless one overrides `train()`)."""
        modules = list(self.modules())
        if any(type(m).train is not torch.nn.Module.train for m in modules):
            return self.train

        def set_training(mode):
            for module in modules:
                module.__dict__["training"] = mode
        return set_training

    def _peek_output(self, xb):
        """Output of the model in inference mode on one batch (to resolve metrics; no updates).

        Stateful layers (stateful RNNs) see the whole batch, their batch size, and get their
        states back afterwards, so the peek leaves no trace."""
        mode = self.training
        self.train(False)
        stateful = [m for m in self.modules() if getattr(m, "stateful", False)
                    and getattr(m, "states", None) is not None]
        saved = [m.states for m in stateful]
        try:
            return self._forward(xb if stateful else adapters.map_arrays(lambda a: a[:1], xb))
        finally:
            self._clear_activity_losses()  # the peek's activity penalties are not a step's
            for module, states in zip(stateful, saved):
                module.states = states
            self.train(mode)

    def _iterator_adapter(self, data, steps):
        return adapters.IteratorAdapter(data, steps, self._prepare)

    def _validation_adapter(self, data, batch_size, steps):
        if data is None:
            return None
        if adapters.is_iterator_data(data):
            return self._iterator_adapter(data, steps)
        if isinstance(data, (list, tuple)) and len(data) in (2, 3):
            vx, vy = data[0], data[1]
            vsw = data[2] if len(data) == 3 else None
        else:
            raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or "
                             f"`(x_val, y_val, val_sample_weights)`; received {type(data).__name__} "
                             f"of length {len(data) if hasattr(data, '__len__') else '?'}.")
        vx, vy, vsw = self._prepare(vx, vy, vsw)
        return adapters.ArrayAdapter(vx, vy, vsw, batch_size or 32, shuffle=False,
                                     steps_per_epoch=steps)

    # ---------------------------------------------------------------- evaluate
    def _evaluate_adapter(self, adapter, regularized=False, progbar=None, callback_list=None):
        self.reset_metrics()
        mode = self.training
        self.train(False)
        steps = 0
        try:
            per_batch = callback_list is not None or getattr(progbar, "needs_every_step", False)
            with torch.no_grad():
                batches = iter(adapter.batches())
                for step, (xb, yb, swb) in enumerate(batches):
                    if self._compile_metrics is None or self._compile_metrics.metrics is None:
                        self._compile_for(yb, self._peek_output(xb))
                    if step == 0 and chunked_eval.can_chunk(self, regularized, per_batch):
                        steps = chunked_eval.evaluate_in_chunks(
                            self, itertools.chain([(xb, yb, swb)], batches))
                        break
                    if callback_list is not None:
                        callback_list.on_batch("test", "begin", step)
                    self._test_step(xb, yb, swb, regularized)
                    steps = step + 1
                    if progbar is not None and progbar.needs_every_step:
                        progbar.update(steps, lambda: list(self._logs().items()), finalize=False)
                    if callback_list is not None:
                        callback_list.on_batch("test", "end", step, LazyLogs(self._logs))
        finally:
            self.train(mode)
        logs = self._logs()
        if progbar is not None:
            progbar.target = progbar.target or steps
            progbar.update(steps, list(logs.items()), finalize=True)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Returns the loss (a scalar), or `[loss, *metrics]` in `metrics_names` order."""
        for key in ("workers", "use_multiprocessing", "max_queue_size", "show_accuracy"):
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword argument(s) {sorted(kwargs)}.")
        self._assert_compiled()
        verbose = 1 if verbose == "auto" else int(verbose)
        if adapters.is_iterator_data(x):
            adapter = self._iterator_adapter(x, steps)
        else:
            x, y, sw = self._prepare(x, y, sample_weight)
            if y is None and self._loss_spec is not None:
                raise ValueError("evaluate() needs targets: pass `y`.")
            adapter = adapters.ArrayAdapter(x, y, sw, batch_size or 32, steps_per_epoch=steps)
        callback_list = CallbackList(callbacks, model=self, params={"verbose": verbose,
                                                                    "steps": adapter.steps_per_epoch})
        callback_list.on_test_begin()
        progbar = Progbar(adapter.steps_per_epoch, verbose=verbose) if verbose else None
        logs = self._evaluate_adapter(adapter, self._regularized(), progbar,
                                      callback_list if callback_list.needs_batch_hooks("test") else None)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    # ----------------------------------------------------------------- predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        self._refuse_custom_steps()
        """Runs the model in inference mode, in batches; returns NumPy arrays."""
        for key in ("workers", "use_multiprocessing", "max_queue_size"):
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(f"predict() got unexpected keyword argument(s) {sorted(kwargs)}.")
        verbose = 1 if verbose == "auto" else int(verbose)
        if adapters.is_iterator_data(x):
            adapter = adapters.IteratorAdapter(x, steps, lambda bx, by, bsw: self._prepare_x(bx))
            batches = adapter.batches()
            target = adapter.steps_per_epoch
        else:
            x = self._prepare_x(x)
            n = adapters.num_samples(x)
            bs = int(batch_size or 32)
            target = int(math.ceil(n / bs)) if n else 0
            if steps is not None:
                target = min(target, int(steps))
            batches = (adapters.map_arrays(lambda a: a[i * bs:(i + 1) * bs], x)
                       for i in range(target))
        progbar = Progbar(target, verbose=verbose) if verbose else None
        callback_list = CallbackList(callbacks, model=self, params={"verbose": verbose})
        callback_list.on_predict_begin()
        mode = self.training
        if mode:
            self.train(False)
        outputs = []
        try:
            with torch.inference_mode():
                for step, xb in enumerate(batches):
                    outputs.append(self._forward(xb))
                    if progbar is not None and progbar.needs_every_step:
                        progbar.update(step + 1, finalize=False)
        finally:
            if mode:
                self.train(True)
        if progbar is not None:
            progbar.update(len(outputs), finalize=True)
        callback_list.on_predict_end()
        return adapters.concat_outputs(outputs)

    # ---------------------------------------------------------------- batches
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False,
                       reset_metrics=True):
        self._assert_compiled()
        x, y, sw = self._prepare(x, y, sample_weight, class_weight)
        with torch.no_grad():
            self._compile_for(y, self._peek_output(x))
        if reset_metrics:
            self.reset_metrics()
        params = self._trainable_params()
        self.train(True)
        try:
            self._train_step(x, y, sw, params, self._regularized())
        finally:
            self.train(False)
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False, reset_metrics=True):
        self._assert_compiled()
        x, y, sw = self._prepare(x, y, sample_weight)
        if reset_metrics:
            self.reset_metrics()
        with torch.no_grad():
            self._compile_for(y, self._peek_output(x))
            self._test_step(x, y, sw, self._regularized())
        return self._batch_result(return_dict)

    def _batch_result(self, return_dict):
        logs = self._logs()
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def predict_on_batch(self, x):
        x = self._prepare_x(x)
        with torch.inference_mode():
            return adapters.concat_outputs([self._forward(x)])

