"""The runtime around Rasa: NLU components, Rasa store adapters, process supervision."""
