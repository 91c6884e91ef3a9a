"""What the console writes to data/nlu/review.yml (in .venv-edge) is training data Rasa reads
(here, in Rasa's environment), and tests.nlu_yaml, with which the console's tests read the
file without Rasa, reads it as Rasa does."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from services.review_file import REVIEW_FILE, ReviewFile
from tests.nlu_yaml import examples


def read_by_rasa(path: Path) -> dict[str, list[str]]:
    data = RasaYAMLReader().reads(path.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for message in data.training_examples:
        found.setdefault(message.get("intent"), []).append(message.get("text"))
    return found


@pytest.fixture
def review_file(tmp_path: Path) -> ReviewFile:
    training = tmp_path / "nlu"
    training.mkdir()
    (training / "greet.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n',
                                        encoding="utf-8")
    return ReviewFile(training / "review.yml", lock_path=tmp_path / "review.lock", training_dir=training)


def test_the_repositorys_review_file_is_valid_training_data():
    text = REVIEW_FILE.read_text(encoding="utf-8")
    assert yaml.safe_load(text)["version"] == "3.1"
    RasaYAMLReader().reads(text)  # raises on anything Rasa would refuse


def test_what_the_console_writes_rasa_reads_with_the_hand_edits_kept(review_file):
    review_file.path.write_text(textwrap.dedent("""\
        version: "3.1"
        nlu:
        - intent: ask_contact
          examples: |
            - [妇联](organisation)的邮编
            - [质协]{"entity": "organisation", "value": "上海市质量协会"}的传真
        - synonym: 上海市质量协会
          examples: |
            - 市质协
        """), encoding="utf-8")
    review_file.add("ask_contact", ["质协热线打不通怎么办？", "  热线\n  一直占线  ", "[急]电话多少"])
    review_file.add("out_of_scope", ["今天股市怎么样"])
    data = RasaYAMLReader().reads(review_file.path.read_text(encoding="utf-8"))
    assert data.entity_synonyms == {"市质协": "上海市质量协会", "质协": "上海市质量协会"}
    assert read_by_rasa(review_file.path) == examples(review_file.path) == {
        "ask_contact": ["妇联的邮编", "质协的传真", "质协热线打不通怎么办？", "热线 一直占线", "［急］电话多少"],
        "out_of_scope": ["今天股市怎么样"]}
