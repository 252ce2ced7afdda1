"""The SMTP settings come from ``POS_SMTP_*``; the password only from its file."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from pos_service.config import Settings
from pos_service.mail.service import config_from


def test_smtp_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    password = tmp_path / "smtp_password"
    password.write_text("s3cret\n")
    key = tmp_path / "secret_key"
    key.write_text("k")
    monkeypatch.setenv("POS_SECRET_KEY_FILE", str(key))
    for name in ("HOST", "PORT", "USER", "PASSWORD_FILE", "TLS", "FROM"):
        monkeypatch.delenv(f"POS_SMTP_{name}", raising=False)
    plain = config_from(Settings.from_env())
    assert (plain.host, plain.port, plain.tls, plain.password) == (None, 587, "starttls", None)

    monkeypatch.setenv("POS_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("POS_SMTP_PORT", "465")
    monkeypatch.setenv("POS_SMTP_USER", "pos")
    monkeypatch.setenv("POS_SMTP_PASSWORD_FILE", str(password))
    monkeypatch.setenv("POS_SMTP_TLS", "tls")
    monkeypatch.setenv("POS_SMTP_FROM", "bills@example.com")
    config = config_from(Settings.from_env())
    assert (config.host, config.port, config.user, config.password) == (
        "smtp.example.com",
        465,
        "pos",
        "s3cret",
    )
    assert (config.tls, config.sender) == ("tls", "bills@example.com")

    monkeypatch.setenv("POS_SMTP_TLS", "sometimes")
    with pytest.raises(msgspec.ValidationError, match="smtp_tls"):
        Settings.from_env()
