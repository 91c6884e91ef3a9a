"""Typed replies: a domain response and the values that fill it.

Every word the assistant says lives in domain.yml; a reply names the response and carries
the facts. A value may itself be a `Phrase` (a fragment response such as "（原定…）"), which
the Rasa adapter renders before uttering; a tuple of values is rendered one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

# A tuple is its values one after the other (the lines of a card, each a fragment).
Value = Union[str, int, "Phrase", tuple["Value", ...]]


@dataclass(frozen=True)
class Phrase:
    """A fragment response of domain.yml with its values, put inside another reply."""

    response: str
    values: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What to say, and what the conversation should remember afterwards.

    `activity`: the activity the answer is about (follow-ups stay on it); `candidates`: the
    ids offered in a clarifying question (the member answers with a number or a year);
    `notice`: the notice a sentence was read from, when no activity is (a 公示: "公示到哪天"
    then reads it first)."""

    response: str
    values: dict[str, Value] = field(default_factory=dict)
    activity: str | None = None
    candidates: tuple[int, ...] | None = None
    notice: int | None = None

    @property
    def asks_which(self) -> bool:
        return self.candidates is not None


def say(response: str, **values: Value) -> Answer:
    return Answer(response, dict(values))


def phrase(response: str, **values: Value) -> Phrase:
    return Phrase(response, dict(values))
