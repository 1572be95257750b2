"""Offers: recurring programme items, their occurrences and the room bookings these hold."""
