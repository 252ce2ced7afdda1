"""``pos-service init``: the first venue from the command line, percentages without
floating point, and nothing asked when told not to ask."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator

import asyncpg
import pytest

from pos_service import cli
from tests.support.database import ROOT, _psql, server_url
from tests.support.servers import secret_key_file

FLAGS = [
    "init",
    "--name",
    "Corner Bistro",
    "--slug",
    "corner",
    "--currency",
    "usd",
    "--timezone",
    "America/New_York",
    "--tax-mode",
    "exclusive",
    "--tax-rate",
    "nyc=8.875",
    "--service-charge",
    "18",
    "--service-charge-min-covers",
    "6",
    "--owner-name",
    "Rosa",
    "--no-input",
]


@pytest.mark.parametrize(
    ("text", "ppm"), [("8.875", 88750), ("7", 70000), ("21%", 210000), ("0.0001", 1)]
)
def test_percentages_become_parts_per_million_exactly(text: str, ppm: int) -> None:
    assert cli.percent_ppm(text) == ppm


@pytest.mark.parametrize("text", ["8.87501", "abc", "101", "-1"])
def test_bad_percentages_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        cli.percent_ppm(text)


def test_init_without_input_names_what_is_missing() -> None:
    args = cli.parser().parse_args(["init", "--name", "X", "--no-input"])
    with pytest.raises(SystemExit, match="--slug is required"):
        cli.init_request(args, None)


def test_init_asks_for_what_the_flags_lack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_OWNER_PIN", "2580")
    args = cli.parser().parse_args(FLAGS[:3])
    answers = iter(["bistro", "EUR", "Europe/Berlin", "inclusive", "Anna", "food=7"])
    request = cli.init_request(args, lambda _question: next(answers))
    assert request["venue"] == {
        "name": "Corner Bistro",
        "slug": "bistro",
        "currency": "EUR",
        "timezone": "Europe/Berlin",
        "locale": "en",
        "tax_mode": "inclusive",
        "tax_rates": [{"name": "food", "rate_ppm": 70000}],
        "day_cutoff": "04:00:00",
        "service_charge": {"rate_bp": 0, "min_covers": 0},
    }
    assert request["owner"] == {"name": "Anna", "pin": "2580"}


@pytest.fixture
def scratch(worker_id: str) -> Iterator[str]:
    name = f"pos_init_{worker_id}"
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    yield server_url(name)
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')


async def run_init(url: str, *flags: str) -> tuple[int, str]:
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "POS_SECRET_KEY_FILE": secret_key_file("k"),
        "POS_OWNER_PIN": "4321",
        "POS_ARGON2_TIME_COST": "1",
        "POS_ARGON2_MEMORY_KIB": "8",
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pos_service.cli", *flags),
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


@pytest.mark.timeout(120)
async def test_init_sets_the_first_venue_up_once(scratch: str) -> None:
    code, out = await run_init(scratch, *FLAGS)
    assert code == 0, out
    assert "pos-service pair --venue corner" in out
    connection = await asyncpg.connect(scratch)
    try:
        venue = await connection.fetchrow("SELECT currency, tax_inclusive, settings FROM venues")
        owner = await connection.fetchrow("SELECT name, roles FROM staff")
    finally:
        await connection.close()
    assert venue is not None and owner is not None
    assert (venue["currency"], venue["tax_inclusive"]) == ("USD", False)
    assert '"rate_ppm": 88750' in venue["settings"]
    assert (owner["name"], owner["roles"]) == ("Rosa", ["manager", "owner"])

    code, out = await run_init(scratch, *FLAGS)
    assert code == 1
    assert "has a venue already" in out


@pytest.mark.timeout(120)
async def test_init_refuses_bad_input_naming_it(scratch: str) -> None:
    flags = [*FLAGS]
    flags[flags.index("America/New_York")] = "Mars/Base"
    code, out = await run_init(scratch, *flags)
    assert code == 1
    assert "venue.timezone" in out
