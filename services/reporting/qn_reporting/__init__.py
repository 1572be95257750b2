"""Quartiersnetz reporting: the sealed statistics office."""

__version__ = "1.0.0"
