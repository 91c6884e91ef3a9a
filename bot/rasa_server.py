"""`rasa` as the supervisor starts it, with one fix to Rasa 3.6 applied first.

    python -m bot.rasa_server run --enable-api …   (the same arguments as `rasa`)

Rasa checks every reply of the action server against its response schema with
`jsonschema.validate()`, which first validates the *schema itself* against
JSON Schema's meta-schema, on every call. Profiled under `make bench`, that
meta-schema check was 59 % of the Rasa process's time in a turn that runs a
custom action. Here the validator is built (and the schema checked) once; each
reply is still validated, with the same error when it is malformed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate() did on every call
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (  # Rasa's own wording
        ". Failed to validate Action server response from API, make sure your response from the "
        "Action endpoint is valid. For more information about the format visit "
        "https://rasa.com/docs/rasa/custom-actions"
    )
    raise error


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result


if __name__ == "__main__":
    import sys

    from rasa.__main__ import main

    apply()
    sys.argv[0] = "rasa"
    main()
