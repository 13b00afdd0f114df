"""Question sets for "Tyck till om mötet", loaded from the TOML files in citizen_app/question_sets/.

The questions are data, not code [issue 7]: staff can add a new version of a set without touching Python.
Every version stays readable, because each stored answer names the set and version it was given with.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent.parent / "question_sets"
_FILE_NAME = re.compile(r"^(?P<set>[a-z_]+)\.v(?P<version>\d+)\.toml$")
PICTURES = {
    "face-very-sad",
    "face-sad",
    "face-neutral",
    "face-happy",
    "face-very-happy",
    "yes",
    "no",
    "unsure",
}


@dataclass(frozen=True)
class Step:
    id: str
    label: dict[str, str]  # language -> text; every step has words, pictures only help
    picture: str | None


@dataclass(frozen=True)
class Question:
    id: str
    theme: str
    kind: str  # "scale" or "text"
    text: dict[str, str]
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


@dataclass(frozen=True)
class QuestionSet:
    set: str
    version: int
    audience: str
    title: dict[str, str]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


class BadQuestionSet(ValueError):
    pass


def _parse(path: Path) -> QuestionSet:
    match = _FILE_NAME.match(path.name)
    if not match:
        raise BadQuestionSet(f"{path.name}: name it <set>.v<version>.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if data.get("set") != match["set"] or data.get("version") != int(match["version"]):
        raise BadQuestionSet(f"{path.name}: 'set' and 'version' inside must match the file name")
    scales = {
        name: tuple(
            Step(id=str(s["id"]), label={"sv": s["sv"], "en": s["en"]}, picture=s.get("picture"))
            for s in scale["steps"]
        )
        for name, scale in data.get("scales", {}).items()
    }
    questions = []
    seen: set[str] = set()
    for q in data["questions"]:
        if q["id"] in seen:
            raise BadQuestionSet(f"{path.name}: question id {q['id']} twice")
        seen.add(q["id"])
        if q["kind"] not in ("scale", "text"):
            raise BadQuestionSet(f"{path.name}: {q['id']}: kind must be scale or text")
        steps = scales[q["scale"]] if q["kind"] == "scale" else ()
        for step in steps:
            if step.picture is not None and step.picture not in PICTURES:
                raise BadQuestionSet(f"{path.name}: unknown picture {step.picture}")
        questions.append(
            Question(
                id=q["id"], theme=q["theme"], kind=q["kind"], text={"sv": q["sv"], "en": q["en"]}, steps=steps
            )
        )
    return QuestionSet(
        set=data["set"],
        version=data["version"],
        audience=data["audience"],
        title={"sv": data["title"]["sv"], "en": data["title"]["en"]},
        questions=tuple(questions),
    )


@cache
def load_all(directory: Path = DIRECTORY) -> dict[tuple[str, int], QuestionSet]:
    """Every set and version in the folder, read once per process."""
    found = {}
    for path in sorted(directory.glob("*.toml")):
        parsed = _parse(path)
        found[(parsed.set, parsed.version)] = parsed
    return found


def newest(set_name: str, directory: Path = DIRECTORY) -> QuestionSet:
    versions = [qs for (name, _), qs in load_all(directory).items() if name == set_name]
    if not versions:
        raise BadQuestionSet(f"no question set {set_name}")
    return max(versions, key=lambda qs: qs.version)


def get(set_name: str, version: int, directory: Path = DIRECTORY) -> QuestionSet:
    try:
        return load_all(directory)[(set_name, version)]
    except KeyError:
        raise BadQuestionSet(f"no question set {set_name} v{version}") from None
