"""Temporary re-export (until the merge window closes): Progbar lives in `cornu.utils.progbar`."""
from cornu.utils.progbar import *  # noqa: F401,F403
from cornu.utils.progbar import Progbar, format_time_per_unit, format_value  # noqa: F401
