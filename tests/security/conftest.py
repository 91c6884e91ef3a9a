"""Attacks on the real gateway and console (aiohttp's test client against
`create_app`, with the stand-ins of tests/gateway), one test module per area."""

from tests.console.conftest import Console, console  # noqa: F401  (fixtures)
from tests.gateway.conftest import (  # noqa: F401  (fixtures)
    Gateway,
    StartGateway,
    api,
    gateway,
    gateway_db,
    rasa,
    start_gateway,
)
