"""What fit/evaluate/predict print: the tf.keras 2 text of the course notes."""
import re

import numpy as np

import cornu
from cornu.layers import Dense
from cornu.utils.progbar import Progbar, format_time_per_unit, format_value

BAR = re.compile(r"^(\d+)/(\d+) \[(=*)(>?)(\.*)\] - \d+s \d+(us|ms|s)/step( - \w+: [\d.e+-]+)*$")


def _model():
    model = cornu.Sequential([Dense(2, input_shape=(3,), activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_verbose_1_off_terminal_prints_one_line_per_epoch(capsys):
    x = np.random.rand(100, 3)
    y = cornu.utils.to_categorical(np.arange(100) % 2)
    _model().fit(x, y, epochs=2, batch_size=10, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    match = BAR.match(lines[1])
    assert match, lines[1]
    assert match.group(1) == "10" and match.group(2) == "10"
    assert match.group(3) == "=" * 30
    assert lines[1].endswith(tuple(f"accuracy: {v}" for v in re.findall(r"accuracy: ([\d.]+)", lines[1])))
    assert " - loss: " in lines[1]


def test_fit_verbose_2_prints_epoch_lines(capsys):
    x = np.random.rand(20, 3)
    y = cornu.utils.to_categorical(np.arange(20) % 2)
    _model().fit(x, y, epochs=1, batch_size=10, verbose=2, validation_data=(x, y))
    line = capsys.readouterr().out.splitlines()[-1]
    assert re.match(r"^2/2 - \d+s - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - "
                    r"val_accuracy: [\d.]+ - \d+s/epoch - \d+(us|ms|s)/step$", line), line


def test_evaluate_and_predict_print_their_bars(capsys):
    x = np.random.rand(20, 3)
    y = cornu.utils.to_categorical(np.arange(20) % 2)
    model = _model()
    model.evaluate(x, y)
    model.predict(x)
    model.fit(x, y, verbose=0)
    model.predict(x, verbose=0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert BAR.match(lines[0]) and lines[0].startswith("1/1 [") and "accuracy" in lines[0]
    assert BAR.match(lines[1]) and " - loss" not in lines[1]


def test_dynamic_bar_redraws_in_place(capsys, monkeypatch):
    monkeypatch.setenv("CORNU_PROGBAR", "dynamic")
    bar = Progbar(4, interval=0)
    for step in range(1, 5):
        bar.update(step, [("loss", 0.5 / step)])
    out = capsys.readouterr().out
    assert out.count("\r") == 4 and out.endswith("\n")
    assert "2/4 [==============>...............] - ETA: " in out


def test_value_and_time_formats():
    assert format_value(0.60921) == "0.6092"
    assert format_value(0.0001234) == "1.2340e-04"
    assert format_time_per_unit(0.006) == "6ms/step"
    assert format_time_per_unit(0.0002) == "200us/step"
    assert format_time_per_unit(2.2) == "2s/step"
