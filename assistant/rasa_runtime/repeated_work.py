"""Work Rasa repeats on every turn for a result that cannot have changed (run by
``.venv-rasa``).

py-spy under chat load (docs/BENCHMARKS.md, session 15) found three pieces of Rasa
3.6's per-turn work that recompute the same thing from the same inputs:

- ``copy_only_for_actions_that_change_it``: before running each predicted action
  (two or more a turn) Rasa copies the conversation's tracker, which replays every
  event of the session into a new one, so that the action cannot change the real
  tracker and the policy's events can be dropped if the action rejects. A custom
  action (the call to the action server), ``action_listen`` and an ``utter_``
  response only read the tracker; when the policy added no events they get the
  tracker itself. Every other action (forms, Rasa's default actions) gets the copy
  as before, and so does a custom action predicted with an event (RulePolicy and
  MemoizationPolicy mark how the user's message was featurized), which the action
  must see: in a question's turn only ``action_listen`` goes without its copy.
- ``domain_emptiness_once``: each parsed message asks whether the model's domain is
  empty, which builds an empty domain and compares the two as dictionaries. The
  answer is kept on the domain (a loaded model's domain is not changed).
- ``rule_states_prepared``: RulePolicy checks every rule against the conversation's
  states on each prediction, and for every rule and every state it parses the rule
  from its JSON key (cached), reverses its states into a new list and turns lists
  back into tuples. Here each rule is prepared once; the check is Rasa's own, on
  the same values, and a rule is checked state by state only as far as it goes
  (beyond its length Rasa's check passes anyway).
- ``debug_values_copied_only_when_logged``: the processor and both policies pass
  deep copies of the parse, the events and the dialogue states to debug log calls
  on every turn, and the copies are made whether or not debug logging is on. They
  are made now only when it is.

This file runs in the Rasa environment and imports nothing from the project.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    copy_only_for_actions_that_change_it()
    domain_emptiness_once()
    rule_states_prepared()
    debug_values_copied_only_when_logged()


def read_only_actions() -> tuple[type, ...]:
    """Actions whose ``run`` reads the tracker and changes nothing in it (exact
    classes: a subclass may do more)."""
    from rasa.core.actions.action import ActionBotResponse, ActionListen, RemoteAction

    return (RemoteAction, ActionListen, ActionBotResponse)


def copy_only_for_actions_that_change_it() -> None:
    """Rasa's ``_run_action``, with the tracker's one copy in it answered by the
    tracker itself for an action that only reads it and a prediction without events
    (the rest of ``_run_action`` is Rasa's, on the real tracker as before)."""
    from rasa.core.processor import MessageProcessor

    readers = read_only_actions()
    run_action = MessageProcessor._run_action

    async def _run_action(
        self: MessageProcessor,
        action: Any,
        tracker: Any,
        output_channel: Any,
        nlg: Any,
        prediction: Any,
    ) -> bool:
        if type(action) not in readers or prediction.events:
            return bool(
                await run_action(self, action, tracker, output_channel, nlg, prediction)
            )

        def itself() -> Any:
            del tracker.copy  # one call: any later copy is a real one
            return tracker

        tracker.copy = itself
        try:
            return bool(
                await run_action(self, action, tracker, output_channel, nlg, prediction)
            )
        finally:
            tracker.__dict__.pop("copy", None)

    MessageProcessor._run_action = _run_action


def domain_emptiness_once() -> None:
    from rasa.shared.core.domain import Domain

    is_empty = Domain.is_empty

    def kept_is_empty(self: Domain) -> bool:
        kept = self.__dict__.get("_iuc_is_empty")
        if kept is None:
            kept = self.__dict__["_iuc_is_empty"] = bool(is_empty(self))
        return bool(kept)

    Domain.is_empty = kept_is_empty


def prepared_rule(rule_key: str) -> list[Any]:
    """A rule's states from its key, last first, lists as tuples: what Rasa's
    ``_is_rule_applicable`` computes from the key on each call."""
    import json

    def tuples(sub_state: dict[str, Any]) -> dict[str, Any]:
        return {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in sub_state.items()
        }

    return [
        {kind: tuples(sub_state) for kind, sub_state in state.items()}
        for state in reversed(json.loads(rule_key))
    ]


class PreparedRules:
    """A policy's rules of one lookup, prepared, by what the last turn's previous
    action must be (``None``: any)."""

    def __init__(self, rule_keys: list[str]) -> None:
        from rasa.shared.core.constants import PREVIOUS_ACTION
        from rasa.shared.nlu.constants import ACTION_NAME

        self.keys = rule_keys
        self.by_action: dict[Any, list[tuple[str, list[Any]]]] = {}
        for key in rule_keys:
            rule = prepared_rule(key)
            wanted = rule[0].get(PREVIOUS_ACTION, {}).get(ACTION_NAME) if rule else None
            if not _must_equal(wanted):
                wanted = None
            self.by_action.setdefault(wanted, []).append((key, rule))

    def candidates(self, last_state: Any) -> list[tuple[str, list[Any]]]:
        """The rules that Rasa's check could pass on a conversation whose last state
        is ``last_state``: any other one fails on its last previous action."""
        from rasa.shared.core.constants import PREVIOUS_ACTION
        from rasa.shared.nlu.constants import ACTION_NAME

        anyhow = self.by_action.get(None, [])
        if last_state is None:
            return [rule for rules in self.by_action.values() for rule in rules]
        action = (last_state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        if action is None or action not in self.by_action:
            return anyhow
        return anyhow + self.by_action[action]


def _must_equal(value: Any) -> bool:
    """A rule's value that Rasa's ``_does_rule_match_state`` requires the
    conversation's to equal."""
    from rasa.core.policies.rule_policy import SHOULD_NOT_BE_SET

    return bool(value) and value != SHOULD_NOT_BE_SET


def rule_states_prepared() -> None:
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.constants import PREVIOUS_ACTION

    matches = RulePolicy._does_rule_match_state

    def applies(rule: list[Any], conversation: list[Any]) -> bool:
        # Rasa's _is_rule_applicable for each turn back from the last, up to the
        # rule's length (beyond it Rasa's check passes).
        for rule_state, state in zip(rule, conversation, strict=False):
            current_previous_action = state.get(PREVIOUS_ACTION)
            rule_previous_action = rule_state.get(PREVIOUS_ACTION)
            if not rule_previous_action and not current_previous_action:
                continue
            if not rule_previous_action or not current_previous_action:
                return False
            if not matches(rule_state, state):
                return False
        return True

    def _get_possible_keys(
        self: RulePolicy, lookup: dict[str, str], states: list[Any]
    ) -> set[str]:
        kept: dict[int, PreparedRules] = self.__dict__.setdefault("_iuc_rules", {})
        prepared = kept.get(id(lookup))
        if prepared is None or prepared.keys != list(lookup):
            prepared = kept[id(lookup)] = PreparedRules(list(lookup))
        conversation = list(reversed(states))
        last = conversation[0] if conversation else None
        return {
            key
            for key, rule in prepared.candidates(last)
            if applies(rule, conversation)
        }

    RulePolicy._get_possible_keys = _get_possible_keys


# Rasa's modules whose ``copy.deepcopy`` calls all build debug log values.
DEBUG_COPYING_MODULES = (
    "rasa.core.processor",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
)


class DebugCopies:
    """The ``copy`` module as a module that copies only for debug logs sees it: a
    deep copy when its logger logs debug messages (structlog filters by the
    standard logger of the module), else the value itself."""

    def __init__(self, module_name: str) -> None:
        import copy
        import logging

        self._copy = copy
        self._logger = logging.getLogger(module_name)
        self._debug = logging.DEBUG

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if self._logger.isEnabledFor(self._debug):
            return self._copy.deepcopy(value, memo)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)


def debug_values_copied_only_when_logged() -> None:
    import importlib

    for name in DEBUG_COPYING_MODULES:
        module = importlib.import_module(name)
        module.copy = DebugCopies(name)  # type: ignore[attr-defined]
