"""Thin Rasa actions: read slots and entities, call one service, choose a response."""
