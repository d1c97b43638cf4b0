"""Which entities may fill the self-check's slots, read from the real domain."""

from __future__ import annotations

import pytest

PLACE_SLOTS = ("city", "country", "region", "population")


def entity_fills(domain, slot: str, active_loop: str | None) -> bool:
    """Whether an entity fills ``slot`` while ``active_loop`` runs (Rasa 3.6 rules)."""
    for mapping in domain["slots"][slot]["mappings"]:
        if mapping["type"] != "from_entity":
            continue
        conditions = mapping.get("conditions")
        if not conditions:
            return True
        if any(c.get("active_loop") == active_loop for c in conditions):
            return True
    return False


@pytest.mark.parametrize("slot", PLACE_SLOTS)
def test_a_name_or_email_in_the_draft_never_becomes_a_place(domain, slot):
    # Live bug: "marie@ottawa.example" ended up as the draft's city.
    assert not entity_fills(domain, slot, "application_form")


@pytest.mark.parametrize("slot", PLACE_SLOTS)
def test_places_named_up_front_or_during_the_self_check_are_kept(domain, slot):
    # "can Ottawa apply?" and the Springfield buttons (/inform{"region": ...}).
    assert entity_fills(domain, slot, None)
    assert entity_fills(domain, slot, "eligibility_form")


def test_every_entity_mapped_during_the_self_check_is_one_of_its_slots(domain):
    # Rasa ignores (and `rasa data validate` warns about) any other.
    required = domain["forms"]["eligibility_form"]["required_slots"]
    assert set(PLACE_SLOTS) <= set(required)


@pytest.mark.parametrize("slot", PLACE_SLOTS)
def test_a_place_in_a_programme_question_fills_no_slot_of_the_self_check(domain, slot):
    # Journey walk (session 15): "can cities in Mexico apply too?" asked while the
    # population was asked made Tinyville Mexican, and went unanswered.
    for mapping in domain["slots"][slot]["mappings"]:
        conditions = mapping.get("conditions") or []
        in_the_check = any(
            c.get("active_loop") == "eligibility_form" for c in conditions
        )
        if mapping["type"] == "from_entity" and in_the_check:
            assert mapping.get("not_intent") == "ask_programme", mapping
