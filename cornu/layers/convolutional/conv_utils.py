"""Temporary re-export (until the merge window closes): the helpers live in `cornu.utils.conv_utils`."""
from cornu.utils.conv_utils import *  # noqa: F401,F403
from cornu.utils.conv_utils import _shape_text  # noqa: F401
