"""A conversation's dialogue states built once, then extended (run by ``.venv-rasa``).

To predict the next action, each policy turns the conversation into its list of
dialogue states (``Domain.states_for_tracker_history``): Rasa 3.6 replays every event
since the session started, and builds the state before each action, for each policy
and each prediction: two policies, two or more predictions a turn, so a turn costs
more the longer the conversation. py-spy under chat load with 50-turn conversations
put it at 16 % of Rasa's CPU (5 % with the benchmark's 7-turn ones).

Here the tracker keeps, per set of arguments, the states built so far, the replaying
tracker and the loop's two variables; a later call replays only the events added
since. The cached part is used only while it is a prefix of the tracker's applied
events (the same event objects, in order): a reverted or rewritten history, or
another tracker, is computed from the start, as before. Callers change the states
they get (the last user input, rule-only features), so each call gets its own copy,
with the sub-states shared between states as Rasa's own loop shares them. The kept
states take about 22 KB per conversation at 7 turns, 120 KB at 50, as long as the
tracker is kept (``tracker_cache.py``: 1,000 conversations at most).

This file runs in the Rasa environment and imports nothing from the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CACHE_ATTRIBUTE = "_iuc_dialogue_states"


@dataclass
class History:
    """Rasa's loop over a conversation's prior trackers, paused after ``events``."""

    domain: Any
    replay: Any  # the tracker the events were replayed on
    events: list[Any] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    last_ml_action: Any = None
    turn_was_hidden: bool = False


def copy_states(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each state and sub-state copied; a sub-state shared by two states stays
    shared by their copies (its values are strings and tuples)."""
    copies: dict[int, dict[str, Any]] = {}

    def sub(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        kept = copies.get(id(value))
        if kept is None:
            kept = copies[id(value)] = dict(value)
        return kept

    return [{key: sub(value) for key, value in state.items()} for state in states]


def install() -> None:
    from rasa.shared.core import constants
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted

    def add_state(
        domain: Domain,
        history: History,
        tracker: Any,
        hide_rule_turn: bool,
        omit_unset_slots: bool,
        ignore_rule_only_turns: bool,
        rule_only_data: dict[str, Any] | None,
    ) -> None:
        # One step of Rasa 3.6's Domain.states_for_tracker_history, unchanged.
        if ignore_rule_only_turns:
            if not history.turn_was_hidden:
                history.last_ml_action = domain._get_prev_action_sub_state(tracker)
            if (
                not tracker.followup_action
                and tracker.latest_action_name != tracker.active_loop_name
            ):
                history.turn_was_hidden = hide_rule_turn
            if history.turn_was_hidden:
                return
        state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if history.states:
                domain._substitute_rule_only_user_input(state, history.states[-1])
            if history.last_ml_action:
                state[constants.PREVIOUS_ACTION] = history.last_ml_action
        history.states.append(domain._clean_state(state))

    def states_for_tracker_history(
        self: Domain,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        key = (id(self), omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
        cache = tracker.__dict__.setdefault(CACHE_ATTRIBUTE, {})
        events = tracker.applied_events()
        history = cache.get(key)
        done = len(history.events) if history else 0
        if (
            history is None
            or history.domain is not self
            or done > len(events)
            or any(a is not b for a, b in zip(history.events, events, strict=False))
        ):
            history = History(self, replay=tracker.init_copy())
            done = 0
        for event in events[done:]:
            if isinstance(event, ActionExecuted):
                add_state(self, history, history.replay, event.hide_rule_turn, *args)
            history.replay.update(event)
            history.events.append(event)
        cache[key] = history
        # The last state (after every event) goes to this call only: the next
        # event changes it. The loop's variables are restored after it.
        saved = (len(history.states), history.last_ml_action, history.turn_was_hidden)
        add_state(self, history, history.replay, False, *args)
        states = copy_states(history.states)
        del history.states[saved[0] :]
        history.last_ml_action, history.turn_was_hidden = saved[1], saved[2]
        return states

    Domain.states_for_tracker_history = states_for_tracker_history
