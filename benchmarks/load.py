"""`--under-load`: the suite with one core taken by another process, as on a laptop running a
browser or a CI runner shared with other jobs. A busy loop runs in a subprocess for the whole
run and is killed when the run ends, however it ends (an error, Ctrl-C)."""
import contextlib
import subprocess
import sys

BUSY_LOOP = "while True: pass"


@contextlib.contextmanager
def busy_cores(count):
    """Runs `count` busy-loop processes (one core each) while the block runs; yields a label
    for the results ("" for none)."""
    processes = []
    try:
        for _ in range(count):
            processes.append(subprocess.Popen([sys.executable, "-c", BUSY_LOOP],
                                              stdin=subprocess.DEVNULL))
        yield f"{count} core(s) busy (a busy loop per core)" if count else ""
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait()
