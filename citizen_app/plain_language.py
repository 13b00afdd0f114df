"""Plain Swedish, measured: LIX (läsbarhetsindex) and sentence length [QUALITY 2].

LIX = words / sentences + 100 × long words / words, where a long word has more than 6 letters.
Bands: < 30 very easy, 30–40 easy, 40–50 newspaper, 50–60 official text, > 60 bureaucratic.

Our own function, not ``textstat.lix``: that one drops short sentences and splits hyphenated Swedish words,
which makes headings, buttons and "e-post" count wrongly. The rules, as QUALITY.md section 2 gives them:

- A sentence ends at ``. ! ? :`` and at the end of every block (heading, paragraph, list item, label,
  button, table cell, legend, dt/dd, summary, option …). A mark only ends a sentence when a space or the end
  of the block follows it, so "t.ex." inside a sentence and "SIP:ar" do not. A sentence with no words
  (a phone number, a lone dash) is not counted.
- A word is a run of letters (å, ä, ö and every other Unicode letter). A hyphen between letters keeps it one
  word ("e-post"). So do a colon and an apostrophe between letters: Swedish inflects abbreviations with a
  colon ("SIP:ar", Språkrådet's rule) and English has "don't". Digits are not words. A long word counts only
  its letters.

This module uses only the standard library, so the app itself can use it later (for example to warn staff
about hard texts), not only the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

LONG_WORD_LETTERS = 6  # a word with MORE than this many letters is long

_LETTERS = r"[^\W\d_]+"
# Letters, optionally joined by a hyphen (also U+2010/U+2011), a colon or an apostrophe.
_WORD = re.compile(_LETTERS + r"(?:[-\u2010\u2011:'\u2019]" + _LETTERS + r")*")
_LETTER = re.compile(r"[^\W\d_]")
# A sentence ends after . ! ? : (or a run of them, or an ellipsis), maybe followed by a closing quote or
# bracket, when a space or the end of the block follows.
_SENTENCE_END = re.compile(r"(?<=[.!?:\u2026])[\"'\u201d\u2019)\]]*(?=\s|$)")


def _as_blocks(text_blocks: str | Iterable[str]) -> list[str]:
    if isinstance(text_blocks, str):
        return [text_blocks]
    return list(text_blocks)


def words(text: str) -> list[str]:
    """The words of ``text``: runs of letters (see the module docstring)."""
    return _WORD.findall(text)


def is_long(word: str) -> bool:
    return len(_LETTER.findall(word)) > LONG_WORD_LETTERS


def sentences(text_blocks: str | Iterable[str]) -> list[str]:
    """The sentences of the blocks, in order. Each block ends a sentence; empty sentences are dropped."""
    found: list[str] = []
    for block in _as_blocks(text_blocks):
        for part in _SENTENCE_END.split(block):
            part = re.sub(r"\s+", " ", part).strip()
            if words(part):
                found.append(part)
    return found


def longest_sentence_words(text_blocks: str | Iterable[str]) -> int:
    """The number of words in the longest sentence (0 when there is no text)."""
    return max((len(words(s)) for s in sentences(text_blocks)), default=0)


@dataclass(frozen=True)
class Readability:
    """The numbers behind a LIX value, for readable test failures."""

    words: int
    sentences: int
    long_words: int
    longest_sentence: str

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words

    @property
    def longest_sentence_words(self) -> int:
        return len(words(self.longest_sentence))


def measure(text_blocks: str | Iterable[str]) -> Readability:
    found = sentences(text_blocks)
    all_words = [w for s in found for w in words(s)]
    longest = max(found, key=lambda s: len(words(s)), default="")
    return Readability(
        words=len(all_words),
        sentences=len(found),
        long_words=sum(1 for w in all_words if is_long(w)),
        longest_sentence=longest,
    )


def lix(text_blocks: str | Iterable[str]) -> float:
    """LIX of the text. ``text_blocks`` is one block (a string) or a list of blocks. No words gives 0."""
    return measure(text_blocks).lix


# --- The visible text of <main>, as blocks -------------------------------------------------------------

# Elements whose start and end break the text into blocks: the blocks QUALITY.md names, and the containers
# around them (so text directly inside a <div> does not run into the next paragraph).
BLOCK_ELEMENTS = frozenset(
    """address article aside blockquote br button caption dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr label legend li main nav ol optgroup option p pre section
    select summary table tbody td textarea tfoot th thead tr ul""".split()
)
# Never read: not text at all.
_SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "head", "title"})
_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_BUTTON_INPUTS = frozenset({"submit", "button", "reset"})


def _hidden(attrs: dict[str, str | None]) -> bool:
    """``hidden`` hides from everyone. ``.visually-hidden`` and ``aria-hidden`` do not: screen readers read
    the first and sighted people see the second, so both count."""
    return "hidden" in attrs


class _MainTextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._stack: list[str] = []  # open elements
        self._main_depth: int | None = None  # stack depth of the open <main>, if inside one
        self._skip_depth: int | None = None  # stack depth of the outermost skipped element

    def _end_block(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current)).strip()
        if text:
            self.blocks.append(text)
        self._current = []

    def _reading(self) -> bool:
        return self._main_depth is not None and self._skip_depth is None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag in _VOID_ELEMENTS:
            if self._reading():
                if (
                    tag == "input"
                    and (attrs.get("type") or "").lower() in _BUTTON_INPUTS
                    and not _hidden(attrs)
                ):
                    self._end_block()
                    self._current.append(attrs.get("value") or "")
                    self._end_block()
                elif tag in BLOCK_ELEMENTS:
                    self._end_block()
                elif tag == "img":
                    self._current.append(" ")
            return
        self._stack.append(tag)
        depth = len(self._stack)
        if tag == "main" and self._main_depth is None and self._skip_depth is None:
            if _hidden(attrs):
                self._skip_depth = depth
            else:
                self._main_depth = depth
            return
        if self._skip_depth is None and (tag in _SKIPPED_ELEMENTS or _hidden(attrs)):
            self._skip_depth = depth
        if self._reading() and tag in BLOCK_ELEMENTS:
            self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_ELEMENTS or tag not in self._stack:
            return
        # Close up to the matching open element (HTML lets some end tags be left out).
        while self._stack:
            open_tag = self._stack.pop()
            depth = len(self._stack) + 1
            if self._reading() and open_tag in BLOCK_ELEMENTS:
                self._end_block()
            if self._skip_depth == depth:
                self._skip_depth = None
            if self._main_depth == depth:
                self._end_block()
                self._main_depth = None
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._reading():
            self._current.append(data)


def main_text_blocks(html: str) -> list[str]:
    """The blocks of text a reader meets in the page's ``<main>``, in order, whitespace collapsed.

    Skipped: elements with the ``hidden`` attribute, script, style and template. Counted: text that is
    only visually hidden (screen readers read it) and the value of submit buttons.
    """
    parser = _MainTextParser()
    parser.feed(html)
    parser.close()
    parser._end_block()
    return parser.blocks
