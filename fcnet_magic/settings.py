"""Settings of a training run, read from a cell body and from line options.

A cell body holds one setting per line, written ``key = value`` or
``key: value``; ``#`` starts a comment and blank lines are ignored::

    layers        = 100-20-5-1   # also [100, 20, 5, 1] or 20-5-1
    lr            = 0.1          # aliases: learning_rate, learning-rate, alpha
    epochs        = 250          # aliases: iterations, num_iterations
    engine        = both         # numpy | keras | keras_compiled | both | all
    data          = "my file.csv"

Keys ignore case, and hyphens equal underscores. For ``%fcnet_compare`` a
value may list alternatives separated by ``|`` or by spaces (spaces beside a
comma or a plus and inside brackets do not separate), and the run covers
every combination. Line options name the same settings and override the body.
Every mistake raises `UsageError` naming the line or option, echoing what was
received and showing a corrected example.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
import numbers
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple, TypeAlias

from IPython.core.error import UsageError

ENGINES = ("numpy", "keras", "keras_compiled")
MAX_LAYER_SIZE = 100_000
MAX_ITERATIONS = 1_000_000
MAX_CONFIGURATIONS = 100
_BETWEEN_0_AND_1 = "a number strictly between 0 and 1"

_Converter: TypeAlias = Callable[[str], object]

_ALIASES = {
    "layer_dims": "layers",
    "lr": "learning_rate",
    "alpha": "learning_rate",
    "epochs": "iterations",
    "num_iterations": "iterations",
    "engine": "engines",
}
_DISPLAY_NAMES = {"engines": "engine"}
_ENGINE_WORDS = {name: (name,) for name in ENGINES} | {
    "compiled": ("keras_compiled",),
    "both": ("numpy", "keras"),
    "all": ENGINES,
}
_DTYPES = {"float64": "float64", "float32": "float32", "64": "float64"}
_DTYPES |= {"32": "float32", "double": "float64", "single": "float32"}
_YES_NO = {"true": True, "false": False, "yes": True, "no": False}
_YES_NO |= {"on": True, "off": False, "1": True, "0": False}
_QUOTES = "'\""
_JOINERS = {",", "+"}
_BRACKETS = {"[": "]", "(": ")"}
_LAYER_SEPARATORS = re.compile(r"\s*[,\-]\s*|\s+")
_DIGITS = re.compile(r"[0-9]+")


class _Invalid(Exception):
    """A value that cannot be converted: what is wrong, and a suggested value."""

    def __init__(self, problem: str, fix: str | None = None, label: str = "Example"):
        super().__init__(problem)
        self.problem, self.fix, self.label = problem, fix, label


def _display(key: str) -> str:
    return _DISPLAY_NAMES.get(key, key)


def _to_int(text: str) -> int | None:
    """Read a whole number, also written as ``1e3`` or ``1_000``; else None."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _whole(low: int, high: int | None = None, *none_words: str) -> _Converter:
    """Converter to a whole number in [low, high], or None for ``none_words``."""
    if high is None:
        expected = f"a whole number >= {low}"
    else:
        expected = f"a whole number from {low} to {high:_}"
    expected += f" or {none_words[0]!r}" if none_words else ""

    def convert(text: str) -> int | None:
        if text.lower() in none_words:
            return None
        number = _to_int(text)
        if number is None or number < low or (high is not None and number > high):
            raise _Invalid(f"must be {expected}, got {text!r}")
        return number

    return convert


def _real(expected: str, accept: Callable[[float], bool]) -> _Converter:
    """Converter to a finite float that ``accept`` approves."""

    def convert(text: str) -> float:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and accept(number)):
            raise _Invalid(f"must be {expected}, got {text!r}")
        return number

    return convert


def _choice(words: dict[str, object]) -> _Converter:
    """Converter from a case-insensitive word to its value in ``words``."""

    def convert(text: str) -> object:
        if text.lower() not in words:
            raise _Invalid(f"must be one of {', '.join(words)}, got {text!r}")
        return words[text.lower()]

    return convert


def _layer_size(piece: str, text: str) -> int:
    digits = piece.lstrip("0")
    if not digits:
        raise _Invalid(f"must have sizes of at least 1, got 0 in {text!r}")
    if len(digits) > 6 or int(digits) > MAX_LAYER_SIZE:
        raise _Invalid(
            f"must have sizes of at most {MAX_LAYER_SIZE:_}, got {piece} in "
            f"{text!r}; wider layers would not fit in memory"
        )
    return int(digits)


def _to_layers(text: str) -> tuple[int, ...]:
    inner = text.strip()
    if inner[:1] in _BRACKETS and inner.endswith(_BRACKETS[inner[:1]]):
        inner = inner[1:-1].strip()
    if not inner:
        raise _Invalid(f"needs at least one layer size, got {text!r}")
    pieces = _LAYER_SEPARATORS.split(inner)
    if not all(_DIGITS.fullmatch(piece) for piece in pieces):
        raise _Invalid(f"must be positive whole numbers joined by '-', got {text!r}")
    sizes = tuple(_layer_size(piece, text) for piece in pieces)
    joined = "-".join(map(str, sizes))
    if sizes[-1] != 1:
        problem = f"must end with a single sigmoid unit (1), got {joined}"
        raise _Invalid(problem, fix=f"{joined}-1", label="Append -1")
    return sizes


def _to_engines(text: str) -> tuple[str, ...]:
    words = [word.strip() for word in re.split(r"[,+]", text.lower())]
    words = [word.replace("-", "_") for word in words]
    if not all(word in _ENGINE_WORDS for word in words):
        expected = "numpy, keras, keras_compiled, both, all, or a list: numpy,keras"
        raise _Invalid(f"must be {expected}, got {text!r}")
    return tuple(dict.fromkeys(itertools.chain(*map(_ENGINE_WORDS.get, words))))


def _to_data(text: str) -> str:
    if not text.strip():
        expected = "a dataset name, a file path or notebook variable names"
        raise _Invalid(f"must be {expected}, got {text!r}")
    return text.strip()


class _Rule(NamedTuple):
    convert: _Converter
    example: str


_RULES = {
    "layers": _Rule(_to_layers, "100-20-5-1"),
    "learning_rate": _Rule(_real("a positive number", lambda x: x > 0), "0.1"),
    "iterations": _Rule(_whole(1, MAX_ITERATIONS), "250"),
    "engines": _Rule(_to_engines, "numpy"),
    "data": _Rule(_to_data, "default"),
    "test_size": _Rule(_real(_BETWEEN_0_AND_1, lambda x: 0 < x < 1), "0.2"),
    "seed": _Rule(_whole(0, 2**32 - 1), "1"),
    "batch_size": _Rule(_whole(1, None, "full", "none"), "64"),
    "dtype": _Rule(_choice(_DTYPES), "float32"),
    "scale": _Rule(_choice(_YES_NO), "true"),
    "patience": _Rule(_whole(1, None, "none", "off"), "10"),
    "min_delta": _Rule(_real("a number >= 0", lambda x: x >= 0), "0.0001"),
    "validation_size": _Rule(_real(_BETWEEN_0_AND_1, lambda x: 0 < x < 1), "0.1"),
    "init": _Rule(_choice({"shared": "shared", "keras": "keras"}), "shared"),
    "repeat": _Rule(_whole(1, 100), "3"),
}
_KEYS = {key: key for key in _RULES} | _ALIASES
OPTION_NAMES = {key: "--" + _display(key).replace("_", "-") for key in _RULES}


class _Place(NamedTuple):
    """Where a value came from: a body line, a line option, or code."""

    label: str = ""
    is_option: bool = False

    def error(self, message: str) -> UsageError:
        return UsageError(f"{self.label}: {message}" if self.label else message)

    def example(self, key: str, value: str | None = None) -> str:
        value = _RULES[key].example if value is None else value
        if self.is_option:
            return f"{OPTION_NAMES[key]} {value}"
        return f"{_display(key)} = {value}"

    def invalid(self, key: str, error: _Invalid) -> UsageError:
        fix = self.example(key, error.fix)
        return self.error(f"{_display(key)} {error.problem}. {error.label}: {fix}")


class _Entry(NamedTuple):
    """One setting as typed: its canonical key, raw alternatives and place."""

    key: str
    alternatives: list[str]
    place: _Place


def _format(value: object) -> str:
    """Write a value the way a user would type it (``0.1``, ``20-5-1``)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(float(value)).removesuffix(".0")
    if isinstance(value, tuple | list):
        if all(isinstance(item, numbers.Integral) for item in value):
            return "-".join(str(item) for item in value)
        return ",".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class Settings:
    """One training configuration, validated on creation.

    Fields accept typed values (``learning_rate=0.1``) or the text a user
    would type (``layers="20-5-1"``); anything invalid raises `UsageError`.
    ``layers`` may include the input size or leave it to the data, ``engines``
    is drawn from `ENGINES`, and ``batch_size`` and ``patience`` are None for
    full batch and no early stopping.
    """

    layers: tuple[int, ...] = (20, 5, 1)
    learning_rate: float = 0.1
    iterations: int = 250
    engines: tuple[str, ...] = ("numpy",)
    data: str = "default"
    test_size: float = 0.2
    seed: int = 1
    batch_size: int | None = None
    dtype: str = "float64"
    scale: bool = False
    patience: int | None = None
    min_delta: float = 0.0
    validation_size: float = 0.1
    init: str = "shared"
    repeat: int = 1

    def __post_init__(self) -> None:
        for field in fields(self):
            try:
                value = _RULES[field.name].convert(_format(getattr(self, field.name)))
            except _Invalid as error:
                raise _Place().invalid(field.name, error) from None
            object.__setattr__(self, field.name, value)

    def replace(self, **changes: object) -> Settings:
        """Return a validated copy with some settings changed (aliases allowed)."""
        named = {_canonical(key, _Place()): value for key, value in changes.items()}
        return dataclasses.replace(self, **named)

    def describe_changes(self, other: Settings) -> str:
        """Describe how ``other`` differs, e.g. ``'learning_rate 0.1 -> 1'``."""
        return ", ".join(
            f"{_display(field.name)} {_format(getattr(self, field.name))} -> "
            f"{_format(getattr(other, field.name))}"
            for field in fields(self)
            if getattr(self, field.name) != getattr(other, field.name)
        )

    def layer_dims(self, n_x: int) -> tuple[int, ...]:
        """Return the layer sizes including the input size ``n_x``.

        ``layers`` counts as already including the input when it has two or
        more sizes and the first equals ``n_x``. So with 20 features,
        ``20-5-1`` means input 20, then 5 and 1, never two layers of 20.
        """
        if len(self.layers) > 1 and self.layers[0] == n_x:
            return self.layers
        return (n_x, *self.layers)


def _canonical(name: str, place: _Place) -> str:
    """Map a typed key or alias to its setting name, or explain the typo."""
    key = name.strip().lower().replace("-", "_")
    if key in _KEYS:
        return _KEYS[key]
    close = difflib.get_close_matches(key, list(_KEYS), n=1)
    if close:
        hint = f"did you mean {close[0]!r}?"
    else:
        hint = "valid settings are " + ", ".join(map(_display, _RULES))
    raise place.error(f"unknown setting {name.strip()!r}; {hint}")


def _scan(text: str) -> Iterator[tuple[int, str, bool]]:
    """Yield index, character and whether it is quoted, for each character.

    A quote opens only where a word cannot go on (``Bob's`` holds none).
    """
    quote = ""
    for index, char in enumerate(text):
        if quote:
            yield index, char, True
            quote = "" if char == quote else quote
        elif char in _QUOTES and (index == 0 or not text[index - 1].isalnum()):
            quote = char
            yield index, char, True
        else:
            yield index, char, False


def _strip_comment(line: str) -> str:
    for index, char, quoted in _scan(line):
        if char == "#" and not quoted:
            return line[:index]
    return line


def _beside_joiner(text: str, index: int) -> bool:
    before, after = text[:index].rstrip()[-1:], text[index:].lstrip()[:1]
    return before in _JOINERS or after in _JOINERS


def _split_alternatives(text: str) -> list[str]:
    """Split a raw value into alternatives at ``|`` and at free whitespace."""
    pieces, current, depth = [], "", 0
    for index, char, quoted in _scan(text):
        if not quoted:
            depth = max(0, depth + (char in "[(") - (char in "])"))
        is_break = not quoted and depth == 0 and (char == "|" or char.isspace())
        if is_break and (char == "|" or not _beside_joiner(text, index)):
            pieces.append(current)
            current = ""
        elif not is_break:
            current += char
    return [piece for piece in [*pieces, current] if piece]


def _unquote(piece: str) -> str:
    if piece[0] not in _QUOTES:
        return piece
    if len(piece) < 2 or piece[-1] != piece[0]:
        fixed = '"' + piece.strip(_QUOTES) + '"'
        problem = f"has an unmatched quote in {piece!r}"
        raise _Invalid(problem, fix=fixed, label="Quote the whole value")
    return piece[1:-1]


def _read_body(body: str) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    for number, line in enumerate(body.splitlines(), start=1):
        text, place = _strip_comment(line).strip(), _Place(f"line {number}")
        if not text:
            continue
        cut = min((text.find(sep) for sep in "=:" if sep in text), default=0)
        if cut < 1:
            raise place.error(
                f"expected 'key = value' (or 'key: value'), got {text!r}."
            )
        key = _canonical(text[:cut], place)
        if key in entries:
            first = entries[key].place.label
            raise place.error(
                f"{_display(key)} is already set on {first}; keep one of the two lines."
            )
        entries[key] = _Entry(key, _split_alternatives(text[cut + 1 :]), place)
    return entries


def _keep_whole(word: str) -> str:
    """Quote an option word holding spaces, unless it arrived quoted."""
    quoted = len(word) > 1 and word[0] in _QUOTES and word[-1] == word[0]
    if quoted or not any(char.isspace() for char in word):
        return word
    quote = "'" if '"' in word else '"'
    return f"{quote}{word}{quote}"


def _option_text(raw: object) -> str:
    if isinstance(raw, list | tuple):
        return " ".join(_keep_whole(str(word)) for word in raw)
    return str(raw)


def _read_options(
    options: Mapping[str, Sequence[str] | str | None],
) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    for name, raw in options.items():
        key = _KEYS.get(str(name).lower().replace("-", "_"))
        if key is not None and raw is not None:
            place = _Place(f"option {OPTION_NAMES[key]}", is_option=True)
            entries[key] = _Entry(key, _split_alternatives(_option_text(raw)), place)
    return entries


def _convert(entry: _Entry) -> list[object]:
    if not entry.alternatives:
        fix = entry.place.example(entry.key)
        raise entry.place.error(f"{_display(entry.key)} has no value. Example: {fix}")
    try:
        return [
            _RULES[entry.key].convert(_unquote(piece)) for piece in entry.alternatives
        ]
    except _Invalid as error:
        raise entry.place.invalid(entry.key, error) from None


def _entries(body: str | None, options: Mapping | None) -> dict[str, _Entry]:
    """Read the body, then let line options override it key by key."""
    return _read_body(body or "") | _read_options(options or {})


def parse_sweep(
    body: str | None = "",
    options: Mapping[str, Sequence[str] | str | None] | None = None,
    defaults: Settings | None = None,
) -> list[Settings]:
    """Read every configuration a body and line options ask for.

    Parameters
    ----------
    body : str
        Cell body, one ``key = value`` per line; a value may list alternatives.
    options : mapping, optional
        Line options keyed by setting name; None values mean "not given".
        Keys that are not settings (such as ``-o`` or ``-q``) are ignored.
    defaults : Settings, optional
        Values of the settings given neither in the body nor as options;
        ``Settings()`` when omitted.

    Returns
    -------
    list of Settings
        Every combination, settings varying in field order, slowest first.
    """
    entries = _entries(body, options)
    choices = {
        field.name: _convert(entries[field.name])
        for field in fields(Settings)
        if field.name in entries
    }
    count = math.prod(len(values) for values in choices.values())
    if count > MAX_CONFIGURATIONS:
        sizes = " x ".join(f"{len(v)} {_display(k)}" for k, v in choices.items())
        raise UsageError(
            f"the sweep asks for {count} configurations ({sizes}), more than the "
            f"{MAX_CONFIGURATIONS} allowed. Give fewer values."
        )
    base = Settings() if defaults is None else defaults
    return [
        base.replace(**dict(zip(choices, combo, strict=True)))
        for combo in itertools.product(*choices.values())
    ]


def parse_single(
    body: str | None = "",
    options: Mapping[str, Sequence[str] | str | None] | None = None,
    defaults: Settings | None = None,
) -> Settings:
    """Read one configuration; several values for a setting raise `UsageError`.

    Takes the same arguments as `parse_sweep`.
    """
    for entry in _entries(body, options).values():
        if len(entry.alternatives) > 1:
            got = ", ".join(entry.alternatives)
            hint = ""
            if entry.key == "data":
                hint = ' A path with spaces needs quotes: data = "my file.csv".'
            raise entry.place.error(
                f"%%fcnet_train trains one configuration; got "
                f"{len(entry.alternatives)} values for {_display(entry.key)} ({got})."
                f" Use %fcnet_compare to sweep settings.{hint}"
            )
    return parse_sweep(body, options, defaults)[0]
