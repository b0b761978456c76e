"""The skill's own reply words: every row in six languages, with the same placeholders."""

from __future__ import annotations

from string import Formatter

import pytest

from nemo_skill import wording
from nemo_skill.delivery import STEP_LABELS
from nemo_skill.timeline import FIELD_WORDS, SETTING_WORDS, TEXT_LABELS


def placeholders(template: str) -> set[str]:
    """The values a template needs (``label_lower`` is ``label`` in a language's case)."""
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    return {"label" if name == "label_lower" else name for name in names}


@pytest.mark.parametrize("key", sorted(wording.SENTENCES))
def test_every_sentence_has_six_languages_with_the_english_placeholders(key: str) -> None:
    row = wording.SENTENCES[key]
    assert set(row) == set(wording.LANGUAGES)
    for lang, template in row.items():
        assert placeholders(template) == placeholders(row["en"]), (key, lang)


def test_every_word_the_diff_and_the_step_labels_use_is_in_five_more_languages() -> None:
    used = {*FIELD_WORDS.values(), *SETTING_WORDS.values(), *TEXT_LABELS.values(),
            *STEP_LABELS.values(), "Video", "Music", "Timeline", "none"}  # fmt: skip
    for english in used:
        assert set(wording.WORDS.get(english, {})) == set(wording.LANGUAGES) - {"en"}, english
        assert len({wording.word(english, lang) for lang in wording.LANGUAGES}) >= 2, english


@pytest.mark.parametrize(("code", "spoken"), [("zh", "zh"), ("ja", "ja"), ("ko", "en"),
                                               ("", "en"), (None, "en")])  # fmt: skip
def test_a_language_outside_the_six_is_english(code: str | None, spoken: str) -> None:
    assert wording.language(code) == spoken
    assert wording.say("next", code) == wording.SENTENCES["next"][spoken]
    assert wording.word("duration", code) == ("duration" if spoken == "en" else
                                              wording.WORDS["duration"][spoken])  # fmt: skip
