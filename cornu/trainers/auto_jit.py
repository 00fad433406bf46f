"""`compile(jit_compile="auto")`: the built-in train step compiled only where it pays.

`jit_compile="auto"` is `Model.compile`'s default. Keras 3 on torch runs it eagerly; cornu
compiles the built-in train step (trainers/jit.py) when the call is long enough for the
compile to pay for itself, and runs eagerly otherwise. Once at the start of each `fit`, from
what is known then (no clock is read: the same call decides the same way every time):

- `choose_compile(steps, layers, device, static)`, a pure function: compile when
  `steps * SAVED_SECONDS_PER_LAYER * layers >= PAYBACK * COMPILE_SECONDS[device]`, that is
  when the eager dispatch the compiled step saves (per layer, per step) is at least `PAYBACK`
  times the compile time of a cold cache;
- `steps`: the batches of full size the call will train, `(epochs - initial_epoch) *
  steps_per_epoch` less the partial ones (a last batch smaller than `batch_size` runs eagerly:
  another shape would recompile); only in-memory data (arrays, tensors) has known batch shapes:
  a generator, `PyDataset`, `tf.data` or `DataLoader` trains eagerly;
- `layers`: the model's layers that compute (its leaf layers but `InputLayer`), at most
  `MAX_LAYERS`, so that no fit of fewer than `MIN_STEPS` (10,000 on CPU) steps compiles;
- the device of the model's weights (CPU or CUDA; any other trains eagerly).

Only models that override no step (the built-in loop) are compiled; a `train_step` of the
user's runs eagerly under "auto" (as in Keras 3; `jit_compile=True` compiles it). So does a run
under `run_eagerly=True`, across processes (torchrun), or with no trainable weight. Where the
compile fails, the step trains eagerly without a warning (the user did not ask for a compile):
the reason is in `history.jit["fallback"]` and, with `verbose=2`, printed.

The constants were measured on the 2-core development machine (torch 2.13, CPU, shared with
other jobs) with a 30-10-10-1 MLP (Adam, batch 32, accuracy): a cold compile took 23-29 s of
wall time (5.6 s of CPU in the process, 14 s in the C++ compiler), a second process with the
cache of the first 4.3-8.5 s (Dynamo still traces, 1.9 s; Inductor's FX graph cache and
AOTAutograd's cache, both on by default, hit); an eager step took 0.41-0.59 ms, a compiled one
0.19-0.33 ms: 0.1 ms saved per layer. CUDA's compile time (Triton kernels) was not measured:
it is assumed to be longer. See docs/PERFORMANCE.md.

The choice is fixed for the call: `model._jit_choice` holds it during the call,
`History.jit` after it (with the compile seconds and any fallback), `verbose=2` prints it once
per fit, and BackupAndRestore saves it, so a resumed run (fewer steps left) trains on the same
path as the run it resumes (compiled and eager steps can differ in the last bits).
"""
from cornu.layers.core.input_layer import InputLayer
from cornu.trainers.data_adapters.arrays import ArrayAdapter

COMPILE_SECONDS = {"cpu": 25.0, "cuda": 60.0}  # a cold compile of a small model's step
SAVED_SECONDS_PER_LAYER = 1e-4  # eager dispatch a compiled step saves, per layer and step
PAYBACK = 2.0  # the saving must be this many times the compile time
MAX_LAYERS = 50  # layers counted at most (a big model's layers are compute, not dispatch)
MIN_STEPS = int(PAYBACK * COMPILE_SECONDS["cpu"] / (SAVED_SECONDS_PER_LAYER * MAX_LAYERS))


def threshold_steps(layers, device):
    """The fewest steps for which compiling pays (None: never, on this device)."""
    compile_seconds = COMPILE_SECONDS.get(device)
    if compile_seconds is None:
        return None
    saved = SAVED_SECONDS_PER_LAYER * max(1, min(int(layers), MAX_LAYERS))
    return int(-(-PAYBACK * compile_seconds // saved))


def choose_compile(steps, layers, device, static=True):
    """`(compile, reason)` for a call of `steps` full batches (None: not known)."""
    if steps is None or not static:
        return False, "batch shapes not known before the call"
    needed = threshold_steps(layers, device)
    if needed is None:
        return False, f"no compile cost known for {device}"
    if steps < needed:
        return False, f"{steps:,} steps; compiling pays from {needed:,} on {device}"
    return True, f"{steps:,} steps; compiling pays from {needed:,} on {device}"


def configure(model, jit_compile, run_eagerly):
    """What `compile()` stores: `jit_compile` True (compile), False, or "auto" (decided per
    `fit`; `model.jit_compile` is then False, as Keras 3 resolves "auto" on torch)."""
    model.jit_compile = jit_compile is True and not run_eagerly
    model._jit_auto = jit_compile == "auto" and not run_eagerly


def _full_batches(adapter):
    """How many batches of one epoch have `batch_size` rows (the others would recompile)."""
    n, bs, steps = adapter.num_samples, adapter.batch_size, adapter.steps_per_epoch
    if not n or bs >= n:
        return steps  # every batch is all the data
    if steps * bs <= n + bs - 1:  # one pass (ArrayAdapter.batches)
        return min(steps, n // bs)
    return sum(1 for step in range(steps) if (step * bs) % n + bs <= n)


def _layers(model):
    """The layers that compute: those with no sublayers, but `InputLayer`s."""
    count, stack, seen = 0, [model], set()
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        inner = list(layer._sublayers()) if hasattr(layer, "_sublayers") else []
        if not inner and not isinstance(layer, InputLayer):
            count += 1
        stack.extend(inner)
    return count


def decide(model, loop, adapter, epochs, initial_epoch, distributed=False):
    """The choice for one `fit`: a dict with `compile`, `auto` and what it read."""
    if not model.__dict__.get("_jit_auto", False):
        return {"compile": bool(model.jit_compile), "auto": False}
    choice = {"compile": False, "auto": True, "steps": None, "layers": None, "device": None}
    first = next(model.parameters(), None)
    why = None
    if not getattr(loop, "builtin", False):
        why = "the model's own train step runs eagerly under 'auto'"
    elif distributed:
        why = "several processes train eagerly"
    elif first is None or not any(p.requires_grad for p in model.parameters()):
        why = "no trainable weights"
    elif not isinstance(adapter, ArrayAdapter):
        why = "batch shapes not known before the call"
    if why is not None:
        return dict(choice, reason=why)
    steps = _full_batches(adapter) * max(0, int(epochs) - int(initial_epoch or 0))
    device = first.device.type
    choice.update(steps=steps, device=device)
    if steps < MIN_STEPS and device in COMPILE_SECONDS:  # (no model pays: layers not counted)
        return dict(choice, reason=f"{steps:,} steps; compiling pays from {MIN_STEPS:,} at "
                                   f"the least on {device}")
    layers = _layers(model)
    compile_, why = choose_compile(steps, layers, device)
    return dict(choice, compile=compile_, layers=layers, reason=why)


def describe(choice, report=None):
    """The line `fit(verbose=2)` prints."""
    if not choice.get("compile"):
        return f"Compile: eager (jit_compile='auto': {choice['reason']})"
    line = f"Compile: the train step compiled (jit_compile='auto': {choice['reason']})"
    if report and report.get("fallback"):
        return f"{line}; failed, training eagerly: {report['fallback']}"
    if report and report.get("compiles"):
        line += f"; compiling took {report['compile_seconds']:.1f} s"
    return line


def enter(model, loop, adapter, epochs, initial_epoch, verbose, distributed=False):
    """Starts a `fit` under the policy: the choice, kept on the model for the call (the loop
    reads it at its first batch, after BackupAndRestore may have replaced it)."""
    choice = decide(model, loop, adapter, epochs, initial_epoch, distributed)
    choice["outer"] = model.__dict__.get("_jit_choice")  # (a fit inside a fit's callback)
    if choice["auto"]:
        choice["printed"] = verbose != 2
        if not choice["compile"] and not choice["printed"]:
            print(describe(choice), flush=True)
            choice["printed"] = True
    model.__dict__["_jit_choice"] = choice
    return choice


def compiles(model):
    """Whether the call in progress compiles the built-in step (and the step runs under
    "auto": quiet fallback, partial batches eager)."""
    choice = model.__dict__.get("_jit_choice")
    if choice is None:
        return bool(model.jit_compile), False
    return bool(choice["compile"]), bool(choice["auto"])


def compiled(model, report):
    """Called by the auto step once it compiled or gave up: prints the line (`verbose=2`)."""
    choice = model.__dict__.get("_jit_choice")
    if choice is not None and choice["auto"] and not choice["printed"]:
        choice["printed"] = True
        print(describe(choice, report), flush=True)


def leave(model, entered):
    """Ends the call: the choice as `History.jit` records it (with the compile seconds and
    fallback of the compiled step, where it compiled)."""
    if entered is None:
        return None
    outer = entered.get("outer")
    if outer is None:
        model.__dict__.pop("_jit_choice", None)
    else:
        model.__dict__["_jit_choice"] = outer
    choice = {k: v for k, v in entered.items() if k not in ("printed", "outer")}
    if choice["compile"]:
        report = model._jit_report or {}
        choice.update(compile_seconds=report.get("compile_seconds", 0.0),
                      fallback=report.get("fallback"))
        if entered.get("printed") is False:
            print(describe(choice, report), flush=True)
    return choice

