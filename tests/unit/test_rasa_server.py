"""The action server's replies are still validated after the schema check is made once."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_server


@pytest.fixture
def remote_action(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    rasa_server.apply()
    return RemoteAction("action_activity_date", None)


def test_a_well_formed_reply_passes(remote_action: RemoteAction) -> None:
    reply = {"events": [{"event": "slot", "name": "activity", "value": "质量月"}],
             "responses": [{"response": "utter_activity_date", "activity": "质量月"}]}
    assert remote_action._validate_action_result(reply) is True


def test_a_malformed_reply_is_refused_with_rasas_message(remote_action: RemoteAction) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        remote_action._validate_action_result({"events": "not a list"})


def test_the_schema_is_checked_once(remote_action: RemoteAction) -> None:
    rasa_server._action_response_validator.cache_clear()
    for _ in range(3):
        remote_action._validate_action_result({"events": [], "responses": []})
    assert rasa_server._action_response_validator.cache_info().misses == 1
