"""What every domain uses: db, events, money, auth, idempotency, errors."""
