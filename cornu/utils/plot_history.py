"""`plot_history`: the learning curves the course notes draw by hand, as one matplotlib Figure."""

__all__ = ["plot_history"]


def plot_history(history, metrics=None, figsize=None):
    """Draws each metric per epoch, training and validation, one panel per metric.

    Args:
        history: what `fit` returned (a History), or its `.history` dict.
        metrics: names to draw (default: every metric logged, `loss` first); `val_<name>` is
            drawn beside `<name>` when it was logged. Any era's name finds a metric
            (`acc`/`accuracy`), as History does.
        figsize: the Figure's size in inches (default 5 x 3.5 per panel).

    Returns:
        A `matplotlib.figure.Figure` (save it with `fig.savefig("curves.png")`).

    Example:
        fig = cornu.utils.plot_history(model.fit(x, y, validation_split=0.2, epochs=10))
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plot_history needs matplotlib: `pip install matplotlib`.") from None
    logs = history.history if hasattr(history, "history") else history
    if not hasattr(logs, "keys") or not logs:
        raise ValueError("plot_history takes the History that fit() returned (or its .history "
                         f"dict) with at least one metric; got {type(history).__name__}.")
    if metrics is None:
        metrics = [k for k in logs.keys() if not k.startswith("val_")] or \
            [k[4:] for k in logs.keys()]
        metrics.sort(key=lambda k: k != "loss")
    elif isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    n = len(metrics)
    fig = Figure(figsize=figsize or (5.0 * n, 3.5))
    FigureCanvasAgg(fig)
    for i, name in enumerate(metrics):
        ax = fig.add_subplot(1, n, i + 1)
        drawn = False
        for key, label in ((name, "train"), ("val_" + name, "validation")):
            values = _lookup(logs, key)
            if values is not None:
                ax.plot(range(1, len(values) + 1), [float(v) for v in values], label=label,
                        marker="o" if len(values) < 20 else None, markersize=3)
                drawn = True
        if not drawn:
            raise ValueError(f"plot_history: no metric {name!r} in the history (it has "
                             f"{sorted(logs.keys())}).")
        ax.set_title(f"model {name}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best")
    fig.tight_layout()
    return fig


def _lookup(logs, key):
    try:
        return logs[key]  # a History's dict also finds other eras' names
    except KeyError:
        return None
