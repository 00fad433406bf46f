"""The course notes' next-word LSTM runs unchanged (typos fixed) with `cornu run`."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_notes_next_word_lstm_learns_the_sentence():
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-m", "cornu", "run",
                             "examples/notes/next_word_lstm.py"], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "{1: 'is', 2: 'a', 3: 'this', 4: 'small', 5: 'hi', 6: 'sentence'}"
    assert " lstm (LSTM)                 (None, 8)                 544       " in lines
    assert "Total params: 735" in lines
    assert lines[-2:] == ["accuracy: 1.0", "this is -> a"]
