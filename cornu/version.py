"""cornu's version, in a module that imports nothing (saving writes it into every file)."""
__version__ = "0.1.0"
