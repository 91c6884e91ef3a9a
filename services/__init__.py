"""The association's domain: activities, contacts, sign-ups and notices.

Nothing in this package imports Rasa or an HTTP framework: actions, the gateway
and the command-line tools all call the same services.
"""
