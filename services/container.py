"""Builds the services once, on first use, from the settings.

Rasa instantiates actions with no arguments, so actions ask this module for
their services lazily; tests build their own `Services` around a test database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from services.activities import ActivityService
from services.answers import AnswerService
from services.contacts import ContactService
from services.db import make_engine, make_session_factory
from services.handoff import HandoffService
from services.retrieval import DocumentRetriever
from services.settings import Settings, get_settings
from services.signups import SignupService


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker
    activities: ActivityService
    contacts: ContactService
    signups: SignupService
    answers: AnswerService
    retriever: DocumentRetriever  # the notices' index, rebuilt when they change; one per database
    handoff: HandoffService  # members asking for a person (转人工)

    @classmethod
    def build(cls, settings: Settings, engine: Engine | None = None) -> Services:
        engine = engine or make_engine(settings.database_url)
        factory = make_session_factory(engine)
        activities = ActivityService(factory, settings.today)
        retriever = DocumentRetriever(factory)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=factory,
            activities=activities,
            answers=AnswerService(activities, retriever),
            retriever=retriever,
            contacts=ContactService(factory),
            signups=SignupService(factory, settings.today),
            handoff=HandoffService(factory, settings.working_hours),
        )


@lru_cache(maxsize=1)
def get_services() -> Services:
    return Services.build(get_settings())
