"""actions/names.py and the domain agree, and every response speaks en/fr/es."""

from __future__ import annotations

from actions import names


def test_every_response_named_in_code_exists_in_the_domain(domain):
    constants = [
        value
        for key, value in vars(names).items()
        if key.startswith("UTTER_") and not key.endswith("_PREFIX")
    ]
    constants += [f"{names.UTTER_VERDICT_PREFIX}{v}" for v in names.VERDICTS]
    missing = [name for name in constants if name not in domain["responses"]]
    assert missing == []


def test_every_action_named_in_code_is_declared(domain):
    actions = [v for k, v in vars(names).items() if k.startswith("ACTION_")]
    assert sorted(set(actions) - set(domain["actions"])) == []


def test_every_response_has_french_and_spanish_and_an_english_default(domain):
    for name, variations in domain["responses"].items():
        langs = {
            c["value"]
            for v in variations
            for c in v.get("condition", [])
            if c["name"] == "language"
        }
        defaults = [v for v in variations if not v.get("condition")]
        assert langs == {"fr", "es"}, name
        assert len(defaults) == 1, name
