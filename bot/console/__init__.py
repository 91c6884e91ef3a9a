"""The staff console (issue #5): conversations live, takeover, sign-up lists, accounts."""

from bot.console.app import setup_console

__all__ = ["setup_console"]
