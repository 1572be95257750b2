"""Quartiersnetz scheduling: drop-in centres (Angebotstreffs), their rooms and room bookings."""

__version__ = "1.0.0"
