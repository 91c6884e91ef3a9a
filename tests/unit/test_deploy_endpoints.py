"""The containers' endpoints file (deploy/docker/rasa-endpoints.yml), read by Rasa's own reader:
the action endpoint and its token come from the environment, the stores are ours, and an unset
variable stops Rasa rather than leaving it to call a literal "${ACTION_ENDPOINT_URL}"."""

from __future__ import annotations

import pytest
from rasa.core.utils import AvailableEndpoints
from rasa.shared.exceptions import RasaException

from services.settings import PROJECT_ROOT

ENDPOINTS = str(PROJECT_ROOT / "deploy" / "docker" / "rasa-endpoints.yml")


def test_the_action_endpoint_and_its_token_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions:5055/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "s3cret")
    endpoints = AvailableEndpoints.read_endpoints(ENDPOINTS)
    assert endpoints.action is not None
    assert endpoints.action.url == "http://actions:5055/webhook"
    assert endpoints.action.combine_parameters() == {"token": "s3cret"}  # sent as ?token= on every call
    assert endpoints.tracker_store is not None and endpoints.lock_store is not None
    assert endpoints.tracker_store.type == "bot.rasa_stores.ConfiguredSQLTrackerStore"
    assert endpoints.lock_store.type == "bot.rasa_stores.ConfiguredLockStore"


def test_an_unset_variable_stops_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions:5055/webhook")
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    with pytest.raises(RasaException, match="ACTION_SERVER_TOKEN"):
        AvailableEndpoints.read_endpoints(ENDPOINTS)
