"""The building blocks of every Markdown report: escaping, tables, collapsible details, and
sections folded to a size limit.

Names and values come from users' files and the live API and end up in GitHub pages, so all of
them are escaped: in code spans (pipes escaped for tables, fences longer than any backtick run)
or as text (HTML and Markdown punctuation escaped). GitHub caps comments and summaries, so each
report folds to fit ``max_chars`` (:func:`fold`): it keeps the details of as many rows as fit,
then as many rows, and says how many it left out and where they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest

from connect_gitops.core.plan import Change, Orphan
from connect_gitops.reporting._deployments import NO_KEY
from connect_gitops.reporting._format import CHANGE_SYMBOL, clean

SEE_ELSEWHERE = "see the step summary / JSON plan"

_PUNCTUATION = re.compile(r"([\\`*_\[\]|~@#])")
"""Characters with inline meaning in a table cell: emphasis, links, code, cells, mentions and
issue references (``<``, ``>`` and ``&`` are escaped as HTML)."""
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """Inline text with every Markdown and HTML meaning taken away (safe in table cells too)."""
    return html.escape(_PUNCTUATION.sub(r"\\\1", clean(value)), quote=False)


def code(value: str) -> str:
    """An inline code span for a table cell: one line, pipes escaped, a fence that cannot close
    early (longer than any backtick run inside)."""
    content = clean(value).replace("|", "\\|")
    if not content:
        return "` `"
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    if content.startswith("`") or content.endswith("`"):
        content = f" {content} "
    return f"{fence}{content}{fence}"


def html_code(value: str) -> str:
    """Inline code inside HTML (``<summary>``), where Markdown is not parsed."""
    return f"<code>{html.escape(clean(value))}</code>"


def row(*cells: str) -> str:
    """One table row; the cells are already escaped."""
    return "| " + " | ".join(cells) + " |\n"


def table_header(*names: str) -> str:
    """A table's header row and its delimiter row."""
    return row(*names) + row(*("---" for _ in names))


def source_cell(file: str | None, line: int | None) -> str:
    """``file:line`` as code, or nothing for an item that no file declares."""
    if not file:
        return ""
    return code(file + (f":{line}" if line is not None else ""))


def details_block(label: str, target: str, body: str, *, open_: bool = False) -> str:
    """A collapsible block; its summary is HTML, so it is escaped as HTML."""
    summary = f"{html_code(label)} ({html.escape(clean(target))})"
    return (
        f"<details{' open' if open_ else ''}><summary>{summary}</summary>\n\n{body}\n</details>\n\n"
    )


def heading(title: str, headline: str) -> str:
    """The title (escaped: it may name a target) and our own summary sentence."""
    return f"### {text(title)}\n\n**{headline}**\n\n"


@dataclass
class Section:
    """One table of a report, with the per-row details shown when there is room."""

    heading: str
    header: str
    rows: list[str]
    noun: str
    details: list[str] = field(default_factory=list)
    """The details of each row, in the rows' order (``""`` for a row that has none)."""

    @property
    def detail_count(self) -> int:
        return sum(1 for block in self.details if block)

    def render(self, rows: int | None = None, *, details: int | None = None) -> str:
        """The first ``rows`` rows (None: all), then the details of the first ``details`` of
        those rows that have any (None: all of them)."""
        if not self.rows:
            return ""
        shown = self.rows if rows is None else self.rows[:rows]
        out = self.heading + self.header + "".join(shown)
        if len(shown) < len(self.rows):
            out += more_line(len(self.rows) - len(shown), self.noun)
        blocks = [block for block in self.details[: len(shown)] if block]
        if details is not None:
            blocks = blocks[: max(details, 0)]
        if blocks:
            out += "\n" + "".join(blocks).rstrip("\n") + "\n"
        return out + "\n"


def orphan_section(
    orphans: Sequence[Orphan],
    explanation: str,
    *,
    title: str = "Orphans",
    column: str = "Connector",
) -> Section:
    """Live resources that no declaration names; one without a key is shown by its id."""
    return Section(
        heading=f"#### {title}\n\n{explanation}\n\n",
        header=table_header(column, "Target", "Id"),
        rows=[
            row(
                code(o.key) if o.key else text(NO_KEY),
                code(o.target),
                code(o.id) if o.id else "",
            )
            for o in orphans
        ],
        noun=title.lower(),
    )


def changes_section(
    listed: Sequence[Change],
    *,
    title: str,
    column: str,
    noun: str,
    summary: Callable[[Change], str],
    details: Callable[[Change], str],
) -> Section:
    """One table of planned changes (connectors, or deployments), with each change's details."""
    return Section(
        heading=f"#### {title}\n\n",
        header=table_header("", column, "Target", "Source", "Change"),
        rows=[
            row(
                code(CHANGE_SYMBOL[c.kind]),
                code(c.key),
                code(c.target),
                source_cell(c.file, c.line),
                summary(c),
            )
            for c in listed
        ],
        noun=noun,
        details=[details(c) for c in listed],
    )


# --- folding to a size limit ------------------------------------------------------------------


def more_line(count: int, noun: str) -> str:
    return f"\n… and {count} more {noun} ({SEE_ELSEWHERE})\n"


def details_note(left_out: int, total: int, noun: str) -> str:
    """The line that says how many details a folded report leaves out, and where they are."""
    return (
        f"_Details of {left_out} of {total} {noun} are left out to keep this short; "
        f"{SEE_ELSEWHERE}._\n\n"
    )


def share_fairly(costs: Sequence[Sequence[int]], available: int) -> list[int]:
    """Split ``available`` characters between tables so a long one cannot starve the others.

    Tables that fit in an equal share get what they need; the rest split what is left equally.
    """
    budgets = [0] * len(costs)
    pending = [i for i, rows in enumerate(costs) if rows]
    available = max(available, 0)
    while pending:
        share = available // len(pending)
        small = [i for i in pending if sum(costs[i]) <= share]
        if not small:
            for i in pending:
                budgets[i] = share
            break
        for i in small:
            budgets[i] = sum(costs[i])
            available -= budgets[i]
        pending = [i for i in pending if i not in small]
    return budgets


def most_that_fit(fits: Callable[[int], bool], too_many: int) -> int:
    """The largest count below ``too_many`` that ``fits``, by bisection: 0 fits, and every count
    below one that fits fits too."""
    low = 0
    while too_many - low > 1:
        middle = (low + too_many) // 2
        if fits(middle):
            low = middle
        else:
            too_many = middle
    return low


def rows_within(section: Section, budget: int) -> tuple[int, int]:
    """How many of the section's rows fit in ``budget`` characters, and how many of them keep
    their details (those of the first rows, while they fit)."""
    shown, with_details, used, details_fit = 0, 0, 0, True
    for line, block in zip_longest(section.rows, section.details, fillvalue=""):
        if block and details_fit and used + len(line) + len(block) <= budget:
            used += len(line) + len(block)
            with_details += 1
        elif used + len(line) <= budget:
            used += len(line)
            details_fit = details_fit and not block  # details stay those of the first rows
        else:
            break
        shown += 1
    return shown, with_details


def fold(intro: str, sections: Sequence[Section], max_chars: int, outro: str = "") -> str:
    """The report within ``max_chars``, keeping as much as fits, in this order:

    1. everything;
    2. every row, and the details of as many rows as fit (the first ones);
    3. as many rows as fit in each table, each with its details while they fit; a line per
       table counts the rows left out.

    A note under the headline says how many details are left out; the JSON plan and the step
    summary have them all.
    """

    def page(parts: Iterable[str], note: str = "") -> str:
        return (intro + note + "".join(parts) + outro).rstrip("\n") + "\n"

    full = page(s.render() for s in sections)
    if len(full) <= max_chars:
        return full
    total = sum(s.detail_count for s in sections)
    noun = next((s.noun for s in sections if s.detail_count), "")

    def rows_with_details(kept: int) -> str:
        parts, left = [], kept
        for section in sections:
            parts.append(section.render(details=left))
            left = max(left - section.detail_count, 0)
        return page(parts, details_note(total - kept, total, noun) if total else "")

    if len(rows_with_details(0)) <= max_chars:
        kept = most_that_fit(lambda n: len(rows_with_details(n)) <= max_chars, total)
        return rows_with_details(kept)

    widest_note = details_note(total, total, noun) if total else ""
    skeleton = page((s.render(0) for s in sections), widest_note)
    units = [
        [len(line) + len(block) for line, block in zip_longest(s.rows, s.details, fillvalue="")]
        for s in sections
    ]
    budgets = share_fairly(units, max_chars - len(skeleton) - 2 * len(sections))
    parts, kept = [], 0
    for section, budget in zip(sections, budgets, strict=True):
        # The "and K more" line only shrinks as rows are added, so the 0-row size bounds it.
        shown, with_details = rows_within(section, budget)
        parts.append(section.render(shown, details=with_details))
        kept += with_details
    out = page(parts, details_note(total - kept, total, noun) if total else "")
    return out if len(out) <= max_chars else out[: max_chars - 2] + "…\n"
