"""Answers from the notices themselves: fielded BM25 over their sentences.

- `passages`: a notice's text as sentences under their headings, and the notice's own card;
- `words`: the terms a question and a passage are searched by (jieba, synonyms, bigrams);
- `spelling`: a word typed with pinyin input respelt as the notice word it sounds like;
- `questions`: what a question asks for, and the shape of the sentence that answers it;
- `index`: the BM25F index, its scoring and the thresholds below which nothing answers;
- `retriever`: the index of the database's notices, rebuilt when they change.
"""
from services.retrieval.index import DocumentAnswer, DocumentIndex, Hit, NamedNotice, build_index
from services.retrieval.passages import Passage, notice_card, split_passages
from services.retrieval.questions import (
    ARRIVING,
    PER_UNIT_QUESTION,
    asked_kinds,
    asked_thing,
    fits_asked,
    is_question,
    question_form,
    rank_asked,
    things_named,
    uncommon_words,
)
from services.retrieval.retriever import DocumentRetriever
from services.retrieval.words import DROPPED, terms

__all__ = [
    "ARRIVING", "DROPPED", "PER_UNIT_QUESTION", "DocumentAnswer", "DocumentIndex", "DocumentRetriever", "Hit",
    "NamedNotice", "Passage", "asked_kinds", "asked_thing", "build_index", "fits_asked", "is_question", "notice_card",
    "question_form", "rank_asked", "split_passages", "terms", "things_named", "uncommon_words",
]
