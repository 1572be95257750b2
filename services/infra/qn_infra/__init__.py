"""Infrastructure the Quartiersnetz services share, and nothing else: settings base, logging,
database and migrations, transactional outbox, idempotent consumers, dead-lettering, health,
metrics, auth and the embedded broker. No domain logic lives here."""
