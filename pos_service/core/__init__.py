"""What every domain uses: database, events, money, auth, idempotency, errors."""
