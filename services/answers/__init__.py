"""What to answer a member's question about activities: the activity meant, the topic asked,
and a typed reply (`Answer`) that the Rasa actions only utter."""

from services.answers.replies import Answer, Phrase
from services.answers.service import AnswerService, Asked
from services.answers.topics import Topic

__all__ = ["Answer", "AnswerService", "Asked", "Phrase", "Topic"]
