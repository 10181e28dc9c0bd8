"""What is rated: passion and the five dimensions of intimacy, and the rhythms of check-ins.

The keys are the data format (CSV columns, database columns, JSON keys); their order is fixed.
Labels and descriptions are what a person sees.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    description: str

    @property
    def desired_key(self) -> str:
        return f"desired_{self.key}"


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "passion",
        "Passion",
        "Desire, chemistry and play: the spark, the surprise, wanting each other.",
    ),
    Dimension(
        "emotional",
        "Emotional",
        "Being able to share fears, hopes and doubts and be met with care, not judgement.",
    ),
    Dimension(
        "physical",
        "Physical",
        "Everyday affection of every kind: hugs, held hands, closeness, not only sex.",
    ),
    Dimension(
        "intellectual",
        "Intellectual",
        "Trading ideas, disagreeing with curiosity and respect, learning side by side.",
    ),
    Dimension(
        "experiential",
        "Experiential",
        "Doing things together: shared activities, rituals, adventures, challenges met as a team.",
    ),
    Dimension(
        "spiritual",
        "Spiritual",
        "Shared values and meaning: what matters to you both and where you are heading.",
    ),
)

#: The six keys, in their fixed order.
KEYS: tuple[str, ...] = tuple(d.key for d in DIMENSIONS)
#: The five dimensions of intimacy (every key but passion); their mean is the intimacy index.
INTIMACY_KEYS: tuple[str, ...] = KEYS[1:]
#: Column names of the desired levels, in the same order.
DESIRED_KEYS: tuple[str, ...] = tuple(d.desired_key for d in DIMENSIONS)

BY_KEY: dict[str, Dimension] = {d.key: d for d in DIMENSIONS}

#: The rhythms a check-in can follow; ``monthly`` is the kit's main one.
CADENCES: tuple[str, ...] = ("monthly", "weekly", "daily")
DEFAULT_CADENCE = "monthly"

MIN_SCORE = 1
MAX_SCORE = 10


def label(key: str) -> str:
    """The label of a dimension key (``"physical"`` -> ``"Physical"``)."""
    return BY_KEY[key].label
