"""The training engine: `Trainer` (compile, fit, evaluate, predict), data adapters, compiled steps."""
