"""Quartiersnetz intake: the first point of contact."""

__version__ = "1.0.0"
