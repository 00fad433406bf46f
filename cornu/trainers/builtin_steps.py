"""The built-in training, evaluation and prediction loops of models that override no step.

`Trainer.train_step`/`test_step`/`predict_step` are Keras 3's public, overridable steps. When a
model overrides none of them (nor `compute_loss`, `compute_metrics`, `metrics`), `fit`,
`evaluate` and `predict` run these loops instead, which give the same numbers cheaper: the
forward pass without `Layer.__call__`'s bookkeeping, `self.losses` collected only where a layer
can add any, `compile(jit_compile=True)`'s compiled step (trainers/jit.py), evaluation scored
~1,024 samples at a time (trainers/chunked_eval.py), metrics read by the host only when
something prints or a callback asks for batch logs. The choice is made once per call of
`fit`/`evaluate`/`predict` (`Trainer._loop`).
"""
import functools
import itertools
import warnings

import torch

from cornu.callbacks.callback import LazyLogs
from cornu.layers import tracking
from cornu.trainers import auto_jit, chunked_eval, flat_step
from cornu.trainers import data_adapters as adapters
from cornu.trainers.step_loop import flatten_logs
from cornu.trainers.compile_utils import as_lists, per_output_weights

OVERRIDABLE = ("train_step", "test_step", "predict_step", "compute_loss", "compute_metrics",
               "metrics", "get_metrics_result")


def _user_written(cls):
    """Whether a layer's forward pass is user code (which may `add_loss`): a `Model(inputs,
    outputs)` subclass that only adds methods runs cornu's graph."""
    return any(getattr(getattr(cls, name, None), "__module__", "cornu").split(".")[0] != "cornu"
               for name in ("call", "forward", "__call__"))


class BuiltinSteps:
    """The fast steps, as methods of the model (trainers/jit.py calls them too)."""

    def _forward(self, x):
        depth = tracking.CALL_DEPTH  # a forward pass in progress (see Layer.__call__)
        depth[0] += 1
        try:
            return torch.nn.Module.__call__(self, x)
        finally:
            depth[0] -= 1

    def _trainable_params(self):
        return [w for w in self.trainable_weights if w.requires_grad]

    def _regularized(self):
        """Whether a step must collect `self.losses`: weight or activity regularizers, loss
        tensors added to a functional model, or user-written layers (their `call` may
        `add_loss`)."""
        return any(getattr(w, "regularizer", None) is not None for w in self.weights) or any(
            getattr(m, "activity_regularizer", None) is not None
            or m.__dict__.get("_graph_losses")
            or (hasattr(m, "_activity_losses") and _user_written(type(m)))
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

    def _as_lists(self, y, y_pred):
        return as_lists(y, y_pred, self._output_names)  # names are read only for dicts

    def _compile_for(self, y, y_pred):
        """Resolves the compiled metrics from one batch's targets and predictions."""
        if self._compile_loss is None:
            self._build_compile()
        ys, preds = self._as_lists(y, y_pred)
        if self._compile_metrics.metrics is None:
            self._compile_loss.check(ys, preds)
            self._compile_metrics.build(ys, preds)
            for metric in self._compile_metrics.all_metrics:
                metric._to(preds[0].device)
        self._clear_activity_losses()  # the forward pass that resolved the metrics is no step

    def _train_step(self, x, y, sw, params, regularized):
        y_pred = self._forward(x)
        ys, preds = self._as_lists(y, y_pred)
        sws = per_output_weights(sw, len(preds))
        loss = self._with_added_losses(self._compile_loss(ys, preds, sws), regularized)
        if params:
            for p in params:
                p.grad = None
            loss.backward()
            grads = [p.grad for p in params]
            if any(g is None for g in grads):
                pairs = [(g, p) for g, p in zip(grads, params) if g is not None]
                self.optimizer.apply([g for g, _ in pairs], [p for _, p in pairs])
            else:
                self.optimizer.apply(grads, params)
        else:  # Keras 3 trains nothing and says so, where torch would raise in backward()
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        # Metrics read the predictions without recording a graph: `torch.no_grad()`, spelled
        # `set_grad_enabled(False)` (the same switch and restore, half the Python per step).
        with torch.set_grad_enabled(False):
            self._loss_tracker.add(loss, preds[0].shape[0])
            self._compile_metrics.update_lists(ys, preds, sws)
        return loss

    def _test_step(self, x, y, sw, regularized=False):
        self._test_outputs(y, self._forward(x), sw, regularized)

    def _test_outputs(self, y, y_pred, sw, regularized=False):
        ys, preds = self._as_lists(y, y_pred)
        sws = per_output_weights(sw, len(preds))
        loss = self._with_added_losses(self._compile_loss(ys, preds, sws), regularized)
        self._loss_tracker.add(loss, preds[0].shape[0])
        self._compile_metrics.update_lists(ys, preds, sws)

    def _logs(self, as_float=True):
        if not as_float:
            logs = {"loss": self._loss_tracker.result()}
            logs.update(self._compile_loss.results())
            logs.update(self._compile_metrics.results())
            logs.update((m.name, m.result()) for m in self._own_metrics())
            return logs
        logs = {"loss": self._loss_tracker.result_float()}
        logs.update((k, float(v)) for k, v in self._compile_loss.results().items())
        logs.update(self._compile_metrics.results_float())
        own = self._own_metrics()  # metrics the model and its layers hold and update
        if own:
            logs.update(flatten_logs({m.name: m.result() for m in own}))
        return logs

    def _jit_train_step(self, params, regularized, auto=False):
        """The compiled step of `compile(jit_compile=True)` or of a `jit_compile="auto"` that
        pays (trainers/jit.py, auto_jit.py), kept between fits while the weights, optimizer
        and regularization stay the same."""
        from cornu.trainers.jit import JitTrainStep
        key = (tuple(id(p) for p in params), id(self.optimizer), regularized, auto)
        if self._jit_step is None or self._jit_step[0] != key:
            self._jit_step = (key, JitTrainStep(self, params, regularized, auto))
        return self._jit_step[1]

    @property
    def _jit_report(self):
        """Compile time, compile count and fallback of the jit step, or None."""
        if self._jit_step is None:  # maybe the model's own steps, compiled
            from cornu.trainers.compiled_step import report
            return report(self)
        return self._jit_step[1].report

    def _mode_setter(self):
        """A cheap `self.train(mode)` for the fit loop, which switches modes twice per epoch:
        sets the `training` flag of every module directly (unless one overrides `train()`)."""
        modules = list(self.modules())
        plain = (torch.nn.Module.train, type(self).train) if \
            getattr(type(self).train, "sets_flags_only", False) else (torch.nn.Module.train,)
        if any(type(m).train not in plain for m in modules):
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
        # A user's layer may update its state in `call` (`self.total.assign_add(...)`)
        user_state = [(v, v.detach().clone()) for m in self.modules()
                      if hasattr(m, "_own_weights") and type(m).__module__.split(".")[0] != "cornu"
                      for v in m._own_variables() if not v.trainable]
        try:
            return self._forward(xb if stateful else adapters.map_arrays(lambda a: a[:1], xb))
        finally:
            self._clear_activity_losses()  # the peek's activity penalties are not a step's
            for module, states in zip(stateful, saved):
                module.states = states
            for var, value in user_state:
                var.data.copy_(value)
            self.train(mode)


class BuiltinLoop:
    """`fit`/`evaluate`/`predict`'s loops over the built-in steps above."""

    builtin = True

    def __init__(self, model):
        self.model = model
        self.params = None
        self.step = None

    @functools.cached_property
    def regularized(self):
        return self.model._regularized()

    @functools.cached_property
    def set_training(self):
        return self.model._mode_setter()

    def _begin(self, xb, yb):
        model = self.model
        model._ensure_built(xb)
        with torch.no_grad():
            model._compile_for(yb, model._peek_output(xb))
        self.params = model._trainable_params()
        if model.optimizer._params is None:
            model.optimizer.build(self.params)
        compile_, auto = auto_jit.compiles(model)  # (jit_compile=True, or "auto" that pays)
        if compile_ and self.params:
            self.step = model._jit_train_step(self.params, self.regularized, auto)
        else:  # a chain of Dense layers trains without autograd (trainers/flat_step.py)
            flat = None if self.regularized else flat_step.plan(model, self.params)[0]
            self.step = flat or model._train_step

    def train_epoch(self, batches, callback_list, first=0):
        """One epoch; `first` is the index of the first batch (a restored run skips some)."""
        model, hooks = self.model, callback_list.needs_batch_hooks("train")
        self.set_training(True)
        steps = first
        for step, (xb, yb, swb) in enumerate(batches, first):
            if self.params is None:
                self._begin(xb, yb)
            if hooks:
                callback_list.on_batch("train", "begin", step, {})
            self.step(xb, yb, swb, self.params, self.regularized)
            steps = step + 1
            if hooks:
                callback_list.on_batch("train", "end", step, LazyLogs(model._logs))
            if model.stop_training:
                break
        self.set_training(False)
        return steps, (model._logs() if self.params is not None else {})

    def train_batch(self, x, y, sw):
        model = self.model
        with torch.no_grad():
            model._compile_for(y, model._peek_output(x))
        model.train(True)
        try:
            model._train_step(x, y, sw, model._trainable_params(), self.regularized)
        finally:
            model.train(False)
        return model._logs()

    def test_batch(self, x, y, sw):
        model = self.model
        with torch.no_grad():
            model._compile_for(y, model._peek_output(x))
            model._test_step(x, y, sw, self.regularized)
        return model._logs()

    def test_epoch(self, adapter, progbar=None, callback_list=None):
        model = self.model
        per_batch = callback_list is not None or getattr(progbar, "needs_every_step", False)
        steps = 0
        with torch.no_grad():
            batches = iter(adapter.batches())
            for step, (xb, yb, swb) in enumerate(batches):
                if model._compile_metrics is None or model._compile_metrics.metrics is None:
                    model._compile_for(yb, model._peek_output(xb))
                if step == 0 and chunked_eval.can_chunk(model, self.regularized, per_batch):
                    steps = chunked_eval.evaluate_in_chunks(
                        model, itertools.chain([(xb, yb, swb)], batches))
                    break
                if callback_list is not None:
                    callback_list.on_batch("test", "begin", step, {})
                model._test_step(xb, yb, swb, self.regularized)
                steps = step + 1
                if progbar is not None and progbar.needs_every_step:
                    progbar.update(steps, lambda: list(model._logs().items()), finalize=False)
                if callback_list is not None:
                    callback_list.on_batch("test", "end", step, LazyLogs(model._logs))
        return steps, model._logs()

    def predict_outputs(self, data):
        with torch.inference_mode():
            return self.model._forward(data[0])
