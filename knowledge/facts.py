"""The call facts (``knowledge/call.yml``) and the rendering of ``{placeholders}``.

``call.yml`` is the one place where the deadline, the countries, the population
threshold, the commitment length, the themes and the contact are written. FAQ answers
refer to them as placeholders (``{deadline}``, ``{population_threshold}``...) that
:func:`render_answer` fills in per language with Babel, so a changed deadline changes
every answer at once.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from knowledge.language import LANGUAGES, check_language

DEFAULT_CALL_FILE = Path(__file__).resolve().parent / "call.yml"
# Babel locale per language: Mexican Spanish writes 100,000 (not 100.000).
_LOCALES = {"en": "en", "fr": "fr", "es": "es_MX"}


class CallFactsError(ValueError):
    """``call.yml`` is missing, unreadable or lacks a key; the message names both."""


@dataclass(frozen=True)
class Theme:
    id: str
    names: dict[str, str]


@dataclass(frozen=True)
class Region:
    id: str
    names: dict[str, str]
    countries: frozenset[str]
    url: str | None
    notes: dict[str, str]  # per-language one-liner on where to apply


@dataclass(frozen=True)
class CallFacts:
    eligible_countries: tuple[str, ...]
    population_threshold: int
    deadline: date
    commitment_months: int
    themes: tuple[Theme, ...]
    other_regions: tuple[Region, ...]
    contact_email: str | None
    contact_url: str
    programme_name: dict[str, str]
    raw: Mapping[str, Any]


# --- loading -----------------------------------------------------------------------


class _Reader:
    """Typed access to the YAML tree with errors that name the file and the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> CallFactsError:
        return CallFactsError(f"{self.path}: {key}: {problem}")

    def get(
        self, node: Any, key: str, kind: type | tuple[type, ...], where: str
    ) -> Any:
        full = f"{where}.{key}" if where else key
        if not isinstance(node, Mapping):
            raise self.fail(where or "<root>", "expected a mapping")
        if key not in node:
            raise self.fail(full, "missing key")
        value = node[key]
        # bool is an int subclass: a threshold of `true` is a mistake, not 1.
        if isinstance(value, bool) and bool not in _as_tuple(kind):
            raise self.fail(full, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(full, f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def texts(self, node: Any, key: str, where: str) -> dict[str, str]:
        """A per-language mapping that must have every supported language."""
        value = self.get(node, key, Mapping, where)
        full = f"{where}.{key}"
        for lang in LANGUAGES:
            self.get(value, lang, str, full)
        return {lang: value[lang] for lang in LANGUAGES}

    def countries(self, node: Any, key: str, where: str) -> tuple[str, ...]:
        value = self.get(node, key, list, where)
        for i, code in enumerate(value):
            if not (isinstance(code, str) and len(code) == 2 and code.isupper()):
                raise self.fail(
                    f"{where}.{key}[{i}]", f"expected an ISO country code, got {code!r}"
                )
        return tuple(value)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


def _parse(path: Path, data: Any) -> CallFacts:
    r = _Reader(path)
    programme = r.get(data, "programme", Mapping, "")
    eligibility = r.get(data, "eligibility", Mapping, "")
    threshold = r.get(eligibility, "population_threshold", int, "eligibility")
    if threshold <= 0:
        raise r.fail("eligibility.population_threshold", "must be positive")
    deadline = r.get(r.get(data, "deadline", Mapping, ""), "date", date, "deadline")
    months = r.get(r.get(data, "commitment", Mapping, ""), "months", int, "commitment")
    contact = r.get(data, "contact", Mapping, "")
    r.texts(contact, "sentence", "contact")
    messages = r.get(data, "messages", Mapping, "")
    r.texts(messages, "deadline_today", "messages")
    r.texts(messages, "deadline_closed", "messages")
    r.texts(messages, "call_closed", "messages")
    forms = r.get(messages, "deadline_open", Mapping, "messages")
    for lang in LANGUAGES:
        plural = r.get(forms, lang, Mapping, "messages.deadline_open")
        r.get(plural, "other", str, f"messages.deadline_open.{lang}")

    themes = []
    for i, item in enumerate(r.get(data, "themes", list, "")):
        where = f"themes[{i}]"
        themes.append(
            Theme(r.get(item, "id", str, where), r.texts(item, "names", where))
        )

    regions = []
    for i, item in enumerate(r.get(data, "other_regions", list, "")):
        where = f"other_regions[{i}]"
        url = item.get("url") if isinstance(item, Mapping) else None
        regions.append(
            Region(
                id=r.get(item, "id", str, where),
                names=r.texts(item, "names", where),
                countries=frozenset(r.countries(item, "countries", where)),
                url=url if isinstance(url, str) else None,
                notes=r.texts(item, "notes", where),
            )
        )

    email = contact.get("email")
    if email is not None and not isinstance(email, str):
        raise r.fail("contact.email", f"expected a string or null, got {email!r}")
    return CallFacts(
        eligible_countries=r.countries(eligibility, "countries", "eligibility"),
        population_threshold=threshold,
        deadline=deadline,
        commitment_months=months,
        themes=tuple(themes),
        other_regions=tuple(regions),
        contact_email=email,
        contact_url=r.get(contact, "url", str, "contact"),
        programme_name=r.texts(programme, "name", "programme"),
        raw=data,
    )


@lru_cache(maxsize=8)
def _load(path: Path) -> CallFacts:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CallFactsError(f"{path}: cannot read the call facts: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CallFactsError(f"{path}: invalid YAML: {exc}") from exc
    return _parse(path, data)


def load_call_facts(path: Path | None = None) -> CallFacts:
    """Load ``call.yml`` (default: the project's), cached per path."""
    return _load((path or DEFAULT_CALL_FILE).resolve())


# --- formatting ----------------------------------------------------------------------


def _locale(lang: str) -> str:
    return _LOCALES[check_language(lang)]


def format_deadline(facts: CallFacts, lang: str) -> str:
    """The deadline as a full date: "Friday, March 15, 2019"/"vendredi 15 mars 2019"."""
    return format_date(facts.deadline, "full", locale=_locale(lang))


def format_number(value: int, lang: str) -> str:
    return format_decimal(value, locale=_locale(lang))


def country_name(code: str, lang: str) -> str:
    """Localised name of an ISO country code (the code itself if Babel lacks it)."""
    return str(Locale.parse(_locale(lang)).territories.get(code, code))


def format_countries(codes: tuple[str, ...] | list[str], lang: str) -> str:
    names = [country_name(code, lang) for code in codes]
    return format_list(names, locale=_locale(lang))


def theme_names(facts: CallFacts, lang: str) -> list[str]:
    check_language(lang)
    return [theme.names[lang] for theme in facts.themes]


def region_for_country(facts: CallFacts, code: str) -> Region | None:
    """The IUC region or call that fits a country outside the eligible ones, or None."""
    code = code.upper()
    return next((r for r in facts.other_regions if code in r.countries), None)


def deadline_status(facts: CallFacts, lang: str, today: date | None = None) -> str:
    """ "Open, N days left", "last day" or "closed since <date>", in ``lang``."""
    locale = _locale(lang)
    today = today or date.today()
    messages = facts.raw["messages"]
    days = (facts.deadline - today).days
    if days > 0:
        forms = messages["deadline_open"][lang]
        category = Locale.parse(locale).plural_form(days)
        template = forms.get(category, forms["other"])
        return str(template).format(days=format_number(days, lang))
    if days == 0:
        return str(messages["deadline_today"][lang])
    closed_on = format_date(facts.deadline, "long", locale=locale)
    return str(messages["deadline_closed"][lang]).format(date=closed_on)


@dataclass(frozen=True)
class CallStatus:
    """Whether the call is open on ``today``; the one decision the verdicts, the
    eligibility page and the draft page share (issue 16)."""

    open: bool
    deadline: date
    today: date
    # Days until the deadline: 0 on the last day, negative once closed.
    days_left: int

    @property
    def closed(self) -> bool:
        return not self.open


def call_status(facts: CallFacts, today: date | None = None) -> CallStatus:
    """Open up to and including the deadline day, closed from the next day on."""
    today = today or date.today()
    days = (facts.deadline - today).days
    return CallStatus(
        open=days >= 0, deadline=facts.deadline, today=today, days_left=days
    )


def call_status_sentence(facts: CallFacts, lang: str, today: date | None = None) -> str:
    """One sentence for a verdict or a page, in ``lang``: while open, the days left
    (``deadline_status``); once closed, the closing date, and that the verdict
    describes that last call's criteria and a draft prepares a future application."""
    status = call_status(facts, today)
    if status.open:
        return deadline_status(facts, lang, status.today)
    when = format_date(facts.deadline, "long", locale=_locale(lang))
    return str(facts.raw["messages"]["call_closed"][lang]).format(date=when)


# --- placeholders --------------------------------------------------------------------

_Renderer = Callable[[CallFacts, str, date | None], str]

PLACEHOLDERS: dict[str, _Renderer] = {
    "deadline": lambda f, lang, _t: format_deadline(f, lang),
    "deadline_status": deadline_status,
    "population_threshold": lambda f, lang, _t: format_number(
        f.population_threshold, lang
    ),
    "commitment_months": lambda f, lang, _t: format_number(f.commitment_months, lang),
    "eligible_countries": lambda f, lang, _t: format_countries(
        f.eligible_countries, lang
    ),
    "contact": lambda f, lang, _t: str(f.raw["contact"]["sentence"][lang]),
    "contact_url": lambda f, _lang, _t: f.contact_url,
    "contact_email": lambda f, _lang, _t: f.contact_email or f.contact_url,
    "themes": lambda f, lang, _t: format_list(
        theme_names(f, lang), locale=_locale(lang)
    ),
    "programme_name": lambda f, lang, _t: f.programme_name[lang],
    "documents_url": lambda f, _lang, _t: _document_url(f, "url"),
    "documents_url_es": lambda f, _lang, _t: _document_url(f, "url_es"),
}
# Per-region placeholders, e.g. {region_url_lac} (its web address) and
# {region_countries_asia} (its partner countries as a localised list).
_REGION_URL = "region_url_"
_REGION_COUNTRIES = "region_countries_"


def _document_url(facts: CallFacts, key: str) -> str:
    for document in facts.raw.get("documents") or ():
        if isinstance(document, Mapping) and isinstance(document.get(key), str):
            return str(document[key])
    raise ValueError(f"call.yml: no document has a {key!r}")


def _region_value(facts: CallFacts, name: str, lang: str) -> str | None:
    for prefix in (_REGION_URL, _REGION_COUNTRIES):
        if not name.startswith(prefix):
            continue
        region_id = name.removeprefix(prefix)
        region = next((r for r in facts.other_regions if r.id == region_id), None)
        if region is None:
            return None
        if prefix == _REGION_URL:
            return region.url
        codes = sorted(region.countries, key=lambda c: country_name(c, lang))
        return format_countries(codes, lang)
    return None


def _value(facts: CallFacts, name: str, lang: str, today: date | None) -> str | None:
    if name in PLACEHOLDERS:
        return PLACEHOLDERS[name](facts, lang, today)
    return _region_value(facts, name, lang)


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in ``text``; ValueError on malformed braces."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"malformed placeholder in {text!r}: {exc}") from exc
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(
                f"placeholder {{{name}}} must not carry a format or !conversion"
            )
        names.append(name)
    return names


def render_answer(
    text: str, lang: str, facts: CallFacts, today: date | None = None
) -> str:
    """Fill the ``{placeholders}`` of an answer in ``lang``.

    Raises ValueError naming an unknown language or an unknown placeholder.
    """
    check_language(lang)
    names = placeholders_in(text)
    values = {name: _value(facts, name, lang, today) for name in set(names)}
    unknown = sorted(name for name, value in values.items() if value is None)
    if unknown:
        raise ValueError(
            f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}; "
            f"known: {', '.join(sorted(PLACEHOLDERS))}, "
            f"{_REGION_URL}<region id>, {_REGION_COUNTRIES}<region id>"
        )
    return text.format_map(values)
