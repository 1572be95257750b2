"""Quartiersnetz matching: neighbourly help (Nachbarschaftshilfe)."""

__version__ = "1.0.0"
