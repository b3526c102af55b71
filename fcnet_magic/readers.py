"""Reading data: the files ``data =`` accepts, and the checks every array meets.

=================  ===========================================================
extension          content
=================  ===========================================================
``.npz``           arrays ``features`` and ``labels`` (or ``X`` and ``y``)
``.csv``           one example per row, the label in the last column; a first
                   row that is not numeric is taken as a header
``.pkl``           a pickled dict with ``features`` and ``labels`` (or ``X``
``.pickle``        and ``y``), as the course's data files are stored
=================  ===========================================================

Each reader returns the raw ``(features, labels)`` arrays. Pickles are read by
an unpickler that builds NumPy arrays and plain containers only, so a file
cannot run code. :func:`check_arrays` then brings any pair of arrays, from a
file or from the notebook, to features of shape (m, n) and labels coded 0 and 1,
or raises :class:`DataError` saying what is wrong and how to fix it.
"""

from __future__ import annotations

import codecs
import csv
import pickle
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np

Arrays = tuple[np.ndarray, np.ndarray]

_SHOWN = 5

KEY_PAIRS = (("features", "labels"), ("X", "y"), ("X", "Y"), ("x", "y"))


class DataError(ValueError):
    """A problem with the data: what was found, where, and how to fix it."""


def read_file(path: Path) -> Arrays:
    """Read ``(features, labels)`` from a file, choosing the reader by extension.

    Parameters
    ----------
    path : pathlib.Path
        Relative paths are taken from the working directory.

    Returns
    -------
    features, labels : numpy.ndarray
        As stored, not yet checked.

    Raises
    ------
    DataError
        If the file is missing, of an unsupported type, unreadable or holds
        something other than features and labels.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        state = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise DataError(
            f"data file {str(path)!r} {state}: looked for {path.resolve()} from the "
            f"working directory {Path.cwd()}. Check the spelling, or give an "
            "absolute path."
        )
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(
            f"cannot read {str(path)!r}: unsupported file type "
            f"{repr(path.suffix) if path.suffix else '(no extension)'}. "
            f"Save the data as one of {', '.join(READERS)}."
        )
    return reader(path)


def _pick_keys(keys: Iterable[str], path: Path) -> tuple[str, str]:
    """Return the names of the features and labels among ``keys``."""
    keys = list(keys)
    for features_key, labels_key in KEY_PAIRS:
        if features_key in keys and labels_key in keys:
            return features_key, labels_key
    found = ", ".join(repr(key) for key in keys) or "none"
    raise DataError(
        f"{str(path)!r} holds no features and labels: found the keys {found}. "
        "Store the arrays under 'features' and 'labels' (or 'X' and 'y')."
    )


def _unreadable(path: Path, error: Exception, kind: str) -> DataError:
    return DataError(
        f"cannot read {str(path)!r} as {kind}: {type(error).__name__}: "
        f"{str(error).rstrip('.')}. "
        "The file may be truncated or of another type; save it again."
    )


def read_npz(path: Path) -> Arrays:
    """Read a NumPy ``.npz`` archive without unpickling any object arrays."""
    if not zipfile.is_zipfile(path):
        raise DataError(
            f"cannot read {str(path)!r} as a NumPy .npz archive: it is not a zip "
            "file. Save the arrays with numpy.savez(path, features=..., labels=...)."
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            features_key, labels_key = _pick_keys(archive.files, path)
            return archive[features_key], archive[labels_key]
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise _unreadable(path, error, "a NumPy .npz archive") from error


def read_csv(path: Path) -> Arrays:
    """Read comma-, semicolon- or tab-separated values, the label last."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            sample = file.read(65536)
            file.seek(0)
            rows = [row for row in csv.reader(file, _dialect(sample)) if row]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise _unreadable(path, error, "CSV text") from error

    header = _header(rows)
    if header is not None:
        rows = rows[1:]
    first_line = 2 if header is not None else 1
    _check_row_lengths(rows, path, first_line)
    if not rows or len(rows[0]) < 2:
        raise DataError(
            f"{str(path)!r} holds no examples with features: found "
            f"{len(rows)} data rows of {len(rows[0]) if rows else 0} columns. "
            "Write one example per row, the features first and the label last."
        )

    table = np.array(rows, dtype=object)
    features = _numbers(table[:, :-1], path, header, first_line)
    labels = table[:, -1]
    try:
        labels = labels.astype(np.float64)
    except ValueError:
        labels = np.char.strip(labels.astype(str))
    return features, labels


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _is_number(value: object) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _header(rows: list[list[str]]) -> list[str] | None:
    """The first row, if it is a header: text where the next row has a number."""
    if not rows:
        return None
    first, below = rows[0], rows[1] if len(rows) > 1 else None
    for index, text in enumerate(first):
        if _is_number(text):
            continue
        if below is None or (index < len(below) and _is_number(below[index])):
            return first
    return None


def _check_row_lengths(rows: list[list[str]], path: Path, first_line: int) -> None:
    if not rows:
        return
    width = len(rows[0])
    for number, row in enumerate(rows, start=first_line):
        if len(row) != width:
            raise DataError(
                f"{str(path)!r}, line {number}: {len(row)} fields, but the first "
                f"data row has {width}. Give every row the same columns."
            )


def _numbers(
    table: np.ndarray, path: Path, header: list[str] | None, first_line: int
) -> np.ndarray:
    """Convert the feature columns to floats, naming the first cell that fails."""
    try:
        return table.astype(np.float64)
    except ValueError as error:
        row, column = next(
            index for index, text in np.ndenumerate(table) if not _is_number(text)
        )
        name = f" ({header[column]!r})" if header else ""
        raise DataError(
            f"{str(path)!r}, line {row + first_line}, column {column + 1}{name}: "
            f"feature {table[row, column]!r} is not a number. Features must be "
            "numeric: encode categories as numbers and fill in empty cells."
        ) from error


def read_pickle(path: Path) -> Arrays:
    """Read a pickled dict of arrays with :class:`SafeUnpickler`."""
    try:
        with path.open("rb") as file:
            content = SafeUnpickler(file).load()
    except DataError as error:
        raise DataError(f"{str(path)!r}: {error}") from None
    except Exception as error:
        raise _unreadable(path, error, "a pickle") from error
    if not isinstance(content, Mapping):
        raise DataError(
            f"{str(path)!r} holds a pickled {type(content).__name__}, not a dict. "
            "Pickle a dict: {'features': features, 'labels': labels}."
        )
    features_key, labels_key = _pick_keys(content, path)
    return content[features_key], content[labels_key]


def _numpy_globals() -> dict[tuple[str, str], Callable]:
    """What NumPy arrays need to be rebuilt, under old and new module names.

    The functions are taken from NumPy's own pickling, so no private module is
    imported; NumPy 1 wrote ``numpy.core``, NumPy 2 writes ``numpy._core``.
    """
    reconstruct = np.ndarray.__reduce__(np.zeros(0))[0]
    scalar = np.float64(0).__reduce__()[0]
    frombuffer = np.zeros(1).__reduce_ex__(5)[0]
    allowed: dict[tuple[str, str], Callable] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }
    for core in ("numpy.core", "numpy._core"):
        allowed[(f"{core}.multiarray", "_reconstruct")] = reconstruct
        allowed[(f"{core}.multiarray", "scalar")] = scalar
        allowed[(f"{core}.numeric", "_frombuffer")] = frombuffer
    return allowed


_BUILTINS = (dict, list, tuple, set, frozenset, complex, slice, bytearray, range)

ALLOWED_GLOBALS: Mapping[tuple[str, str], Callable] = MappingProxyType(
    {
        **_numpy_globals(),
        **{("builtins", kind.__name__): kind for kind in _BUILTINS},
        # Protocols 0 to 2 store bytes as text that this function encodes back.
        ("_codecs", "encode"): codecs.encode,
    }
)


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds NumPy arrays and plain containers, nothing else.

    Any other global a pickle asks for, such as ``os.system``, is refused with a
    :class:`DataError` before it could be called.
    """

    def find_class(self, module: str, name: str) -> Callable:
        """Return a global from :data:`ALLOWED_GLOBALS`, or refuse it by name."""
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise DataError(
                f"refused to load the pickle: it asks for {module}.{name}, which is "
                "neither a NumPy array nor a plain container and could run code. "
                "Only open pickles you trust; save data as .npz to share it."
            ) from None


def check_arrays(
    features: object, labels: object, name: str
) -> tuple[np.ndarray, np.ndarray, tuple, list[str]]:
    """Check features and labels and code the labels 0 and 1.

    Returns
    -------
    features : numpy.ndarray of shape (m, n)
        A float64 copy, finite.
    labels : numpy.ndarray of shape (m,)
        int64 values in {0, 1}.
    classes : tuple
        The two original label values, smaller first; ``classes[k]`` is coded ``k``.
    notes : list of str
        How the features were rearranged (transposed, flattened), if at all.
    """
    features, labels, notes = _arrange(np.asarray(features), np.asarray(labels), name)
    features = _as_floats(features, name)
    _check_finite(features, name)
    coded, classes = _code_labels(labels, name)
    return features, coded, classes, notes


def _arrange(
    features: np.ndarray, labels: np.ndarray, name: str
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Bring features to shape (m, n) and labels to (m,), noting what changed."""
    notes = []
    received = f"features of shape {features.shape} and labels of shape {labels.shape}"
    course_layout = (
        labels.ndim == 2
        and labels.shape[0] == 1
        and features.ndim == 2
        and features.shape[1] == labels.shape[1] != features.shape[0]
    )
    if course_layout:
        notes.append(f"transposed from the course layout {features.shape}")
        features = features.T
    if labels.ndim == 2 and 1 in labels.shape:
        labels = labels.ravel()
    if labels.ndim != 1 or features.ndim == 0:
        raise DataError(
            f"{name}: got {received}. Give features of shape (m, n), one example "
            "per row, and labels of shape (m,)."
        )
    if features.ndim == 1:
        features = features[:, np.newaxis]
    if features.ndim > 2:
        notes.append(f"flattened from {features.shape}")
        features = features.reshape(features.shape[0], -1)

    if features.shape[0] != labels.shape[0]:
        hint = ""
        if features.shape[1] == labels.shape[0]:
            hint = " The features look transposed: pass features.T."
        raise DataError(
            f"{name}: got {received}: {features.shape[0]} examples but "
            f"{labels.shape[0]} labels. Give one label per row of features.{hint}"
        )
    if features.size == 0:
        raise DataError(
            f"{name}: got {received}, which holds no data. Give at least one "
            "feature and a few examples of each class."
        )
    return features, labels, notes


def _as_floats(features: np.ndarray, name: str) -> np.ndarray:
    """A float64 copy of the features, or an error naming the first non-number."""
    if features.dtype.kind == "c":
        raise DataError(
            f"{name}: features are complex numbers ({features.dtype}). Split them "
            "into real features, such as .real and .imag, or use np.abs."
        )
    try:
        return np.array(features, dtype=np.float64)
    except (TypeError, ValueError) as error:
        (row, column), value = next(
            (index, value)
            for index, value in np.ndenumerate(features)
            if not _is_number(value)
        )
        raise DataError(
            f"{name}: features must be numbers, found {value!r} at row {row}, "
            f"column {column}. Encode categories as numbers and fill in missing "
            "values."
        ) from error


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _listing(items: Iterable[object], limit: int = _SHOWN) -> str:
    """The first ``limit`` items joined by commas, then an ellipsis if more."""
    items = list(items)
    return ", ".join(map(str, items[:limit])) + (", ..." if len(items) > limit else "")


def _check_finite(features: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(features)
    if not bad.any():
        return
    count, n_nan = int(bad.sum()), int(np.isnan(features).sum())
    positions = _listing(f"({row}, {column})" for row, column in np.argwhere(bad))
    raise DataError(
        f"{name}: found {_count(count, 'feature value')} that are not finite "
        f"({n_nan} NaN, {count - n_nan} infinite) at (row, column) {positions}. "
        "Drop those examples, or fill the values in, for example with the column "
        "mean."
    )


def _code_labels(labels: np.ndarray, name: str) -> tuple[np.ndarray, tuple]:
    """Code the smaller of two label values 0 and the larger 1."""
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        rows = np.flatnonzero(np.isnan(labels))
        raise DataError(
            f"{name}: found {_count(rows.size, 'missing label')} (NaN) at rows "
            f"{_listing(rows)}. Drop those examples."
        )
    try:
        values = np.unique(labels)
    except TypeError as error:
        raise DataError(
            f"{name}: labels mix values that cannot be compared ({error}). Give "
            "labels of one type: numbers, booleans or strings."
        ) from error
    classes = tuple(_plain(value) for value in values)

    if len(classes) == 1:
        raise DataError(
            f"{name}: all {labels.size} labels are {classes[0]!r}. A yes/no task "
            "needs examples of two classes; add examples of the other class."
        )
    if len(classes) > 2:
        raise DataError(
            f"{name}: labels must take exactly two values for a yes/no task; found "
            f"{len(classes)}: {_listing(map(repr, classes), 10)}. To learn one class "
            "against the rest, pass labels == value."
        )
    return (labels == values[1]).astype(np.int64), classes


def _plain(value: object) -> object:
    """A NumPy scalar as a Python one, with whole floats as ints."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


READERS: dict[str, Callable[[Path], Arrays]] = {
    ".npz": read_npz,
    ".csv": read_csv,
    ".pkl": read_pickle,
    ".pickle": read_pickle,
}
