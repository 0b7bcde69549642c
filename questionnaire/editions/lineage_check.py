"""Checking what the questions of an edition file continue, against the editions loaded.

A question may continue questions of an earlier edition (`continues`, a part's `from`,
`map`: docs/editions.md). Before anything is written, the loader asks here that every
reference holds: the edition is loaded (the earlier edition is loaded first), the questions
and parts exist, the kinds of the parts carried are the same, every option of an old
part has a counterpart (the same code, or a `map` entry; null to drop it), no edition
continues itself through a loop, and editions already continuing the one being loaded
still find what they continue. A problem raises EditionFileError with the file, the
question and the problem.

What is stored on Question.lineage (and read by editions.lineage) is the resolved form:
    {"edition": "msq-2020", "questions": ["q10", "q11"],
     "parts": {new part: {"question": old question, "part": old part,
                          "options": {old code: new code or None}}}}
with "options" only where the file maps some; a part new in its edition is not listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from questionnaire.editions.reading import edition_path
from questionnaire.editions.texts import EditionFileError
from questionnaire.kinds import KINDS
from questionnaire.models import Edition, Question

# {question code: its parts} of one edition, as stored (Question.parts).
SourceParts = Mapping[str, list[dict]]


class LineageProblem(Exception):
    """A reference that does not hold, in words for the loader's message."""


def _option_codes(part: dict) -> list[str]:
    return [code for code, _label in KINDS[part["kind"]].choices(part)]


def _source_of(
    name: str, written: list[str | None] | None, spec: dict, sources: SourceParts
) -> tuple[str, dict] | None:
    """(old question, old part) the new part `name` continues, or None for a new part.

    Without `from`, a part continues the part of the same name, if one question continued has
    it; with `from: part` (or `from: question/part` in a merge), the part named."""
    edition = spec["edition"]
    question, old_name = written if written else (None, name)
    candidates = [question] if question else spec["questions"]
    found = [
        (code, part) for code in candidates for part in sources[code] if part["name"] == old_name
    ]
    if not found:
        if not written:
            return None
        where = " or ".join(f"{edition}/{code}" for code in candidates)
        raise LineageProblem(f"part {name!r}: from {old_name!r}: {where} has no part {old_name!r}")
    if len(found) > 1:
        where = " and ".join(f"{edition}/{code}" for code, _part in found)
        raise LineageProblem(
            f"part {name!r}: part {old_name!r} is in {where}: "
            f"say which with from: {found[0][0]}/{old_name}"
        )
    return found[0]


def _options_checked(
    name: str, part: dict, old_part: dict, where: str, renames: dict[str, str | None]
) -> None:
    """Every option of the old part has a counterpart: a new option of the same code, or a
    `map` entry (to None to drop it); the map names only options the old part has."""
    old_codes = _option_codes(old_part)
    unknown = [code for code in renames if code not in old_codes]
    if unknown:
        raise LineageProblem(
            f"map of part {name!r} names option {unknown[0]!r}, which {where} does not have "
            f"(its options: {', '.join(old_codes)})"
        )
    new_codes = set(_option_codes(part))
    unmatched = [code for code in old_codes if code not in renames and code not in new_codes]
    if unmatched:
        raise LineageProblem(
            f"part {name!r} continues {where}, whose options {', '.join(unmatched)} it does not "
            f"have: map them to its options (map: {{{name}: {{{unmatched[0]}: <new code>}}}}), "
            "or to null to drop them"
        )


def lineage_resolve(*, spec: dict, parts: list[dict], sources: SourceParts) -> dict:
    """The lineage to store for a question of `parts` continuing `spec` (as read from the file:
    edition, questions, from, map), given the parts of the continued questions that exist
    (`sources`). Raises LineageProblem if a reference does not hold."""
    edition = spec["edition"]
    for code in spec["questions"]:
        if code not in sources:
            raise LineageProblem(f"continues {edition}/{code}, which {edition} does not have")
    resolved: dict[str, dict[str, Any]] = {}
    for part in parts:
        name = part["name"]
        source = _source_of(name, spec["from"].get(name), spec, sources)
        renames = spec["map"].get(name, {})
        if source is None:
            if renames:
                raise LineageProblem(f"map names part {name!r}, which continues no part")
            continue
        question, old_part = source
        where = f"{edition}/{question} part {old_part['name']!r}"
        if old_part["kind"] != part["kind"]:
            raise LineageProblem(
                f"part {name!r} ({part['kind']}) cannot continue {where} ({old_part['kind']}): "
                "the kinds differ"
            )
        if KINDS[part["kind"]].has_options:
            _options_checked(name, part, old_part, where, renames)
        resolved[name] = {"question": question, "part": old_part["name"]}
        if renames:
            resolved[name]["options"] = dict(renames)
    taken = {carried["question"] for carried in resolved.values()}
    for code in spec["questions"]:
        if code not in taken:
            raise LineageProblem(
                f"continues {edition}/{code} but takes none of its parts: give a part the "
                "same name as one of its parts, or say from: on the part"
            )
    return {"edition": edition, "questions": list(spec["questions"]), "parts": resolved}


def _spec_of(lineage: dict) -> dict:
    """A stored lineage written back as the file's references (every part's source explicit)."""
    return {
        "edition": lineage["edition"],
        "questions": lineage["questions"],
        "from": {
            name: [carried["question"], carried["part"]]
            for name, carried in lineage["parts"].items()
        },
        "map": {
            name: carried["options"]
            for name, carried in lineage["parts"].items()
            if carried.get("options")
        },
    }


def _continuing(data: dict) -> list[dict]:
    return [
        question
        for section in data["sections"]
        for question in section["questions"]
        if question["continues"]
    ]


def _loaded_edition(path: Path, code: str, question: str) -> Edition:
    edition = Edition.objects.filter(code=code).first()
    if edition is not None:
        return edition
    if edition_path(code).exists():
        problem = (
            f"continues edition {code}, which is not loaded: load the earlier edition first "
            f"(manage.py load_edition {code})"
        )
    else:
        problem = (
            f"continues edition {code!r}, which is not loaded and has no file in "
            "questionnaire/editions/"
        )
    raise EditionFileError(path, problem, question)


def _loop_from(start: str, back_to: str, graph: Mapping[str, set[str]]) -> list[str] | None:
    """The editions from `start` to `back_to` following what each continues, if any."""
    trail = [start]
    seen = {start}

    def walk(edition: str) -> bool:
        if edition == back_to:
            return True
        for continued in sorted(graph.get(edition, ())):
            if continued not in seen:
                seen.add(continued)
                trail.append(continued)
                if walk(continued):
                    return True
                trail.pop()
        return False

    return trail if walk(start) else None


def _edition_graph(*, leaving_out: str) -> dict[str, set[str]]:
    """{edition: editions it continues} of the editions loaded, but `leaving_out`'s."""
    graph: dict[str, set[str]] = {}
    rows = Question.objects.exclude(lineage={}).exclude(edition__code=leaving_out)
    for edition, lineage in rows.values_list("edition__code", "lineage"):
        graph.setdefault(edition, set()).add(lineage["edition"])
    return graph


def _source_parts(edition: Edition, codes: set[str]) -> dict[str, list[dict]]:
    return dict(edition.questions.filter(code__in=codes).values_list("code", "parts"))


def lineage_resolved(*, path: Path, data: dict) -> dict[str, dict]:
    """{question code: lineage to store} of every question of the file that continues one;
    refuses (EditionFileError) the first reference that does not hold. Reads only."""
    continuing = _continuing(data)
    editions: dict[str, Edition] = {}
    for question in continuing:
        code = question["continues"]["edition"]
        if code not in editions:
            editions[code] = _loaded_edition(path, code, question["code"])

    graph = _edition_graph(leaving_out=data["code"])
    for question in continuing:
        code = question["continues"]["edition"]
        loop = _loop_from(code, data["code"], graph)
        if loop:
            raise EditionFileError(
                path,
                f"continues {code}/{question['continues']['questions'][0]}, but {code} continues "
                f"this edition: {' → '.join([data['code'], *loop])} is a cycle",
                question["code"],
            )
        if editions[code].year >= data["year"]:
            raise EditionFileError(
                path,
                f"continues {code}, an edition of {editions[code].year}: a question continues "
                f"one of an earlier edition than this one ({data['year']})",
                question["code"],
            )

    wanted: dict[str, set[str]] = {}
    for question in continuing:
        spec = question["continues"]
        wanted.setdefault(spec["edition"], set()).update(spec["questions"])
    sources = {code: _source_parts(editions[code], wanted[code]) for code in wanted}
    resolved = {}
    for question in continuing:
        spec = question["continues"]
        try:
            resolved[question["code"]] = lineage_resolve(
                spec=spec, parts=question["parts"], sources=sources[spec["edition"]]
            )
        except LineageProblem as problem:
            raise EditionFileError(path, str(problem), question["code"]) from problem
    return resolved


def lineage_dependents_check(*, path: Path, data: dict) -> None:
    """Refuse a file that would break the editions continuing this one: a question they
    continue gone, a part gone or of another kind, an option gone without a mapping."""
    sources = {
        question["code"]: question["parts"]
        for section in data["sections"]
        for question in section["questions"]
    }
    dependents = (
        Question.objects.exclude(lineage={})
        .exclude(edition__code=data["code"])
        .select_related("edition")
        .order_by("edition__code", "order")
    )
    for dependent in dependents:
        lineage = dependent.lineage
        if lineage["edition"] != data["code"]:
            continue
        name = f"{dependent.edition.code}/{dependent.code}"
        gone = [code for code in lineage["questions"] if code not in sources]
        if gone:
            raise EditionFileError(path, f"is gone from the file but {name} continues it", gone[0])
        if dependent.edition.year <= data["year"]:
            raise EditionFileError(
                path,
                f"{name} continues this edition, which would be of {data['year']}, not earlier "
                f"than {dependent.edition.year}",
                lineage["questions"][0],
            )
        try:
            lineage_resolve(spec=_spec_of(lineage), parts=dependent.parts, sources=sources)
        except LineageProblem as problem:
            raise EditionFileError(
                path, f"{name} continues it, and would not hold: {problem}", lineage["questions"][0]
            ) from problem
