"""plot_model without Graphviz (cornu's layered matplotlib drawing) and with it; model_to_dot;
plot_history. The pictures' text is read back from SVG: every layer name, shape and arrow."""
import re
import shutil

import numpy as np
import pytest

import cornu
from cornu import layers as L
from cornu.utils import model_to_dot, plot_history, plot_model
from cornu.utils import model_visualization as mv

pytest.importorskip("matplotlib")


@pytest.fixture
def no_graphviz(monkeypatch):
    real = shutil.which
    monkeypatch.setattr(mv.shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name))


def _cnn():
    return cornu.Sequential([L.Input((28, 28, 1)), L.Conv2D(8, 3, activation="relu", name="conv"),
                             L.MaxPooling2D(name="pool"), L.Flatten(name="flat"),
                             L.Dense(10, activation="softmax", name="probs")])


def _two_inputs():
    a, b = L.Input((16,), name="text"), L.Input((4,), name="meta")
    c = L.Concatenate(name="join")([L.Dense(8, name="text_dense")(a), L.Dense(8, name="meta_dense")(b)])
    return cornu.Model([a, b], [L.Dense(1, name="priority")(c), L.Dense(3, name="dept")(c)])


def _nested():
    inner = cornu.Sequential([L.Input((8,)), L.Dense(4, name="inner_a"), L.Dense(2, name="inner_b")],
                             name="block")
    x = L.Input((8,), name="x")
    return cornu.Model(x, L.Dense(1, name="head")(inner(x)))


def _svg_text(path):
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", open(path).read())]


MODELS = {"cnn": (_cnn, ["conv: Conv2D", "pool: MaxPooling2D", "flat: Flatten", "probs: Dense"], 4),
          "two_inputs": (_two_inputs, ["text: InputLayer", "meta: InputLayer", "join: Concatenate",
                                       "priority: Dense", "dept: Dense"], 6),
          "nested": (_nested, ["x: InputLayer", "block: Sequential", "head: Dense"], 2)}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_without_graphviz_svg_has_every_box_label_and_arrow(no_graphviz, tmp_path, name):
    build, titles, n_edges = MODELS[name]
    model = build()
    path = tmp_path / f"{name}.svg"
    plot_model(model, str(path), show_shapes=True)
    text = _svg_text(path)
    for title in titles:
        assert title in text, (title, text)
    for layer in model.layers:
        assert f"output: {mv._shape(layer.output_shape)}" in text
    dot = model_to_dot(model, show_shapes=True, _cornu_dot=True)
    assert len(dot.edges) == n_edges and len(dot.nodes) == len(model.layers) + \
        (1 if name == "cnn" else 0)


@pytest.mark.parametrize("ext,magic", [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF"), ("jpg", b"\xff\xd8")])
def test_without_graphviz_png_pdf_jpg(no_graphviz, tmp_path, ext, magic):
    path = tmp_path / f"m.{ext}"
    plot_model(_two_inputs(), str(path), show_shapes=True, rankdir="LR", dpi=72)
    assert path.read_bytes()[:len(magic)] == magic


def test_png_size_follows_dpi(no_graphviz, tmp_path):
    from PIL import Image
    plot_model(_cnn(), str(tmp_path / "a.png"), dpi=48)
    plot_model(_cnn(), str(tmp_path / "b.png"), dpi=96)
    small, big = Image.open(tmp_path / "a.png").size, Image.open(tmp_path / "b.png").size
    assert abs(big[0] - 2 * small[0]) <= 2 and abs(big[1] - 2 * small[1]) <= 2


def test_options_add_their_rows(no_graphviz, tmp_path):
    model = _cnn()
    model.layers[0].trainable = False
    path = tmp_path / "m.svg"
    plot_model(model, str(path), show_dtype=True, show_trainable=True,
               show_layer_activations=True, show_layer_names=False)
    text = _svg_text(path)
    assert "Conv2D (relu)" in text and "Dense (softmax)" in text
    assert "dtype: float32" in text and "trainable: F" in text and "trainable: T" in text
    assert not any(t.startswith("conv:") for t in text)
    assert not any(t.startswith("input:") for t in text)  # show_shapes defaults to False


def test_expand_nested_draws_the_inner_layers_in_a_group(no_graphviz, tmp_path):
    path = tmp_path / "m.svg"
    plot_model(_nested(), str(path), expand_nested=True)
    text = _svg_text(path)
    assert "inner_a: Dense" in text and "inner_b: Dense" in text and "block" in text
    dot = model_to_dot(_nested(), expand_nested=True, _cornu_dot=True)
    titles = {n[0]: n[1] for n in dot.nodes}
    edges = {(titles[a].split(":")[0], titles[b].split(":")[0]) for a, b in dot.edges}
    assert ("inner_b", "head") in edges and ("inner_a", "inner_b") in edges
    assert 'subgraph "cluster_block"' in dot.to_string()


@pytest.mark.parametrize("rankdir", ["TB", "LR", "BT", "RL"])
def test_rankdir_orders_the_boxes(rankdir):
    from cornu.utils.graph_drawing import _layout_lr, _oriented, layout
    dot = model_to_dot(_cnn(), _cornu_dot=True)
    boxes = _layout_lr(dot.nodes, dot.edges) if rankdir in ("LR",) else \
        _oriented(layout(dot.nodes, dot.edges), rankdir)
    first, last = boxes[dot.nodes[0][0]], boxes[dot.nodes[-1][0]]
    axis, sign = {"TB": (1, 1), "BT": (1, -1), "LR": (0, 1), "RL": (0, -1)}[rankdir]
    assert sign * (last[axis] - first[axis]) > 0


def test_boxes_do_not_overlap():
    from cornu.utils.graph_drawing import layout
    dot = model_to_dot(_two_inputs(), show_shapes=True, _cornu_dot=True)
    boxes = list(layout(dot.nodes, dot.edges).values())
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert abs(x1 - x2) >= (w1 + w2) / 2 or abs(y1 - y2) >= (h1 + h2) / 2


def test_dot_source_and_dot_file(tmp_path):
    dot = model_to_dot(_cnn(), show_shapes=True, _cornu_dot=True).to_string()
    assert "conv: Conv2D" in dot and dot.count("->") == 4 and "(None, 26, 26, 8)" in dot
    plot_model(_cnn(), to_file=str(tmp_path / "model.dot"))
    assert (tmp_path / "model.dot").read_text().startswith("digraph G {")
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(_cnn(), rankdir="XY")
    with pytest.raises(ValueError, match="png, svg, pdf"):
        plot_model(_cnn(), to_file=str(tmp_path / "model.bmp"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed here")
def test_with_graphviz(tmp_path):
    plot_model(_cnn(), to_file=str(tmp_path / "model.png"), show_shapes=True)
    assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unbuilt_model_says_how_to_build():
    with pytest.raises(ValueError, match="built"):
        model_to_dot(cornu.Sequential([L.Dense(2)]))


def test_keras1_visualize_util_plot():
    import sys
    saved = {k: v for k, v in sys.modules.items() if k == "keras" or k.startswith("keras.")}
    cornu.install_as_keras()
    try:
        from keras.utils.visualize_util import plot
        assert plot is plot_model
    finally:  # give the real Keras (its very modules) back to the other tests
        for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
            del sys.modules[name]
        sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "KerasAliasFinder"]
        sys.modules.update(saved)


def test_plot_history_draws_train_and_validation_curves(tmp_path):
    rng = np.random.RandomState(0)
    x = rng.rand(100, 3).astype("float32")
    y = (x.sum(1) > 1.5).astype("float32")
    model = cornu.Sequential([L.Input((3,)), L.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["acc"])
    history = model.fit(x, y, validation_split=0.2, epochs=4, verbose=0)
    fig = plot_history(history)
    assert [ax.get_title() for ax in fig.axes] == ["model loss", "model acc"]
    loss_ax = fig.axes[0]
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert set(lines) == {"train", "validation"}
    np.testing.assert_allclose(lines["train"].get_ydata(), history.history["loss"])
    np.testing.assert_allclose(lines["validation"].get_ydata(), history.history["val_loss"])
    assert list(lines["train"].get_xdata()) == [1, 2, 3, 4]
    one = plot_history(history.history, metrics="accuracy")  # another era's name finds `acc`
    assert len(one.axes) == 1
    one.savefig(str(tmp_path / "curves.png"))
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="no metric 'auc'"):
        plot_history(history, metrics=["auc"])
