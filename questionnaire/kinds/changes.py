"""What changed in an answer part, in words: the kinds' describe_change() speaks this.

A Change is one readable step ("Added link https://…", "Ticked Artificial
Intelligence", "Changed the URL of link “Portal” from … to …"). Each kind says
which changes two of its values differ by (Kind.describe_change);
questionnaire.answer_changes reads them per part for the reviewers' history and for an
answer beside the previous edition's. as_html() is the one place a
change becomes HTML: every value escaped, what was removed in <del> and what was
added in <ins>, each with its words, so that nothing is told by colour alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# Text longer than this, or on several lines, is compared word by word: a whole
# paragraph struck through and typed again hides the one word that changed.
WORDS_FROM_LENGTH = 80


class Action(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    TICKED = "ticked"
    UNTICKED = "unticked"


class Words(StrEnum):
    """What a run of words of a word-by-word comparison is."""

    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Change:
    """One change of a part. `subject` names what changed ("link", "the URL of link 2"),
    `before` and `after` are the texts as typed; `words` is the word-by-word comparison of
    a long text ((Words, text) runs), empty for short values."""

    action: Action
    subject: str
    before: str = ""
    after: str = ""
    words: tuple[tuple[Words, str], ...] = ()

    def as_html(self) -> SafeString:
        """The change in words, its values escaped and marked <del> / <ins>.

        Each value is isolated in its own direction (dir="auto"): an Arabic answer quoted in
        an English sentence, or a URL in an Arabic one, would otherwise reorder the words
        around it."""
        before = format_html('<del class="history-before" dir="auto">{}</del>', self.before)
        after = format_html('<ins class="history-after" dir="auto">{}</ins>', self.after)
        if self.action == Action.ADDED:
            return format_html(_("Added {subject} {after}"), subject=self.subject, after=after)
        if self.action == Action.REMOVED:
            return format_html(_("Removed {subject} {before}"), subject=self.subject, before=before)
        if self.action == Action.TICKED:
            return format_html(_("Ticked {after}"), after=after)
        if self.action == Action.UNTICKED:
            return format_html(_("Unticked {before}"), before=before)
        if self.words:
            return format_html(
                # The space keeps the words apart where the runs are inline (the officials'
                # pages); the history sets them as a block below.
                '{} <span class="history-words">{}</span>',
                format_html(_("Changed {subject}, word by word:"), subject=self.subject),
                words_html(self.words),
            )
        return format_html(
            _("Changed {subject} from {before} to {after}"),
            subject=self.subject,
            before=before,
            after=after,
        )


def words_html(words: tuple[tuple[Words, str], ...]) -> SafeString:
    """Runs of words, removed ones in <del> and added ones in <ins>, each saying so to a
    screen reader (which does not announce <del> and <ins> by itself)."""
    marks = {
        Words.ADDED: ('<ins class="history-after"><span class="visually-hidden">{}</span>{}</ins>'),
        Words.REMOVED: (
            '<del class="history-before"><span class="visually-hidden">{}</span>{}</del>'
        ),
    }
    spoken = {Words.ADDED: _("[added:] "), Words.REMOVED: _("[removed:] ")}
    shown = []
    for index, (kind, text) in enumerate(words):
        shown.append(format_html(marks[kind], spoken[kind], text) if kind in marks else text)
        # A text's last word replaced has no space after it: without one, the struck-out
        # and the new word would read as one ("technologies.Digital").
        if (
            kind == Words.REMOVED
            and not text[-1:].isspace()
            and index + 1 < len(words)
            and words[index + 1][0] == Words.ADDED
        ):
            shown.append(" ")
    return format_html_join("", "{}", ((part,) for part in shown))


def words_diff(before: str, after: str) -> tuple[tuple[Words, str], ...]:
    """The runs of words (with the spaces after them) kept, removed and added from
    `before` to `after` (difflib); consecutive runs of the same kind are joined."""
    old, new = re.findall(r"\S+\s*|\s+", before), re.findall(r"\S+\s*|\s+", after)
    runs: list[tuple[Words, str]] = []

    def add(kind: Words, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + text)
        else:
            runs.append((kind, text))

    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(Words.SAME, old[i1:i2])
        else:
            add(Words.REMOVED, old[i1:i2])
            add(Words.ADDED, new[j1:j2])
    return tuple(runs)


def text_changes(before: str, after: str, *, subject: str) -> list[Change]:
    """How a text went from `before` to `after` ("" is no text): added, removed, or changed,
    word by word when it is long."""
    before, after = before or "", after or ""
    if before == after:
        return []
    if not before.strip():
        return [Change(Action.ADDED, subject, after=after)]
    if not after.strip():
        return [Change(Action.REMOVED, subject, before=before)]
    if max(len(before), len(after)) > WORDS_FROM_LENGTH or "\n" in before + after:
        return [Change(Action.CHANGED, subject, before, after, words_diff(before, after))]
    return [Change(Action.CHANGED, subject, before, after)]


def list_changes(before: list[str], after: list[str], *, subject: str) -> list[Change]:
    """Items (e-mail addresses) added and removed, each on its own, in their order."""
    return [
        *(Change(Action.REMOVED, subject, before=item) for item in before if item not in after),
        *(Change(Action.ADDED, subject, after=item) for item in after if item not in before),
    ]
