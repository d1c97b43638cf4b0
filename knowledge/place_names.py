"""Country, province and state names in the reader's language.

Countries come from Babel (CLDR). Provinces and states come from the gazetteer in one
language (Canada's and the United States' in English, Mexico's in Spanish); this small
table gives the names that differ in French, Spanish or English. A name it does not
know is shown as it was given.
"""

from __future__ import annotations

from knowledge.facts import country_name
from knowledge.gazetteer import CANADA_PROVINCES, MEXICO_STATES
from knowledge.language import fold_words

# Name as the gazetteer gives it -> {language: name}; a missing language keeps it.
_REGIONS: dict[str, dict[str, str]] = {
    # Canada
    "British Columbia": {"fr": "Colombie-Britannique", "es": "Columbia Británica"},
    "New Brunswick": {"fr": "Nouveau-Brunswick", "es": "Nuevo Brunswick"},
    "Newfoundland and Labrador": {
        "fr": "Terre-Neuve-et-Labrador",
        "es": "Terranova y Labrador",
    },
    "Nova Scotia": {"fr": "Nouvelle-Écosse", "es": "Nueva Escocia"},
    "Prince Edward Island": {
        "fr": "Île-du-Prince-Édouard",
        "es": "Isla del Príncipe Eduardo",
    },
    "Quebec": {"fr": "Québec", "es": "Quebec"},
    "Northwest Territories": {
        "fr": "Territoires du Nord-Ouest",
        "es": "Territorios del Noroeste",
    },
    # United States
    "California": {"fr": "Californie"},
    "Florida": {"fr": "Floride"},
    "Georgia": {"fr": "Géorgie"},
    "Hawaii": {"fr": "Hawaï", "es": "Hawái"},
    "Louisiana": {"fr": "Louisiane", "es": "Luisiana"},
    "Missouri": {"es": "Misuri"},
    "New Hampshire": {"es": "Nuevo Hampshire"},
    "New Jersey": {"es": "Nueva Jersey"},
    "New Mexico": {"fr": "Nouveau-Mexique", "es": "Nuevo México"},
    "New York": {"es": "Nueva York"},
    "North Carolina": {"fr": "Caroline du Nord", "es": "Carolina del Norte"},
    "North Dakota": {"fr": "Dakota du Nord", "es": "Dakota del Norte"},
    "Pennsylvania": {"fr": "Pennsylvanie", "es": "Pensilvania"},
    "South Carolina": {"fr": "Caroline du Sud", "es": "Carolina del Sur"},
    "South Dakota": {"fr": "Dakota du Sud", "es": "Dakota del Sur"},
    "Virginia": {"fr": "Virginie"},
    "West Virginia": {"fr": "Virginie-Occidentale", "es": "Virginia Occidental"},
    "District of Columbia": {
        "fr": "District de Columbia",
        "es": "Distrito de Columbia",
    },
    # Mexico (the gazetteer's names are Spanish)
    "Ciudad de México": {"en": "Mexico City", "fr": "Mexico"},
    "Estado de México": {"en": "State of Mexico", "fr": "État de Mexico"},
}
_BY_FOLDED = {
    fold_words(name): names
    for given, localised in _REGIONS.items()
    for names in [{"given": given, **localised}]
    for name in (given, *localised.values())
}
# The gazetteer's own names of a region ("México" for the Estado de México)
# win over a display name that folds the same: French writes Mexico City "Mexico",
# and "México" had become the capital.
_BY_FOLDED.update(
    {
        fold_words(label): _BY_FOLDED.get(fold_words(name)) or {"given": name}
        for table in (CANADA_PROVINCES, MEXICO_STATES)
        for code, name, others in table.values()
        for label in (name, *others)
        if not label.isupper()  # codes ("BC" is Baja California's too) stay as given
    }
)


def region_label(region: str, country: str | None, lang: str) -> str:
    """ "Nova Scotia" -> "Nouvelle-Écosse" in French; an unknown name unchanged.

    ``country`` is kept for the day two countries share a region name."""
    names = _BY_FOLDED.get(fold_words(region))
    if names is None:
        return region
    return names.get(lang) or names["given"]


# A place told apart from its namesake by a larger city near it.
_NEAR = {
    "en": "{place} near {city}",
    "fr": "{place} près de {city}",
    "es": "{place} cerca de {city}",
}


def near_label(place: str, city: str, lang: str) -> str:
    """ "Sainte-Catherine près de Trois-Rivières" in ``lang``."""
    return _NEAR.get(lang, _NEAR["en"]).format(place=place, city=city)


def country_label(country: str, lang: str) -> str:
    """ "CA" -> "Canada" / "Canadá"; a name saved before codes were stored ("Canada")
    is recognised too; anything else is shown as it was saved."""
    from knowledge.parsing import parse_country

    code = country if len(country) == 2 and country.isupper() else None
    code = code or parse_country(country)
    return country_name(code, lang) if code else country
