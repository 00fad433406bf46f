"""Everything legacy: argument tables, old module paths, and the `keras` import alias."""
from cornu.compat.arguments import LegacyWarning, translate, translate_positional

__all__ = ["LegacyWarning", "translate", "translate_positional"]
