"""Shared test helpers: real databases, a real nats-server, tokens, service processes."""
