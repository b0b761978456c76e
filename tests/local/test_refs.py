"""nemo_skill/local/refs.py: drafts name uploaded files with no host and no port."""

from __future__ import annotations

import copy

from nemo_skill.local.refs import file_ref, ref_sha, stable_ref, with_stable_refs

SHA = "ab" * 32


def test_a_reference_has_no_host_and_no_port() -> None:
    ref = file_ref(SHA, "beach day.jpg")
    assert ref == f"/files/{SHA}/beach%20day.jpg"
    assert "://" not in ref and "127.0.0.1" not in ref
    assert ref_sha(ref) == SHA


def test_an_old_url_with_a_port_reads_as_the_same_reference() -> None:
    old = f"http://127.0.0.1:51234/files/{SHA}/beach%20day.jpg"
    assert stable_ref(old) == file_ref(SHA, "beach day.jpg")
    assert ref_sha(old) == SHA
    # Other sources are left as they are: local paths, other URLs, signed URLs.
    for other in ("/tmp/photo.jpg", "https://cdn.example.com/a.jpg", f"{old}?sig=1"):
        assert stable_ref(other) == other
    assert ref_sha("/tmp/photo.jpg") is None and ref_sha("/files/not-a-hash/x.jpg") is None


def test_an_old_draft_gets_references_and_is_not_modified_in_place() -> None:
    old = f"http://127.0.0.1:40000/files/{SHA}/p.jpg"
    draft = {
        "m": {"fps": 30},
        "t": [
            {"tt": 0, "sg": [{"id": "a", "src": old, "name": "p.jpg"}, {"id": "b"}]},
            {"tt": 2, "sg": [{"id": "c", "text": "Hi"}]},
            "junk",
        ],
    }
    before = copy.deepcopy(draft)
    fixed = with_stable_refs(draft)
    assert fixed["t"][0]["sg"][0] == {"id": "a", "src": f"/files/{SHA}/p.jpg", "name": "p.jpg"}
    assert fixed["t"][0]["sg"][1] == {"id": "b"} and fixed["t"][1:] == draft["t"][1:]
    assert draft == before
    assert with_stable_refs(None) is None and with_stable_refs({"t": "x"}) == {"t": "x"}
