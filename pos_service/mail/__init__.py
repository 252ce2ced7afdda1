"""E-mail: a durable outbox per venue, sent over SMTP with retries (docs/mail.md)."""
