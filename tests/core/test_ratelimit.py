"""The public pages' request windows: a flood is told when to come back."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pos_service.core import qr
from pos_service.core.ratelimit import Windows


def test_a_key_past_its_limit_is_told_how_long_to_wait() -> None:
    windows = Windows(seconds=60)
    assert [windows.hit("address:a", 3) for _ in range(3)] == [None, None, None]
    wait = windows.hit("address:a", 3)
    assert wait is not None and 1 <= wait <= 61
    assert windows.hit("address:b", 3) is None  # another address is not charged


def test_a_new_window_forgives_the_old_one() -> None:
    windows = Windows(seconds=0.0)
    assert windows.hit("k", 1) is None
    assert windows.hit("k", 1) is None  # each hit starts a new, empty window


def test_a_qr_code_is_an_svg_image_of_its_link() -> None:
    one = qr.svg("https://pos.example/g/abc", title="Table 12")
    root = ET.fromstring(one)
    assert root.tag.endswith("svg") and root.get("width") == root.get("height")
    assert "Table 12" in one
    assert qr.svg("https://pos.example/g/abd") != qr.svg("https://pos.example/g/abc")
