"""The one check that a bare yes or no, typed where a city is asked, names no city."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker

from actions.slots import only_yes_or_no


# Both forms ask for a city: the self-check read yes/no by the intent, the draft by
# the words. One check now serves both: either reading makes a bare yes or no, and
# a city of the gazetteer named exactly so is a city all the same.
@pytest.mark.parametrize(
    ("text", "intent", "language", "bare"),
    [
        ("yes", "affirm", "en", True),  # a name of Yasuj, Iran in the gazetteer
        ("No", "deny", "en", True),  # a name of Ho, Ghana
        ("Oui", "inform", "fr", True),  # the words, whatever the NLU said
        ("no sé", "inform", "es", True),
        ("sure", "check_eligibility", "en", True),
        ("Nan", "deny", "fr", False),  # Nan, Thailand: "nan" is also French for no
        ("Laval", "affirm", "fr", False),  # the NLU's affirm on a city's name
        ("yes we are from Laval", "affirm", "en", False),  # more than a yes
    ],
)
async def test_a_bare_yes_or_no_is_no_city(text, intent, language, bare):
    tracker = make_tracker(text, intent, language=language)
    assert await only_yes_or_no(tracker, text) is bare


async def test_a_city_named_with_the_yes_is_a_city():
    tracker = make_tracker(
        "yes, Ottawa", "affirm", entities=[{"entity": "city", "value": "Ottawa"}]
    )
    assert await only_yes_or_no(tracker, "Ottawa") is False
