"""Atomic file writes: the helpers live in `cornu.utils.files` (plot_model writes files too)."""
from cornu.utils.files import *  # noqa: F401,F403
from cornu.utils.files import atomic_path, remove_stale_temp_files  # noqa: F401
