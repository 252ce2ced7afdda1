"""BENCHMARKS.md: each figure beside its target and verdict; the text around it is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import report
from bench.stats import Figure, Target


def test_each_figure_stands_beside_its_target_and_the_analysis_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "BENCHMARKS.md"
    page.write_text(f"# Benchmarks\n\nWhy it misses.\n\n{report.START}\nold\n{report.END}\nEnd.\n")
    monkeypatch.setattr(report, "BENCHMARKS", page)
    monkeypatch.setattr(report, "VAR", tmp_path)
    monkeypatch.setattr(report, "RESULTS", tmp_path / "results.json")
    results = report.load()
    figures = [
        Figure("ceiling: sends/s with p99 <= 50 ms", "/s", [25, 0, 60], Target(400, True)),
        Figure("ceiling / floor", "%", [8.9, 0.0, 21.0], Target(50, True)),
        Figure("catch-up", "ms", [41.5, 36.2, 48.8], Target(100)),
        Figure("floor", "/s", [282, 249, 285]),
    ]
    options = {"repeats": 3, "command": ".venv/bin/python -m bench run --scenario ceiling"}
    report.record(results, "ceiling", "2. Ceiling", figures, [], options)
    report.save(results, ["ceiling"])

    text = page.read_text()
    assert text.startswith("# Benchmarks\n\nWhy it misses.\n") and text.endswith("End.\n")
    assert "old" not in text
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if " | " in line}
    assert (
        "| 25/s | 0/s | 60/s | >= 400/s | **missed** |"
        in rows["ceiling: sends/s with p99 <= 50 ms"]
    )
    assert "| 8.90 % | 0.00 % | 21.0 % | >= 50.0 % | **missed** |" in rows["ceiling / floor"]
    assert "| <= 100 ms | met |" in rows["catch-up"]
    assert "| 282/s | 249/s | 285/s |  |  |" in rows["floor"]
    assert "command .venv/bin/python -m bench run --scenario ceiling" in text
