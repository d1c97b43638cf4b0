"""The self-check verdict a city official sees, with its reasons, in three languages."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import pytest

from knowledge.eligibility import (
    EligibilityInput,
    Verdict,
    check_eligibility,
    load_messages,
    pick_city,
)
from knowledge.facts import CallFacts, load_call_facts
from knowledge.gazetteer import Gazetteer, get_gazetteer


@dataclass(frozen=True)
class FakeRegion:
    id: str
    names: dict[str, str]
    countries: frozenset[str]
    url: str | None
    notes: dict[str, str]


@dataclass(frozen=True)
class FakeFacts:
    """A CallFacts look-alike with values unlike the real call's, so a module that
    typed the real threshold or countries instead of reading them would fail."""

    eligible_countries: tuple[str, ...] = ("CA", "US", "MX")
    population_threshold: int = 250_000
    other_regions: tuple[FakeRegion, ...] = (
        FakeRegion(
            id="eu",
            names={"en": "EU call", "fr": "appel UE", "es": "convocatoria UE"},
            countries=frozenset({"FR", "DE"}),
            url="https://example.org/eu",
            notes={"en": "EU note.", "fr": "Note UE.", "es": "Nota UE."},
        ),
    )
    contact_email: str | None = "contact@example.org"
    contact_url: str = "https://example.org"
    programme_name: dict[str, str] = field(
        default_factory=lambda: {"en": "Prog", "fr": "Prog", "es": "Prog"}
    )


@pytest.fixture(scope="module")
def facts() -> CallFacts:
    return load_call_facts()


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return get_gazetteer()


def check(
    facts: CallFacts, gazetteer: Gazetteer, lang: str = "en", **fields: object
) -> Verdict:
    return check_eligibility(EligibilityInput(**fields), facts, gazetteer, lang)


def text(verdict: Verdict) -> str:
    return " ".join(verdict.reasons)


def test_ottawa_canada_is_encouraged_with_the_gazetteer_population(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, city="Ottawa", country="Canada")
    assert verdict.verdict == "encouraged"
    assert verdict.city is not None
    assert (verdict.city.region, verdict.city.country) == ("Ontario", "CA")
    assert f"{verdict.city.population:,}" in text(verdict)
    assert "100,000" in text(verdict)
    assert "final decision" in verdict.reasons[-1]


def test_ottawa_without_country_is_the_canadian_capital(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, city="Ottawa")
    assert verdict.verdict == "encouraged"
    assert verdict.city is not None and verdict.city.country == "CA"
    # Ottawa, Illinois stays visible so the user can correct us.
    assert any(c.region_code == "IL" for c in verdict.candidates)


def test_springfield_needs_more_info_and_lists_candidates(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, city="Springfield")
    assert verdict.verdict == "need_more_info"
    assert verdict.city is None
    assert len(verdict.candidates) >= 3
    assert "Illinois" in text(verdict) and "Missouri" in text(verdict)


def test_springfield_with_its_state_is_decided(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, city="Springfield", region="IL")
    assert verdict.verdict == "encouraged"
    assert verdict.city is not None and verdict.city.region == "Illinois"


def test_lyon_france_gets_the_eu_call(facts: CallFacts, gazetteer: Gazetteer) -> None:
    verdict = check(facts, gazetteer, city="Lyon", country="France")
    assert verdict.verdict == "wrong_region"
    assert verdict.region is not None and verdict.region.id == "eu"
    assert "IUC call for EU cities" in text(verdict)
    assert verdict.region.url and verdict.region.url in text(verdict)


def test_bogota_gets_the_latin_america_region(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, lang="es", city="Bogotá")
    assert verdict.verdict == "wrong_region"
    assert verdict.region is not None and verdict.region.id == "lac"
    assert "América Latina" in text(verdict)


def test_country_no_region_covers_points_to_the_contact(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, city="Nairobi", country="Kenya")
    assert verdict.verdict == "wrong_region"
    assert verdict.region is None
    assert facts.contact_url in text(verdict)


def test_small_town_is_below_threshold_and_may_still_apply(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(
        facts, gazetteer, city="Smallville", country="US", population=20_000
    )
    assert verdict.verdict == "below_threshold"
    reasons = text(verdict)
    assert "20,000" in reasons
    assert "may still apply" in reasons
    assert "group of municipalities" in reasons
    # The group rule is an EU-side rule in our sources, and must be called so.
    assert "only for the EU-side call" in reasons


def test_declared_group_gets_the_eu_side_caveat(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(
        facts,
        gazetteer,
        city="Tri-Cities",
        country="US",
        population=150_000,
        group_of_municipalities=True,
    )
    assert verdict.verdict == "encouraged"
    assert "combined population" in text(verdict)
    assert "only for the EU-side call" in text(verdict)


def test_user_population_wins_over_the_gazetteer(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, city="Ottawa", country="CA", population=90_000)
    assert verdict.verdict == "below_threshold"
    assert "90,000" in text(verdict)


def test_user_population_settles_an_ambiguous_city(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    verdict = check(facts, gazetteer, city="Springfield", population=200_000)
    assert verdict.verdict == "encouraged"


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        (
            {"city": "Smallville", "country": "US"},
            "number of inhabitants of Smallville",
        ),
        ({"city": "Smallville"}, "which country"),
        ({"city": "", "country": "Canada"}, "name of your city"),
        ({"city": "Ottawa", "country": "Narnia"}, "did not recognise the country"),
        ({"city": "Ottawa", "country": "CA", "population": 0}, "whole number"),
        ({"city": "Ottawa", "country": "CA", "population": -5}, "whole number"),
        ({"city": "Ottawa", "country": "CA", "population": 10**12}, "whole number"),
    ],
)
def test_missing_or_bad_input_asks_for_what_is_missing(
    facts: CallFacts, gazetteer: Gazetteer, fields: dict[str, object], missing: str
) -> None:
    verdict = check(facts, gazetteer, **fields)
    assert verdict.verdict == "need_more_info"
    assert missing in text(verdict)
    assert "final decision" in verdict.reasons[-1]


def test_reasons_in_french(facts: CallFacts, gazetteer: Gazetteer) -> None:
    verdict = check(
        facts, gazetteer, lang="fr", city="Petiteville", country="Canada",
        population=20_000,
    )  # fmt: skip
    assert verdict.verdict == "below_threshold"
    reasons = text(verdict)
    assert "100\u202f000" in reasons  # French digit grouping
    assert "groupe de municipalités" in reasons
    assert "décision finale" in reasons


def test_reasons_in_spanish(facts: CallFacts, gazetteer: Gazetteer) -> None:
    verdict = check(facts, gazetteer, lang="es", city="Ottawa", country="Canadá")
    assert verdict.verdict == "encouraged"
    assert "Canadá" in text(verdict)
    assert "decisión final" in text(verdict)


def test_unknown_language_is_a_clear_error(
    facts: CallFacts, gazetteer: Gazetteer
) -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        check(facts, gazetteer, lang="de", city="Ottawa")


def test_threshold_and_regions_come_from_the_facts(gazetteer: Gazetteer) -> None:
    fake = FakeFacts()
    # Ottawa (about a million) passes 250,000; a city of 200,000 does not.
    assert check(fake, gazetteer, city="Ottawa").verdict == "encouraged"
    below = check(fake, gazetteer, city="X", country="US", population=200_000)
    assert below.verdict == "below_threshold"
    assert "250,000" in text(below)
    lyon = check(fake, gazetteer, city="Lyon")
    assert lyon.verdict == "wrong_region"
    assert "EU call" in text(lyon) and "https://example.org/eu" in text(lyon)
    # Bogotá's country is in no region of these facts: contact instead.
    bogota = check(fake, gazetteer, city="Bogotá")
    assert bogota.region is None and "contact@example.org" in text(bogota)


def test_every_message_has_three_languages_with_the_same_placeholders() -> None:
    messages = load_messages()
    assert messages
    for key, texts in messages.items():
        assert set(texts) == {"en", "fr", "es"}, key
        fields = {
            lang: {f for _, f, _, _ in string.Formatter().parse(t) if f}
            for lang, t in texts.items()
        }
        assert fields["en"] == fields["fr"] == fields["es"], key


def test_pick_city_takes_an_obvious_namesake_only(gazetteer: Gazetteer) -> None:
    ottawa = pick_city(gazetteer.lookup("Ottawa"))
    assert ottawa is not None and ottawa.country == "CA"
    assert pick_city(gazetteer.lookup("Springfield")) is None
    assert pick_city([]) is None
