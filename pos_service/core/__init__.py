"""What every domain uses: database, events, money, auth."""
