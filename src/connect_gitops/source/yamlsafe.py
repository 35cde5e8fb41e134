"""Safe, fast YAML reading for files that anyone can commit.

Declarations are parsed with ruamel.yaml's C parser (libyaml in ruamel.yaml.clib) and its safe
constructor: plain data only, no custom tags, no duplicate keys. A file is parsed a second time,
in round-trip mode, only when it has validation errors, because only then do we need the line and
column of every value (:func:`parse_round_trip`, :func:`locate`).

Hostile input fails fast, with the position where it went wrong: files over 1 MiB, bytes that are
not UTF-8, nesting deeper than :data:`MAX_DEPTH` (the C composer recurses and would crash the
process), aliases that expand to more than :data:`MAX_ALIAS_EXPANSION` extra nodes (a "billion
laughs" file), recursive aliases, custom tags and duplicate mapping keys.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLFutureWarning, YAMLWarning
from ruamel.yaml.events import (
    CollectionEndEvent,
    MappingStartEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.main import CParser  # type: ignore[attr-defined]  # None without the clib
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import Resolver
from ruamel.yaml.tag import Tag

# ruamel's YAML 1.1 notes (e.g. "1e3" without a dot) would print a paragraph of advice to the
# user's terminal; the loader reports what matters itself, with file and line.
warnings.filterwarnings("ignore", category=YAMLWarning)
warnings.filterwarnings("ignore", category=YAMLFutureWarning)

MAX_FILE_BYTES: Final = 1024 * 1024
MAX_DEPTH: Final = 100
MAX_ALIAS_EXPANSION: Final = 10_000

Position = tuple[int, int]
"""1-based (line, column)."""

Anchor = Literal["value", "key", "missing"]
"""What a position points at: a value, the key of a mapping entry, or the mapping lacking a key."""


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


_BINARY: Final = getattr(os, "O_BINARY", 0)
"""No newline translation on Windows (0 elsewhere)."""


def _read_at_most(path: Path, limit: int) -> bytes:
    """The first ``limit`` bytes of a file, with plain system calls: no file object to build
    for each of a thousand small files."""
    fd = os.open(path, os.O_RDONLY | _BINARY)  # not inherited by child processes (PEP 446)
    try:
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
    """The pure-Python safe loader, for YAML 1.2 syntax that the bundled libyaml rejects.

    The libyaml in ruamel.yaml.clib is older than YAML 1.2: it refuses e.g. ``[region:project]``
    in flow style, which is valid YAML 1.2 and common in ``privateProjects``. Its composer also
    enforces :data:`MAX_DEPTH` itself.
    """
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    constructor, parser = yaml.get_constructor_parser(text)
    return constructor, parser


_STR: Final = "tag:yaml.org,2002:str"
_MAP: Final = "tag:yaml.org,2002:map"
_SEQ: Final = "tag:yaml.org,2002:seq"
_INT: Final = "tag:yaml.org,2002:int"
_BOOL: Final = "tag:yaml.org,2002:bool"
_NULL: Final = "tag:yaml.org,2002:null"
_FLOAT: Final = "tag:yaml.org,2002:float"
_DECIMAL: Final = re.compile(r"[-+]?[0-9]+")
"""Integers that need no base or underscore handling: ``int()`` reads them as ruamel does."""


_PLAIN_STR: Final = Resolver.DEFAULT_SCALAR_TAG
"""The tag the resolver gives every string scalar (one shared object, compared by identity)."""


class _NotPlain(Exception):
    """The document needs the full safe constructor (merge keys, other tags, duplicates)."""


def _construct_plain(constructor: Any, node: Any) -> Any:
    """Build plain data from composed nodes without the generic constructor's bookkeeping.

    The safe constructor resolves every tag to a string and tracks recursion per node, which
    costs more than parsing; declarations are small trees of maps, lists and strings.
    """
    tag = node.ctag
    if tag.handle is not None:
        raise _NotPlain
    name = tag.suffix
    if name == _STR:
        return node.value
    if name == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            # A string needs no call (most keys and values are): the resolver's shared tag says so.
            if key_node.ctag is _PLAIN_STR:
                key = key_node.value
            else:
                key = _construct_plain(constructor, key_node)
                if isinstance(key, (list, dict)):
                    raise _NotPlain
            if key in mapping:
                raise _NotPlain
            mapping[key] = (
                value_node.value
                if value_node.ctag is _PLAIN_STR
                else _construct_plain(constructor, value_node)
            )
        return mapping
    if name == _SEQ:
        return [
            item.value if item.ctag is _PLAIN_STR else _construct_plain(constructor, item)
            for item in node.value
        ]
    if name == _INT:
        value = node.value
        if _DECIMAL.fullmatch(value):
            return int(value)
        return constructor.construct_non_recursive_object(node)  # 0x, 0o, 0b, 1_000
    if name == _BOOL:
        return node.value.lower() == "true"  # the YAML 1.2 resolver: true/True/TRUE/false/...
    if name == _NULL:
        return None
    if name == _FLOAT:
        return constructor.construct_non_recursive_object(node)
    raise _NotPlain


def _implicit_resolvers() -> dict[str, tuple[tuple[Tag, re.Pattern[str]], ...]]:
    """The YAML 1.2 implicit resolvers by first character, as compiled patterns and shared tags.

    The same rules as ``Resolver.resolve`` in the same order; only the per-call bookkeeping
    (lazy regexes, list concatenation, a new Tag per scalar) is done once here.
    """
    table = Resolver.yaml_implicit_resolvers
    if table.get(None):  # pragma: no cover - ruamel's 1.2 set has no catch-all resolver
        raise RuntimeError("unexpected catch-all implicit resolver")
    tags: dict[str, Tag] = {}
    return {
        first: tuple(
            (tags.setdefault(tag, Tag(suffix=tag)), re.compile(regexp.pattern, regexp.flags))
            for tag, regexp in resolvers
        )
        for first, resolvers in table.items()
        if first is not None
    }


_IMPLICIT: Final = _implicit_resolvers()
_NO_RESOLVERS: Final[tuple[tuple[Tag, re.Pattern[str]], ...]] = ()


_FastLoader: Any
if CParser is not None:

    class _CLoader(CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """libyaml parser + safe constructor + the unversioned YAML 1.2 resolver.

        This is what ``YAML(typ="safe")`` assembles per call when ruamel.yaml.clib is installed, but
        built once, and with ``Resolver`` instead of ``VersionedResolver``, which asks for the YAML
        version on every scalar and costs more than the parsing itself.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self
            SafeConstructor.__init__(self, loader=self)
            self.allow_duplicate_keys = False
            Resolver.__init__(self, loadumper=self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            """``Resolver.resolve`` for a resolver without path resolvers, precomputed."""
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, pattern in _IMPLICIT.get(value[:1], _NO_RESOLVERS):
                        if pattern.match(value):
                            return tag
                return self.DEFAULT_SCALAR_TAG
            if kind is SequenceNode:
                return self.DEFAULT_SEQUENCE_TAG
            return self.DEFAULT_MAPPING_TAG

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """No path resolvers: nothing to track per level."""

        def ascend_resolver(self) -> None:
            """No path resolvers: nothing to track per level."""

        def construct_document(self, node: Any) -> Any:
            """Plain maps, lists and strings directly; anything else the safe constructor's way."""
            try:
                return _construct_plain(self, node)
            except _NotPlain:
                return super().construct_document(node)

    _FastLoader = _CLoader
else:  # pragma: no cover - ruamel.yaml.clib is a dependency on CPython
    _FastLoader = None


def fast_loader_class() -> Any:
    """The loader used for the fast path (a test checks that it is libyaml's CParser)."""
    return _FastLoader


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


def parse_documents(text: str) -> list[Document]:
    """Every document of a file as plain data; raises :class:`YamlProblem`."""
    _check_depth(text)
    try:
        if _FastLoader is not None:
            try:
                loader = _FastLoader(text)
                return _load(loader, loader, text)
            except (DuplicateKeyError, ConstructorError):
                raise
            except MarkedYAMLError:
                pass  # maybe YAML 1.2 syntax that old libyaml refuses: ask the pure parser
        return _load(*_pure_safe_loader(text), text)
    except YAMLError as error:
        raise _problem(error) from None
    except _PARSER_CRASHES as error:
        raise _crash(error) from None


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


def _check_depth(text: str) -> None:
    """Refuse deep nesting before a composer recurses into it.

    Every level of nesting needs one of the indicators counted here, so when there are few of
    them (every ordinary declaration) the file cannot be deep and no extra pass is made.
    """
    indicators = sum(text.count(char) for char in "[{-?:")
    if indicators < MAX_DEPTH:
        return
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


def locate(document: Any, loc: tuple[str | int, ...], anchor: Anchor) -> Position | None:
    """The position of ``loc`` in a round-trip document, or of its deepest existing parent.

    ``key`` points at the key of the last mapping entry, ``value`` at the value (the first
    item of a collection), ``missing`` at the mapping that lacks the last key.
    """
    position = _own_position(document)
    node = document
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and _has_key(node, part):
            if last and anchor == "key":
                return _one_based(node.lc.key(part))
            child = node[part]
            position = _own_position(child) or _one_based(node.lc.value(part))
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            child = node[part]
            position = _own_position(child) or _one_based(node.lc.item(part))
        else:
            break
        node = child
    return position


def _has_key(mapping: CommentedMap, key: object) -> bool:
    try:
        return key in mapping
    except TypeError:
        return False


def _own_position(node: Any) -> Position | None:
    if isinstance(node, (CommentedMap, CommentedSeq)) and node.lc.line is not None:
        return (node.lc.line + 1, node.lc.col + 1)
    return None


def _one_based(position: Any) -> Position:
    line, col = position
    return (int(line) + 1, int(col) + 1)
