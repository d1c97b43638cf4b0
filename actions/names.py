"""Slot, response, action, form and intent names shared by the domain, code and tests.

They must match ``domain/*.yml`` exactly; ``tests/actions/test_names.py`` checks it.
"""

from __future__ import annotations

# --- languages ---------------------------------------------------------------------
DEFAULT_LANGUAGE = "en"

# --- slots -------------------------------------------------------------------------
SLOT_LANGUAGE = "language"
SLOT_CITY = "city"
SLOT_COUNTRY = "country"
SLOT_REGION = "region"
SLOT_POPULATION = "population"
SLOT_GROUP = "group_of_municipalities"
SLOT_CITY_CONFIRMED = "city_confirmed"
# The gazetteer entry behind a pre-filled city (a dict), kept to ask for confirmation.
SLOT_CITY_MATCH = "city_match"
# The ambiguous name behind the "which one?" buttons, narrowed by a typed country
# or region (actions/which_one.py).
SLOT_AMBIGUOUS_CITY = "ambiguous_city"
SLOT_VERDICT = "eligibility_verdict"
# The asker's own city, said in passing ("I'm from Tijuana": actions/home_city.py).
SLOT_HOME_CITY = "home_city"
# The last question that named one city and got its answer ({"text", "start", "end"}):
# what a follow-up such as "and Laval?" asks again (actions/follow_up.py).
SLOT_CITY_QUESTION = "city_question"
SLOT_CONTACT_NAME = "contact_name"
SLOT_CONTACT_EMAIL = "contact_email"
SLOT_ROLE = "role"
SLOT_THEMES = "themes"
SLOT_MOTIVATION = "motivation"
SLOT_DRAFT_ID = "draft_id"
REQUESTED_SLOT = "requested_slot"

# The population slot's value when the visitor does not know it ("I don't know",
# "no sé"): the self-check goes on to a verdict that says what the figure decides.
POPULATION_UNKNOWN = "unknown"

# --- entities ----------------------------------------------------------------------
ENTITY_CITY = "city"
ENTITY_COUNTRY = "country"
ENTITY_REGION = "region"
ENTITY_POPULATION = "population"
ENTITY_LANGUAGE = "language"
ENTITY_EMAIL = "email"

# --- intents -----------------------------------------------------------------------
INTENT_AFFIRM = "affirm"
INTENT_DENY = "deny"
INTENT_STOP = "stop"
INTENT_INFORM = "inform"
INTENT_CHANGE_LANGUAGE = "change_language"
# Every programme question (one intent: topic intents split the probability mass).
INTENT_ASK_PROGRAMME = "ask_programme"
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_NLU_FALLBACK = "nlu_fallback"
INTENT_START_APPLICATION = "start_application"
INTENT_CHECK_ELIGIBILITY = "check_eligibility"

# Intents of a message the NLU could not place: a question (knowledge.parsing's
# looks_like_a_question), or in a form an answer it does not know ("Tinyville").
UNSURE_INTENTS: frozenset[str] = frozenset({INTENT_NLU_FALLBACK, INTENT_OUT_OF_SCOPE})
# Intents whose message is a question for the knowledge engine.
QUESTION_INTENTS: frozenset[str] = frozenset({INTENT_ASK_PROGRAMME})
# Intents the engine answers too, with their own reply when it declines: "what are
# the themes?" read as a request for help is answered; "what can you do?" gets help.
DECLINE_BY_INTENT: dict[str, str] = {
    INTENT_OUT_OF_SCOPE: "utter_out_of_scope",
    INTENT_NLU_FALLBACK: "utter_out_of_scope",
    "help": "utter_help",
    # Outside a form (data/rules/answers.yml): what the default fallback said before.
    INTENT_INFORM: "utter_default",
}
# Intents that interrupt a form instead of answering its question.
INTERRUPTING_INTENTS: frozenset[str] = frozenset(
    {
        *QUESTION_INTENTS,
        INTENT_STOP,
        INTENT_CHANGE_LANGUAGE,
        "contact_human",
        "help",
        "bot_challenge",
        INTENT_CHECK_ELIGIBILITY,
        INTENT_START_APPLICATION,
    }
)

# --- forms -------------------------------------------------------------------------
FORM_ELIGIBILITY = "eligibility_form"
FORM_APPLICATION = "application_form"

# --- actions -----------------------------------------------------------------------
# Rasa's own action (not in the domain): wait for the next message.
RASA_ACTION_LISTEN = "action_listen"
ACTION_ANSWER_QUESTION = "action_answer_question"
ACTION_GREET = "action_greet"
ACTION_CONTACT_HUMAN = "action_contact_human"
ACTION_CHANGE_LANGUAGE = "action_change_language"
ACTION_VALIDATE_ELIGIBILITY_FORM = "validate_eligibility_form"
# The eligibility form's own question for the city (the draft keeps utter_ask_city).
ACTION_ASK_ELIGIBILITY_CITY = "action_ask_eligibility_form_city"
ACTION_ASK_CITY_CONFIRMED = "action_ask_city_confirmed"
ACTION_ASK_COUNTRY = "action_ask_country"
ACTION_RESET_ELIGIBILITY = "action_reset_eligibility"
ACTION_ELIGIBILITY_VERDICT = "action_eligibility_verdict"
ACTION_VALIDATE_APPLICATION_FORM = "validate_application_form"
ACTION_ASK_THEMES = "action_ask_themes"
ACTION_SAVE_DRAFT = "action_save_draft"

# --- responses ---------------------------------------------------------------------
UTTER_DID_YOU_MEAN = "utter_did_you_mean"
UTTER_OUT_OF_SCOPE = "utter_out_of_scope"
UTTER_HELP = "utter_help"
UTTER_ANSWER_FALLBACK = "utter_answer_fallback"
UTTER_SERVICE_UNAVAILABLE = "utter_service_unavailable"
UTTER_CONTACT = "utter_contact"
UTTER_LANGUAGE_CHANGED = "utter_language_changed"
UTTER_ASK_WHICH_LANGUAGE = "utter_ask_which_language"
UTTER_ASK_COUNTRY = "utter_ask_country"
UTTER_ASK_CITY = "utter_ask_city"
UTTER_CONFIRM_CITY = "utter_confirm_city"
UTTER_CONFIRM_CITY_NO_POPULATION = "utter_confirm_city_no_population"
UTTER_GREET = "utter_greet"
UTTER_WHICH_CITY = "utter_which_city"
UTTER_WHICH_CITY_AGAIN = "utter_which_city_again"
UTTER_CITY_UNKNOWN = "utter_city_unknown"
UTTER_REGION_NOT_CITY = "utter_region_not_city"
UTTER_INVALID_CITY = "utter_invalid_city"
UTTER_INVALID_COUNTRY = "utter_invalid_country"
UTTER_INVALID_POPULATION = "utter_invalid_population"
UTTER_INVALID_YES_NO = "utter_invalid_yes_no"
UTTER_CITY_NOT_CONFIRMED = "utter_city_not_confirmed"
UTTER_VERDICT_PREFIX = "utter_verdict_"  # + encouraged, below_threshold, ...
UTTER_ANYTHING_ELSE = "utter_anything_else"
UTTER_ASK_THEMES = "utter_ask_themes"
UTTER_THEME_OTHER = "utter_theme_other"
UTTER_INVALID_THEMES = "utter_invalid_themes"
UTTER_INVALID_EMAIL = "utter_invalid_email"
UTTER_INVALID_TEXT = "utter_invalid_text"
UTTER_INVALID_MOTIVATION = "utter_invalid_motivation"
UTTER_DRAFT_SAVED = "utter_draft_saved"
UTTER_DRAFT_FAILED = "utter_draft_failed"

VERDICTS: tuple[str, ...] = (
    "encouraged",
    "below_threshold",
    "wrong_region",
    "need_more_info",
)
# The theme button that stands for "a theme not in the call's list".
THEME_OTHER = "other"
