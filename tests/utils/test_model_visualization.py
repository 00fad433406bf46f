import shutil

import pytest

import cornu
from cornu.utils import model_to_dot, plot_model


def _model():
    return cornu.Sequential([cornu.layers.Dense(4, input_shape=(3,), activation="relu"),
                             cornu.layers.Dense(1)])


def test_dot_has_every_layer_and_edge():
    dot = model_to_dot(_model(), show_shapes=True).to_string()
    assert "dense: Dense" in dot and "dense_1: Dense" in dot and "InputLayer" in dot
    assert dot.count("->") == 2 and "(None, 4)" in dot


def test_plot_model_writes_dot_and_png(tmp_path):
    plot_model(_model(), to_file=str(tmp_path / "model.dot"))
    assert (tmp_path / "model.dot").read_text().startswith("digraph G {")
    if shutil.which("dot") is None:
        with pytest.raises(ImportError, match="graphviz"):
            plot_model(_model(), to_file=str(tmp_path / "model.png"))
    else:
        plot_model(_model(), to_file=str(tmp_path / "model.png"), show_shapes=True)
        assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_keras1_visualize_util_plot():
    cornu.install_as_keras()
    try:
        from keras.utils.visualize_util import plot
        assert plot is plot_model
    finally:
        import sys
        for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
            del sys.modules[name]
        sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "KerasAliasFinder"]
