"""One model of a draft application's fields: limits, validation and normalisation.

Both writers use it: the action server (the application form in the chat) and the
drafts API (the draft page and the eligibility page). The same input therefore gives
the same stored draft, whichever way it came in:

- texts are trimmed and their runs of spaces folded (the motivation keeps its lines);
- the country is stored as its ISO code ("Canada", "Mexique", "EE. UU." -> "CA",
  "MX", "US") and shown by name in the reader's language;
- themes are stored as ids ("logement et mobilité" -> ["sustainable-urban-mobility",
  "housing"]) and shown by label; a theme outside the call is kept as typed.

Drafts saved before this model existed are never rewritten: :func:`stored_view`
normalises what it can for display and shows the rest as it was saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from assistant.core.themes import own_themes, parse_themes, theme_ids

Language = Literal["en", "fr", "es"]

# Generous enough for any real name, short enough to keep rows and CSV exports sane.
NAME_MAX = 200
EMAIL_MAX = 254
MOTIVATION_MIN = 10
MOTIVATION_MAX = 5000
THEME_MAX = 100
THEMES_MAX = 20
POPULATION_MAX = 100_000_000
EMAIL = re.compile(
    r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# The API's JSON schema says what these validators accept, and schemathesis checks it
# with jsonschema_rs (ECMA-262 regexes) while Python's re generates the examples: the
# two disagree on \s, \S, \w and \d (ECMA's \w is ASCII, \s omits \x1c-\x1f and
# \x85). So the patterns name their characters one by one. SPACES is every character
# str.isspace() (and so str.strip() and str.split()) counts as a space.
SPACES = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000"
)
NOT_SPACE = rf"[^{SPACES}]"
# Text that says something: a character that is neither a space nor a control nor an
# ASCII digit, punctuation or symbol (a letter in any script). "123" or "--" is no name.
WORDY = rf"[^{SPACES}\x00-\x40\x5b-\x60\x7b-\x9f]"
_WORDY = re.compile(WORDY)
# The fields a draft has, in the order forms and exports show them.
FIELD_NAMES = (
    "city",
    "country",
    "region",
    "population",
    "group_of_municipalities",
    "contact_name",
    "contact_email",
    "role",
    "themes",
    "motivation",
    "language",
)
# Error types the pages translate (pydantic's own: string_too_long, greater_than...).
ERROR_TEXT = "text"
ERROR_COUNTRY = "country"
ERROR_EMAIL = "email"
ERROR_MOTIVATION_SHORT = "motivation_too_short"
# The OpenAPI format of a country: an ISO code or a name (see _country_schema).
COUNTRY_FORMAT = "country"


def _too_long(limit: int) -> PydanticCustomError:
    return PydanticCustomError(
        "string_too_long", "at most {max_length} characters", {"max_length": limit}
    )


def _raw_length(value: str, limit: int) -> None:
    # The schema's maxLength counts what was sent, before spaces are folded.
    if len(value) > limit:
        raise _too_long(limit)


def _line(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    _raw_length(value, NAME_MAX)
    text = " ".join(value.split())
    if not _WORDY.search(text):
        raise PydanticCustomError(ERROR_TEXT, "must contain letters")
    return text


def _country(value: Any) -> Any:
    from knowledge.parsing import parse_country

    if not isinstance(value, str):
        return value
    code = parse_country(value)
    if code is None:
        raise PydanticCustomError(ERROR_COUNTRY, "not a country we know")
    return code


def _email(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    _raw_length(value, EMAIL_MAX)
    text = value.strip()
    if not EMAIL.fullmatch(text):
        raise PydanticCustomError(ERROR_EMAIL, "not an e-mail address")
    return text


def _motivation(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    _raw_length(value, MOTIVATION_MAX)
    text = value.strip()
    if len(text) < MOTIVATION_MIN:
        raise PydanticCustomError(
            ERROR_MOTIVATION_SHORT,
            "at least {min_length} characters",
            {"min_length": MOTIVATION_MIN},
        )
    return text


def _themes(value: Any) -> Any:
    """Text, or a list of ids or names -> ids in the call's order, unknowns as typed."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    if len(items) > THEMES_MAX:  # before duplicates are merged: the input is too long
        raise PydanticCustomError(
            "too_long", "at most {max_length} themes", {"max_length": THEMES_MAX}
        )
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            _raw_length(item, THEME_MAX)
    known: set[str] = set()
    other: list[Any] = []
    for item in items:
        found = parse_themes(item) if isinstance(item, str) else []
        known.update(found)
        if found:
            other.extend(own_themes(item))  # "logement et culture": culture kept too
        elif not (isinstance(item, str) and not item.strip()):
            other.append(" ".join(item.split()) if isinstance(item, str) else item)
    ordered: list[Any] = [theme_id for theme_id in theme_ids() if theme_id in known]
    return ordered + [item for i, item in enumerate(other) if item not in other[:i]]


def _country_schema(schema: dict[str, Any]) -> None:
    # A code or a name: the draft page sends back the name it shows ("Mexique"). No
    # enum can list every spelling parse_country reads, and a pattern would promise
    # names it does not know: a format names the rule (the fuzz test registers it).
    schema["format"] = COUNTRY_FORMAT
    schema["description"] = (
        "ISO 3166-1 alpha-2 code (CA, US, MX...) or the country's name in English, "
        "French or Spanish"
    )


# The schemas say what the validators check (the API's OpenAPI document is tested
# against the app with every schemathesis check): a line holds a WORDY character, an
# e-mail matches EMAIL between spaces, a motivation has ten characters between its
# first and last non-space, and lengths count the characters sent. An optional text
# field may also be blank, which means "no value".
_BLANK_OR = rf"^(?:[{SPACES}]*|[\s\S]*{{}}[\s\S]*)$"
Line = Annotated[
    str,
    BeforeValidator(_line),
    Field(min_length=1, max_length=NAME_MAX, json_schema_extra={"pattern": WORDY}),
]
OptionalLine = Annotated[
    str,
    BeforeValidator(_line),
    Field(
        max_length=NAME_MAX,
        json_schema_extra={"pattern": _BLANK_OR.format(WORDY)},
    ),
]
Country = Annotated[
    str, BeforeValidator(_country), Field(json_schema_extra=_country_schema)
]
OptionalCountry = Country
Email = Annotated[
    str,
    BeforeValidator(_email),
    Field(
        max_length=EMAIL_MAX,
        json_schema_extra={"pattern": rf"^[{SPACES}]*(?:{EMAIL.pattern})?[{SPACES}]*$"},
    ),
]
Motivation = Annotated[
    str,
    BeforeValidator(_motivation),
    Field(
        max_length=MOTIVATION_MAX,
        json_schema_extra={
            "pattern": _BLANK_OR.format(
                rf"{NOT_SPACE}[\s\S]{{{MOTIVATION_MIN - 2},}}{NOT_SPACE}"
            )
        },
    ),
]


# The text fields a blank clears, with their lengths.
_BLANKABLE = {
    "city": NAME_MAX,
    "country": NAME_MAX,
    "region": NAME_MAX,
    "contact_name": NAME_MAX,
    "role": NAME_MAX,
    "contact_email": EMAIL_MAX,
    "motivation": MOTIVATION_MAX,
}


def _blank(value: Any, limit: int | None) -> bool:
    return (
        limit is not None
        and isinstance(value, str)
        and len(value) <= limit
        and not value.strip()
    )


def _json_integer(value: Any) -> Any:
    # JSON Schema's integer: 12 and 12.0, not true (which Python counts as 1) or "12".
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "must be a whole number")
    return value


Population = Annotated[
    int, Field(ge=0, le=POPULATION_MAX), BeforeValidator(_json_integer)
]
Themes = Annotated[
    list[
        Annotated[
            str,
            Field(
                min_length=1,
                max_length=THEME_MAX,
                json_schema_extra={"pattern": NOT_SPACE},
            ),
        ]
    ],
    BeforeValidator(_themes),
    Field(max_length=THEMES_MAX),
]


class DraftFields(BaseModel):
    """Every field of a draft, each optional; a writer sets the ones it has."""

    model_config = ConfigDict(extra="forbid")

    city: OptionalLine | None = None
    country: OptionalCountry | None = None
    region: OptionalLine | None = None
    population: Population | None = None
    # Strict: 0, 1 or "yes" are not answers to a yes/no question.
    group_of_municipalities: StrictBool | None = None
    contact_name: OptionalLine | None = None
    contact_email: Email | None = None
    role: OptionalLine | None = None
    themes: Themes | None = None
    motivation: Motivation | None = None
    language: Language | None = None

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        # A cleared text field on the draft page arrives as "": it means "no value".
        # Only text fields, and within their length (the schema's blank pattern):
        # "" is no population, and 300 spaces are too long a name.
        if not isinstance(data, Mapping):
            return data
        return {
            name: None if _blank(value, _BLANKABLE.get(name)) else value
            for name, value in data.items()
        }

    def stored(self) -> dict[str, Any]:
        """What the store keeps: the fields that were given, normalised."""
        return self.model_dump(exclude_unset=True)


def normalise(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` as the store keeps them; raises pydantic's ValidationError."""
    return DraftFields.model_validate(dict(fields)).stored()


def field_value(name: str, value: Any) -> Any:
    """One field normalised; raises ValidationError (the chat checks slot by slot)."""
    return DraftFields.model_validate({name: value}).stored().get(name)


def valid_value(name: str, value: Any) -> Any | None:
    """One field normalised, or None when the model refuses it."""
    try:
        return field_value(name, value)
    except ValidationError:
        return None


def stored_view(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A saved draft's fields for display: each one normalised when the model accepts
    it, else exactly as saved (an old or odd value is shown, never dropped)."""
    view: dict[str, Any] = {}
    for name, value in fields.items():
        if name in FIELD_NAMES and value is not None:
            try:
                view[name] = field_value(name, value)
                continue
            except ValidationError:
                pass
        view[name] = value
    return view
