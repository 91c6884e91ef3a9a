"""Fuzzy matching of what a member typed against activity names and aliases.

A drop-in for the matcher inside `ActivityService.resolve` (same input: the
member's match key and `ActivityRepository.name_index()`; same output: the
ids of the best matches). It keeps the exact and containment matches first
and adds what members really type for an activity a notice has just named:

* the year left out or put elsewhere: 质量大讲堂第一期 for 2027年质量大讲堂（第一期）;
* a short form whose characters all appear, in order, in the name:
  QC成果发表 for 2027年上海市QC小组成果发表交流会;
* traditional script (match keys are already simplified by services.textnorm).
"""

from __future__ import annotations

import re

YEAR_IN_NAME = re.compile(r"(?:19|20)\d\d年度?")  # 2027年, 2026年度: left out or put elsewhere by members
_MIN_CONTAINED = 2
_MIN_SUBSEQUENCE = 4
_MIN_SHARED = 4


def _is_subsequence(short: str, long: str) -> bool:
    position = 0
    for ch in short:
        position = long.find(ch, position)
        if position < 0:
            return False
        position += 1
    return True


def longest_common_substring(a: str, b: str) -> int:
    best = 0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, start=1):
            if ch == other:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def fuzzy_matches(key: str, index: list[tuple[str, int]]) -> set[int]:
    """Ids of the activities the member's key most likely names; empty when none is close."""
    if not key:
        return set()
    exact = {activity_id for name, activity_id in index if name == key}
    if exact:
        return exact
    best, ids = 0.0, set()

    def consider(score: float, activity_id: int) -> None:
        nonlocal best, ids
        if score > best:
            best, ids = score, {activity_id}
        elif score == best:
            ids.add(activity_id)

    # One scale for every kind of match. A name inside the member's words counts
    # by how much of the words it explains (a two-letter alias "QC" explains little
    # of "QC成果发表交流会"); the member's words inside a name count fully.
    bare_key = YEAR_IN_NAME.sub("", key)
    for name, activity_id in index:
        bare_name = YEAR_IN_NAME.sub("", name)
        if len(key) >= _MIN_CONTAINED and key in name:
            consider(200 + len(key), activity_id)
        elif len(name) >= _MIN_CONTAINED and name in key:
            consider(100 * len(name) / len(key) + len(name), activity_id)
        elif bare_name and (bare_key == bare_name
                            or (len(bare_key) >= _MIN_CONTAINED and bare_key in bare_name)):
            consider(150 + len(bare_key), activity_id)
        elif bare_name and len(bare_key) >= _MIN_SUBSEQUENCE and _is_subsequence(bare_key, bare_name):
            # Every character, in order: the shortest such name is the most specific.
            consider(50 + 50 * len(bare_key) / len(bare_name), activity_id)
        elif bare_name:
            shared = longest_common_substring(bare_key, bare_name)
            if shared >= _MIN_SHARED and shared >= 0.6 * len(bare_key):
                consider(50 * shared / len(bare_key), activity_id)
    return ids
