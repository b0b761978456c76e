"""Client-chosen ids (``nemo_skill.ids``)."""

from __future__ import annotations

import re

from nemo_skill.ids import new_render_id


def test_render_ids_keep_the_documented_form_and_never_collide() -> None:
    ids = {new_render_id(now=lambda: 1700000000.123) for _ in range(1000)}
    assert len(ids) == 1000  # the same millisecond, still unique
    assert all(re.fullmatch(r"render_1700000000123_[0-9a-f]{16}", i) for i in ids)
