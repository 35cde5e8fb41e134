"""Safe, fast YAML reading for files that anyone can commit.

Declarations are parsed with ruamel.yaml's C parser (libyaml in ruamel.yaml.clib) and its safe
constructor (:mod:`.yaml_fast`): plain data only, no custom tags, no duplicate keys. Only YAML
that the bundled libyaml reads differently from ruamel's own parser goes to the slower
pure-Python one. A file is parsed a second time, in round-trip mode, only when it has
validation errors, because only then do we need the line and column of every value
(:func:`parse_round_trip`, :mod:`.yaml_positions`).

Hostile input fails fast, with the position where it went wrong: files over 1 MiB, bytes that are
not UTF-8, nesting deeper than :data:`MAX_DEPTH` (the C composer recurses and would crash the
process), aliases that expand to more than :data:`MAX_ALIAS_EXPANSION` extra nodes (a "billion
laughs" file), recursive aliases, custom tags and duplicate mapping keys.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLFutureWarning, YAMLWarning
from ruamel.yaml.events import (
    CollectionEndEvent,
    MappingStartEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.main import CParser  # type: ignore[attr-defined]  # None without the clib
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from connect_gitops.source.files import file_kind
from connect_gitops.source.yaml_fast import ColonLoader, FastLoader, has_flow_colon, mask_colons

# ruamel's YAML 1.1 notes (e.g. "1e3" without a dot) would print a paragraph of advice to the
# user's terminal; the loader reports what matters itself, with file and line.
warnings.filterwarnings("ignore", category=YAMLWarning)
warnings.filterwarnings("ignore", category=YAMLFutureWarning)

MAX_FILE_BYTES: Final = 1024 * 1024
MAX_DEPTH: Final = 100
MAX_ALIAS_EXPANSION: Final = 10_000

Position = tuple[int, int]
"""1-based (line, column)."""


class YamlProblem(Exception):
    """A file that cannot be read as safe YAML, with the 1-based position of the cause."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed YAML document: plain data and where it starts."""

    data: Any
    line: int
    col: int
    key_position: Position | None = None
    """Where the value of the top-level ``key`` is (cheap to keep, no re-parse), if any."""


def read_text(path: Path) -> str:
    """Read a file as UTF-8 text, refusing big files and other encodings."""
    data = _read_at_most(path, MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise YamlProblem(f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
    return decode(data)


_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)  # no newline translation on Windows
    | getattr(os, "O_NONBLOCK", 0)  # a named pipe opens at once instead of waiting for a writer
    | getattr(os, "O_NOCTTY", 0)  # a terminal never becomes the controlling one
)


def _read_at_most(path: Path, limit: int) -> bytes:
    """The first ``limit`` bytes of a regular file, with plain system calls: no file object to
    build for each of a thousand small files. Anything else (a named pipe, a device, a folder) is
    refused before a byte is read, so reading never blocks."""
    fd = os.open(path, _OPEN_FLAGS)  # not inherited by child processes (PEP 446)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise YamlProblem(f"{file_kind(mode)}, not a regular file: use a plain file")
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, limit - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(data: bytes) -> str:
    """UTF-8 (an optional BOM is dropped); the position of the first bad byte otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = error.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            f"file is not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded", line, col
        ) from None
    return text.removeprefix("\ufeff")


def _pure_safe_loader(text: str) -> tuple[Any, Any]:
    """The pure-Python safe loader, for YAML 1.2 syntax that the bundled libyaml rejects and
    masking cannot help with (:func:`~.yaml_fast.mask_colons`). Its composer also enforces
    :data:`MAX_DEPTH` itself.
    """
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    constructor, parser = yaml.get_constructor_parser(text)
    return constructor, parser


_PARSER_CRASHES = (IndexError, KeyError, TypeError, ValueError, AttributeError)
"""What ruamel's parser raises, instead of a YAMLError, on some malformed input (a ``%YAML 0.0``
directive gives an IndexError): still the file's fault, so still a problem, never a traceback."""


def _crash(error: Exception) -> YamlProblem:
    return YamlProblem(
        f"not valid YAML: the parser stopped ({type(error).__name__}); check the directives "
        "(lines starting with %) and the structure",
        1,
        1,
    )


_COLON_IN_FLOW: Final = "found unexpected ':'"
"""libyaml 0.1.7's refusal of a colon inside a plain scalar in a flow collection."""


def parse_documents(text: str) -> list[Document]:
    """Every document of a file as plain data; raises :class:`YamlProblem`."""
    shallow = _check_depth(text)
    try:
        if FastLoader is not None:
            found = _load_fast(text, shallow=shallow)
            if found is not None:
                return found
        return _load(*_pure_safe_loader(text), text)
    except YAMLError as error:
        raise _problem(error) from None
    except _PARSER_CRASHES as error:
        raise _crash(error) from None


def _load_fast(text: str, *, shallow: bool) -> list[Document] | None:
    """The documents as libyaml reads them (colons in flow scalars masked where needed); None
    for YAML 1.2 syntax that the bundled libyaml refuses and masking cannot help with."""
    masked_tried = has_flow_colon(text)
    if masked_tried:
        found = _load_masked(text, shallow=shallow)
        if found is not None:
            return found
    try:
        loader = FastLoader(text)
        return _load(loader, loader, text)
    except (DuplicateKeyError, ConstructorError):
        raise
    except MarkedYAMLError as error:
        if str(error.problem) == _COLON_IN_FLOW and not masked_tried:
            return _load_masked(text, shallow=shallow)  # a flow collection over several lines
        return None


def _load_masked(text: str, *, shallow: bool) -> list[Document] | None:
    """The documents of a text with colons inside flow scalars, read by libyaml with those
    colons masked; None when masking cannot be trusted here or libyaml still refuses (the
    pure parser then decides, with its own message)."""
    masked = mask_colons(text)
    if masked is None:
        return None
    if not shallow:
        _check_depth(masked)  # the scan of the original text stopped at the first such colon
    loader = ColonLoader(masked)
    try:
        return _load(loader, loader, masked)
    except (YAMLError, YamlProblem, *_PARSER_CRASHES):
        return None


def _load(constructor: Any, parser: Any, text: str) -> list[Document]:
    documents: list[Document] = []
    may_alias = "*" in text or "<<" in text
    composer = constructor.composer
    try:
        while composer.check_node():
            node = composer.get_node()
            if may_alias:
                _check_expansion(node)
            data = constructor.construct_document(node)
            mark = node.start_mark
            documents.append(Document(data, mark.line + 1, mark.column + 1, _key_position(node)))
    except RecursionError:
        raise YamlProblem("aliases nest too deeply") from None
    finally:
        parser.dispose()
    return documents


def _key_position(node: Node) -> Position | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "key":
                return (value.start_mark.line + 1, value.start_mark.column + 1)
    return None


def parse_round_trip(text: str) -> list[Any]:
    """Every document in round-trip form: mappings and lists that know their positions."""
    _check_depth(text)
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return list(yaml.load_all(text))
    except YAMLError as error:
        raise _problem(error) from None
    except _PARSER_CRASHES as error:
        raise _crash(error) from None


def _check_depth(text: str) -> bool:
    """Refuse deep nesting before a composer recurses into it; True when the cheap bound alone
    rules it out.

    Every level of nesting needs one of the indicators counted by :func:`_nesting_bound`, so
    when there are few of them (every ordinary declaration) the file cannot be deep and no
    extra pass is made.
    """
    if _nesting_bound(text) < MAX_DEPTH:
        return True
    depth = 0
    for event, mark in _events(text):
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(
                    f"nesting is deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return False


_BLOCK_ENTRIES: Final = ("- ", "-\t", "-\r", "-\n")
_RARE_BREAKS: Final = ("\x85", "\u2028", "\u2029")


def _nesting_bound(text: str) -> int:
    """An upper bound of how deep ``text`` nests: a flow collection opens with '[' or '{', a
    mapping level needs a ':' or a '?', a block sequence level a '-' followed by a blank or a
    line break (a '-' inside a word, as in most keys and regions, opens nothing). A text with
    the rarer line breaks (NEL, LS, PS) gets no bound."""
    if any(mark in text for mark in _RARE_BREAKS):
        return MAX_DEPTH
    bound = text.count("[") + text.count("{") + text.count(":") + text.count("?")
    return bound + sum(text.count(entry) for entry in _BLOCK_ENTRIES) + text.endswith("-")


def _events(text: str) -> Iterator[tuple[Any, Any]]:
    parser: Any = CParser(text) if CParser is not None else _pure_safe_loader(text)[1]
    try:
        while True:
            try:
                event = parser.get_event()
            except YAMLError:
                return  # the real parse reports syntax errors with better context
            if event is None or isinstance(event, StreamEndEvent):
                return
            yield event, event.start_mark
    finally:
        parser.dispose()


def _check_expansion(root: Node) -> None:
    """Refuse recursive aliases and aliases that expand to too many nodes."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    distinct = 0

    def size(node: Node) -> int:
        nonlocal distinct
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in active:
            mark = node.start_mark
            raise YamlProblem(
                "recursive alias: a node contains itself", mark.line + 1, mark.column + 1
            )
        distinct += 1
        total = 1
        if isinstance(node, (MappingNode, SequenceNode)):
            active.add(id(node))
            children = (
                [child for pair in node.value for child in pair]
                if isinstance(node, MappingNode)
                else node.value
            )
            for child in children:
                total += size(child)
            active.discard(id(node))
        sizes[id(node)] = total
        if total - distinct > MAX_ALIAS_EXPANSION:
            mark = node.start_mark
            raise YamlProblem(
                f"aliases expand to more than {MAX_ALIAS_EXPANSION} nodes",
                mark.line + 1,
                mark.column + 1,
            )
        return total

    size(root)


_DUPLICATE = re.compile(r'found duplicate key "(?P<key>.*)" with value')
_TAG = re.compile(r"constructor for the tag '(?P<tag>[^']*)'")


def _problem(error: YAMLError) -> YamlProblem:
    """A ruamel error as a one-line message with the position of its cause."""
    if isinstance(error, YamlProblem):
        return error
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = str(getattr(error, "problem", None) or error).strip()
    if isinstance(error, DuplicateKeyError) and (match := _DUPLICATE.search(problem)):
        return YamlProblem(f"duplicate key {match['key']!r} in one mapping", line, col)
    if isinstance(error, ConstructorError) and (match := _TAG.search(problem)):
        tag = match["tag"].replace("tag:yaml.org,2002:", "!!")
        return YamlProblem(f"tag {tag!r} is not allowed: plain YAML only", line, col)
    context = getattr(error, "context", None)
    message = f"{context}: {problem}" if context and mark is not None else problem
    return YamlProblem(f"invalid YAML: {' '.join(message.split())}", line, col)
