"""The fast path of :mod:`connect_gitops.source.yamlsafe`: libyaml (ruamel.yaml.clib's C parser)
with the safe constructor and the YAML 1.2 resolver, assembled once, building plain data without
the generic constructor's bookkeeping; and the masking that keeps plain scalars with colons
inside flow collections (``privateProjects: [europe-west1.gcp:shop-a]``) on this path.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.main import CParser  # type: ignore[attr-defined]  # None without the clib
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import Resolver
from ruamel.yaml.tag import Tag

FastLoader: Any
"""libyaml + safe constructor + YAML 1.2 resolver, or None without ruamel.yaml.clib."""
ColonLoader: Any
""":data:`FastLoader` for a text masked by :func:`mask_colons`."""


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
_MASKED_STR: Final = Tag(suffix=_STR)
"""The tag of a string scalar that holds masked colons (:func:`mask_colons`): a string, but not
the shared tag, so it takes the slow branch of :func:`_construct_plain` and gets them back."""


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
        value = node.value
        return value.replace(COLON_STAND_IN, ":") if tag is _MASKED_STR else value
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

    class _ColonLoader(_CLoader):
        """:class:`_CLoader` for a text whose colons inside plain scalars were masked
        (:func:`mask_colons`): a scalar holding masked colons is resolved with its colons back,
        and built with them (:data:`_MASKED_STR`)."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and COLON_STAND_IN in value:
                restored = value.replace(COLON_STAND_IN, ":")
                if implicit[0]:
                    for tag, pattern in _IMPLICIT.get(restored[:1], _NO_RESOLVERS):
                        if pattern.match(restored):
                            return tag
                return _MASKED_STR
            return _CLoader.resolve(self, kind, value, implicit)

        def construct_document(self, node: Any) -> Any:
            try:
                return _construct_plain(self, node)
            except _NotPlain:
                _unmask(node)  # the safe constructor reads the nodes (a timestamp, say)
                return SafeConstructor.construct_document(self, node)

    FastLoader = _CLoader
    ColonLoader = _ColonLoader
else:  # pragma: no cover - ruamel.yaml.clib is a dependency on CPython
    FastLoader = ColonLoader = None


COLON_STAND_IN: Final = "\ue000"
"""A private-use character that stands in for ':' while libyaml reads a masked text."""

_NOT_AFTER_MASKED: Final = frozenset(" \n\0\t\r\x85\u2028\u2029")
"""What ends a plain scalar after a colon (ruamel's blanks and line breaks)."""
_NOT_BEFORE_MASKED: Final = frozenset("'\"[]{},")
"""Besides blanks: what cannot be the last character read of a plain scalar."""

_FLOW_COLON: Final = re.compile(r"[\[{][^\]}\n]*[^\s'\"\[\]{},]:[^ \n\t\r]")
"""A flow collection with a colon inside a plain scalar on the same line: old libyaml refuses
it, so the masked reading is tried at once (flow collections over several lines are caught
when libyaml refuses them)."""

_JSON_LIKE_KEY: Final = re.compile(r"[\"'\]}]:[^ \n\0\t\r\x85\u2028\u2029]")
_NAMED: Final = re.compile(r"!|[&*%][^\s\[\]{},]*:")
"""A tag, or an anchor, an alias or a directive whose name holds a colon (if a word starts
there)."""
_WORD_BREAKS: Final = frozenset(" \t\r\n[]{},")


def has_flow_colon(text: str) -> bool:
    """Whether ``text`` likely holds a colon inside a plain scalar of a flow collection."""
    return ":" in text and _FLOW_COLON.search(text) is not None


def mask_colons(text: str) -> str | None:
    """``text`` with the colons inside plain scalars replaced by :data:`COLON_STAND_IN`, or
    None when the masked text could read differently in libyaml than in ruamel's own parser.

    The libyaml bundled with ruamel.yaml.clib (0.1.7) refuses ``[europe-west1.gcp:shop-a]``
    with "found unexpected ':'": in YAML 1.1 a colon inside a plain scalar in a flow collection
    was an error; YAML 1.2 and ruamel's own parser read it as part of the scalar. Masked, libyaml
    reads the same structure (one character stands for one, so every line and column stays),
    and :class:`_ColonLoader` puts the colons back. Refused (None), for texts the two parsers
    may read differently: a text holding the stand-in already; a '?' that may stand inside a
    flow collection (old libyaml ends a flow scalar there, ruamel does not; one in a comment, a
    quoted scalar or block context reads the same); a tag (an empty ``!`` node reads
    differently); an anchor, an alias or a directive whose name holds a colon; a quote or
    bracket directly followed by ``:x`` (old libyaml reads a JSON-like key there). A tab is
    read as libyaml reads it in a file without such colons.
    """
    if _read_differently(text):
        return None
    masked = _mask(text)
    return masked if masked != text else None


def _read_differently(text: str) -> bool:
    """What :func:`mask_colons` refuses (plain ``in`` tests first: they cost next to nothing)."""
    if COLON_STAND_IN in text or ("?" in text and _question_in_flow(text)):
        return True
    if any(pair in text for pair in ('":', "':", "]:", "}:")) and _JSON_LIKE_KEY.search(text):
        return True
    if any(mark in text for mark in "!&*%"):
        for named in _NAMED.finditer(text):
            start = named.start()
            if start == 0 or text[start - 1] in _WORD_BREAKS:
                return True
    return False


_FLOW_MARKS: Final = re.compile(r"[#'\"\[\]{}?]")
"""What the scan for a '?' in a flow collection looks at: comments, quotes and brackets."""


def _question_in_flow(text: str) -> bool:
    """Whether a '?' may stand inside a flow collection, outside comments and quoted scalars.

    A light scan, not a parser: whatever it cannot tell (an unclosed quote, brackets inside a
    block scalar) counts as inside, which only sends the file to the exact path.
    """
    depth = 0
    position = 0
    while (found := _FLOW_MARKS.search(text, position)) is not None:
        at = found.start()
        mark = text[at]
        position = at + 1
        if mark == "#" and (at == 0 or text[at - 1] in " \t\n"):
            end = text.find("\n", at)
            if end < 0:
                return False
            position = end
        elif mark in "'\"" and _opens_quoted(text, at):
            closed = _quoted_end(text, at)
            if closed is None:
                return True
            position = closed + 1
        elif mark in "[{":
            depth += 1
        elif mark in "]}":
            depth = max(depth - 1, 0)
        elif mark == "?" and depth:
            return True
    return False


def _opens_quoted(text: str, at: int) -> bool:
    """Whether the quote at ``at`` starts a quoted scalar: first on its line, or right after
    ``[``, ``{`` or ``,``, or after ``:`` or ``-`` and a blank. A quote inside prose
    (``it's``, ``the 'best``) is part of a plain scalar and is scanned through."""
    line_start = text.rfind("\n", 0, at) + 1
    if not text[line_start:at].strip():
        return True
    end = at
    while end and text[end - 1] in " \t\r\n":
        end -= 1
    last = text[end - 1 : end]
    return last in ("[", "{", ",") or (last in (":", "-") and end < at)


def _quoted_end(text: str, at: int) -> int | None:
    """Where the quoted scalar opened at ``at`` closes (``''`` and ``\\"`` escape), or None."""
    quote = text[at]
    position = at + 1
    while (end := text.find(quote, position)) >= 0:
        if quote == "'":
            if not text.startswith("''", end):
                return end
            position = end + 2
            continue
        backslashes = end - len(text[position:end].rstrip("\\")) - position
        if backslashes % 2 == 0:
            return end
        position = end + 1
    return None


def _mask(text: str) -> str:
    """Every ':' inside a plain scalar (after a character that can end a scalar being read,
    before one that is not a blank or a line break) replaced by the stand-in."""
    parts = text.split(":")
    last = len(parts) - 1
    pieces = [parts[0]]
    for index in range(1, len(parts)):
        before, after = parts[index - 1], parts[index]
        previous = before[-1] if before else (":" if index > 1 else " ")
        following = after[0] if after else (":" if index < last else " ")
        inside = (
            not previous.isspace()
            and previous not in _NOT_BEFORE_MASKED
            and following not in _NOT_AFTER_MASKED
        )
        pieces.append(COLON_STAND_IN if inside else ":")
        pieces.append(after)
    return "".join(pieces)


def _unmask(root: Node) -> None:
    """Put the colons back into every scalar of a composed document (aliases visited once),
    for the safe constructor."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if COLON_STAND_IN in node.value:
                node.value = node.value.replace(COLON_STAND_IN, ":")
        elif isinstance(node, MappingNode):
            pending.extend(child for pair in node.value for child in pair)
        elif isinstance(node, SequenceNode):
            pending.extend(node.value)
