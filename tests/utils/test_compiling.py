"""`eager_under_compile`: inside a compiled step a marked method runs eagerly (its Python state
is neither guarded on nor recompiled for); outside one it is the plain method."""
import torch

from cornu.utils.compiling import compiled_step, eager_under_compile


class Counter:
    def __init__(self):
        self.count = 0
        self.total = torch.zeros(())

    @eager_under_compile
    def update(self, value):
        self.count += 1  # a Python int Dynamo would guard on, recompiling at every call
        self.total = self.total + value * self.count


def test_a_marked_method_runs_eagerly_in_a_compiled_step_and_never_recompiles():
    from torch._dynamo.utils import counters
    counter, reference = Counter(), Counter()
    torch._dynamo.reset()
    before = counters["stats"]["unique_graphs"]  # (a global count: earlier tests' graphs too)

    def step(x):
        y = x * 2
        counter.update(y.sum())
        return y + 1

    compiled = torch.compile(step, backend="eager")
    for i in range(5):
        x = torch.full((3,), float(i))
        with compiled_step():
            out = compiled(x)
        torch.testing.assert_close(out, x * 2 + 1)
        reference.update((x * 2).sum())
    assert counter.count == 5
    torch.testing.assert_close(counter.total, reference.total)
    assert counters["stats"]["unique_graphs"] - before <= 2  # the pieces around it, once


def test_outside_a_compiled_step_it_is_the_method():
    counter = Counter()
    counter.update(torch.tensor(2.0))
    assert counter.count == 1 and float(counter.total) == 2.0
    assert Counter.update.__name__ == "update" and Counter.update.eager_under_compile
    assert eager_under_compile(Counter.update) is Counter.update
