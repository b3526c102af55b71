"""Datasets for binary classification: where they come from, checks, the split.

``data =`` in a training cell accepts

==========================  ===================================================
``default``                 2,000 synthetic 10 x 10 grey images, 100 features in
                            [0, 1], shipped with the package (``data/README.md``)
``breast_cancer``           scikit-learn's Wisconsin breast cancer set, 569 x 30
a path                      ``.npz``, ``.csv``, ``.pkl`` or ``.pickle``; see
                            :mod:`fcnet_magic.readers`
``train_x, train_y``        two notebook variables: features and labels
==========================  ===================================================

Every source becomes a :class:`Dataset`: features of shape (m, n), one example
per row, and labels of shape (m,) coded 0 and 1. Features in the course layout
(n, m) with labels of shape (1, m) are transposed, and images of shape
(m, height, width, channels) are flattened. :func:`split` then returns the
train and test parts in the layout the engines use: ``X`` of shape (n_x, m)
and ``Y`` of shape (1, m).

Every problem with the data raises :class:`DataError`, whose message says what
was found, where, and how to fix it.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .readers import DataError, check_arrays, read_file

__all__ = [
    "BUILT_IN",
    "DEFAULT_PATH",
    "DataError",
    "Dataset",
    "FeatureScaleWarning",
    "Split",
    "from_arrays",
    "hold_out",
    "load",
    "load_dataset",
    "resolve",
    "split",
]

DEFAULT_PATH = Path(__file__).resolve().parent / "datasets" / "default.npz"

BUILT_IN = ("default", "breast_cancer")

#: Warn when the largest column standard deviation exceeds the smallest non-zero
#: one by this factor: gradient descent with one learning rate then moves some
#: weights far faster than others.
SCALE_RATIO_LIMIT = 1e3

#: Warn when some column's standard deviation exceeds this, as raw 0-255 pixels
#: do: gradient steps on the first layer's weights grow with the features, and
#: a learning rate that suits features near 1 then makes training diverge.
SCALE_SPREAD_LIMIT = 10.0


class FeatureScaleWarning(UserWarning):
    """Features on very different scales, left unscaled."""


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Checked features and labels, one example per row.

    Attributes
    ----------
    features : numpy.ndarray of shape (m, n)
        Finite float64 values.
    labels : numpy.ndarray of shape (m,)
        int64 values in {0, 1}.
    classes : tuple
        The two original label values; ``classes[k]`` is coded ``k``.
    name : str
        Where the data came from, such as ``"default"`` or ``"train_x, train_y"``.
    description : str
        One line: name, size, and the label mapping when it is not 0/1.
    """

    features: np.ndarray
    labels: np.ndarray
    classes: tuple
    name: str
    description: str


@dataclasses.dataclass(frozen=True)
class Split:
    """Train and test parts in the engines' layout, one example per column.

    Attributes
    ----------
    X_train : numpy.ndarray of shape (n_x, m_train)
    Y_train : numpy.ndarray of shape (1, m_train)
    X_test : numpy.ndarray of shape (n_x, m_test)
    Y_test : numpy.ndarray of shape (1, m_test)
    dataset : Dataset
        The data that was split.
    scaled : bool
        Whether features were standardised with the training part's mean and
        standard deviation.
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    dataset: Dataset
    scaled: bool


def load_dataset(
    source: object, namespace: Mapping[str, object] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Load features of shape (m, n) and labels of shape (m,), coded 0 and 1.

    Accepts everything ``data =`` does, with the same checks; see :func:`load`.
    """
    dataset = load(source, namespace)
    return dataset.features, dataset.labels


def load(source: object, namespace: Mapping[str, object] | None = None) -> Dataset:
    """Load and check a dataset.

    Parameters
    ----------
    source : str, path-like, Dataset or (features, labels)
        ``"default"``, ``"breast_cancer"``, a file path, two variable names
        separated by a comma (looked up in ``namespace``), or two arrays.
    namespace : mapping, optional
        Variables by name, such as a notebook's ``globals()``.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        If the source cannot be found or read, or its data fail the checks of
        :func:`from_arrays`.
    """
    if isinstance(source, Dataset):
        return source
    if isinstance(source, tuple) and len(source) == 2:
        return from_arrays(*source)
    if isinstance(source, os.PathLike):
        return from_arrays(*read_file(Path(source)), name=os.fspath(source))
    if not isinstance(source, str):
        raise DataError(
            f"cannot load data from an object of type {type(source).__name__}: "
            f"give a dataset name ({', '.join(BUILT_IN)}), a file path, variable "
            "names such as 'train_x, train_y', or a (features, labels) tuple."
        )

    text = source.strip()
    if text == "default":
        return _default()
    if text == "breast_cancer":
        return _breast_cancer()
    if _names_variables(text):
        if namespace is None:
            raise DataError(
                f"data = {text!r} names two variables, but no namespace was given "
                "to look them up in; pass namespace=globals()."
            )
        return resolve(text, namespace)
    if text.isidentifier() and not Path(text).exists():
        raise _unknown_name(text, namespace or {})
    return from_arrays(*read_file(Path(text)), name=text)


def resolve(spec: str, namespace: Mapping[str, object]) -> Dataset:
    """Look up features and labels by variable name; nothing is evaluated.

    Parameters
    ----------
    spec : str
        Two names separated by a comma, features first: ``"train_x, train_y"``.
    namespace : mapping
        Variables by name, such as a notebook's ``globals()``.

    Returns
    -------
    Dataset
        Named ``"train_x, train_y"``.
    """
    names = [name.strip() for name in spec.split(",")]
    if len(names) != 2 or not all(name.isidentifier() for name in names):
        raise DataError(
            f"data = {spec!r}: expected two variable names separated by a comma, "
            "features first, such as 'train_x, train_y'."
        )
    for name in names:
        if name not in namespace:
            raise _missing_variable(name, namespace)
    features, labels = (namespace[name] for name in names)
    return from_arrays(features, labels, name=", ".join(names))


def _names_variables(text: str) -> bool:
    parts = text.split(",")
    return len(parts) == 2 and all(part.strip().isidentifier() for part in parts)


def _candidates(namespace: Mapping[str, object]) -> list[str]:
    return [name for name in namespace if not str(name).startswith("_")]


def _missing_variable(name: str, namespace: Mapping[str, object]) -> DataError:
    close = difflib.get_close_matches(name, _candidates(namespace), n=3)
    hint = (
        f"did you mean {' or '.join(map(repr, close))}?"
        if close
        else "run the cell that defines it first."
    )
    return DataError(f"no variable named {name!r} in the notebook; {hint}")


def _unknown_name(text: str, namespace: Mapping[str, object]) -> DataError:
    close = difflib.get_close_matches(text, BUILT_IN, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    if text in namespace:
        hint = f" {text!r} is a notebook variable: name the labels too."
    return DataError(
        f"data = {text!r} is not a built-in dataset nor an existing file.{hint} "
        f"Use {' or '.join(BUILT_IN)}, a file path such as 'data/mine.csv', or "
        "two notebook variables, features first: 'train_x, train_y'."
    )


def _default() -> Dataset:
    dataset = from_arrays(*read_file(DEFAULT_PATH), name="default")
    return _annotate(dataset, "synthetic 10 x 10 grey images")


def _breast_cancer() -> Dataset:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    dataset = from_arrays(bunch.data, bunch.target, name="breast_cancer")
    meaning = ", ".join(f"{k} = {name}" for k, name in enumerate(bunch.target_names))
    return _annotate(dataset, f"scikit-learn; labels: {meaning}")


def _annotate(dataset: Dataset, note: str) -> Dataset:
    return dataclasses.replace(dataset, description=f"{dataset.description} ({note})")


def from_arrays(features: object, labels: object, name: str = "arrays") -> Dataset:
    """Check features and labels and code the labels 0 and 1.

    Parameters
    ----------
    features : array-like of shape (m, n)
        Also accepted: (n, m) when ``labels`` has shape (1, m), the course's
        layout, which is transposed; and (m, ...) images, which are flattened.
        A square ``features`` with labels (1, m) is read one example per row.
    labels : array-like of shape (m,), (m, 1) or (1, m)
        Exactly two distinct values: numbers, booleans or strings. The smaller
        value is coded 0 and the larger 1.
    name : str, default "arrays"
        Shown in the description and in error messages.

    Returns
    -------
    Dataset
        Holding copies; the arrays passed in are never modified.

    Raises
    ------
    DataError
        For features that are not finite numbers, labels that do not take two
        values, or features and labels of different lengths.
    """
    features, coded, classes, notes = check_arrays(features, labels, name)
    m, n = features.shape
    description = f"{name}: {m} examples x {n} features"
    if notes:
        description += f" ({'; '.join(notes)})"
    if not (classes == (0, 1) and all(type(value) is int for value in classes)):
        mapping = ", ".join(f"{value!r} -> {k}" for k, value in enumerate(classes))
        description += f"; labels: {mapping}"
    return Dataset(features, coded, classes, name, description)


def split(
    dataset: Dataset,
    test_size: float = 0.2,
    seed: int = 1,
    scale: bool = False,
    dtype: np.dtype | type = np.float64,
) -> Split:
    """Split a dataset into stratified train and test parts, in the engines' layout.

    Parameters
    ----------
    dataset : Dataset
    test_size : float, default 0.2
        Fraction of each class held out for testing, rounded to whole examples.
    seed : int, default 1
        The same seed gives the same split.
    scale : bool, default False
        Standardise every feature with the mean and standard deviation of the
        training part (constant features are only centred). When False, a
        :class:`FeatureScaleWarning` is emitted if the features' standard
        deviations differ by more than :data:`SCALE_RATIO_LIMIT` times or one
        exceeds :data:`SCALE_SPREAD_LIMIT`.
    dtype : numpy dtype, default float64
        Of all four arrays.

    Returns
    -------
    Split
        ``X_train`` of shape (n_x, m_train), ``Y_train`` of shape (1, m_train),
        and the same for the test part.

    Raises
    ------
    DataError
        If ``test_size`` would leave the train or the test part without an
        example of some class.
    """
    _check_fraction(test_size, "test_size")
    train, test = _stratify(dataset.labels, test_size, seed, "test_size", dataset)
    features_train = dataset.features[train]
    features_test = dataset.features[test]

    if scale:
        mean = features_train.mean(axis=0)
        spread = features_train.std(axis=0)
        spread[spread == 0] = 1.0
        features_train = (features_train - mean) / spread
        features_test = (features_test - mean) / spread
    else:
        _warn_about_scales(features_train, dataset.name)

    def columns(values: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(values.T, dtype=dtype)

    return Split(
        X_train=columns(features_train),
        Y_train=columns(dataset.labels[train, np.newaxis]),
        X_test=columns(features_test),
        Y_test=columns(dataset.labels[test, np.newaxis]),
        dataset=dataset,
        scaled=scale,
    )


def hold_out(
    X: np.ndarray, Y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out a stratified part of training data, such as for early stopping.

    Parameters
    ----------
    X : numpy.ndarray of shape (n_x, m)
    Y : numpy.ndarray of shape (1, m)
        Labels 0 and 1.
    fraction : float
        Fraction of each class held out, rounded to whole examples.
    seed : int

    Returns
    -------
    X_fit, Y_fit, X_val, Y_val : numpy.ndarray
        In the layout of ``X`` and ``Y``.
    """
    _check_fraction(fraction, "validation fraction")
    if Y.ndim != 2 or Y.shape[0] != 1 or X.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise DataError(
            f"expected X of shape (n_x, m) and Y of shape (1, m), got X of shape "
            f"{X.shape} and Y of shape {Y.shape}."
        )
    if not np.isin(Y, (0, 1)).all():
        raise DataError(
            f"Y must hold labels 0 and 1, found {np.unique(Y)[:10]}; code the two "
            "classes 0 and 1 first, as load() does."
        )
    labels = Y[0].astype(np.int64)
    fit, held = _stratify(labels, fraction, seed, "validation fraction", None)
    return X[:, fit], Y[:, fit], X[:, held], Y[:, held]


_PARTS = {
    "test_size": "the train or the test part",
    "validation fraction": "the part trained on or the validation part",
}


def _check_fraction(fraction: float, option: str) -> None:
    if not 0 < fraction < 1:
        raise DataError(
            f"{option} must be between 0 and 1, got {fraction!r}; 0.2 keeps one "
            "fifth of the examples apart."
        )


def _stratify(
    labels: np.ndarray,
    fraction: float,
    seed: int,
    option: str,
    dataset: Dataset | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled indices of the two parts, ``fraction`` of each class in the second."""
    counts = np.bincount(labels, minlength=2)
    held_counts = _held_counts(counts, fraction)
    if np.any(held_counts < 1) or np.any(held_counts > counts - 1):
        raise _too_few(counts, fraction, option, dataset)

    rng = np.random.default_rng(seed)
    kept, held = [], []
    for k, held_count in enumerate(held_counts):
        members = rng.permutation(np.flatnonzero(labels == k))
        held.append(members[:held_count])
        kept.append(members[held_count:])
    return rng.permutation(np.concatenate(kept)), rng.permutation(np.concatenate(held))


def _held_counts(counts: np.ndarray, fraction: float) -> np.ndarray:
    # Round halves up, so that a fraction of 0.5 / count keeps one example.
    return np.floor(fraction * counts + 0.5).astype(np.int64)


def _too_few(
    counts: np.ndarray, fraction: float, option: str, dataset: Dataset | None
) -> DataError:
    classes = dataset.classes if dataset is not None else (0, 1)
    name = dataset.name if dataset is not None else "training data"
    found = " and ".join(
        f"{count} of class {value!r}"
        for count, value in zip(counts, classes, strict=True)
    )
    problem = (
        f"{name}: {option} = {fraction} leaves {_PARTS[option]} without an "
        f"example of some class; the data hold {found}, and each part needs at "
        "least one of each."
    )
    if counts.min() < 2:
        rare = classes[int(np.argmin(counts))]
        return DataError(f"{problem} Add examples of class {rare!r}: it needs 2.")

    # A class of c examples keeps one on each side when 0.5 <= fraction * c < c - 0.5.
    low = np.ceil(100 * np.max(0.5 / counts)) / 100
    high = np.ceil(100 * np.min(1 - 0.5 / counts)) / 100 - 0.01
    return DataError(f"{problem} Choose {option} from {low:.2f} to {high:.2f}.")


def _warn_about_scales(features: np.ndarray, name: str) -> None:
    spread = features.std(axis=0)
    varying = np.flatnonzero(spread > 0)
    if varying.size == 0:
        return
    narrowest = varying[np.argmin(spread[varying])]
    widest = int(np.argmax(spread))

    if spread[widest] > SCALE_RATIO_LIMIT * spread[narrowest]:
        problem = (
            f"feature scales differ widely: standard deviations range from "
            f"{spread[narrowest]:.3g} (column {narrowest}) to {spread[widest]:.3g} "
            f"(column {widest})"
        )
    elif spread[widest] > SCALE_SPREAD_LIMIT:
        problem = (
            f"features are on a large scale: column {widest} has a standard "
            f"deviation of {spread[widest]:.3g}"
        )
    else:
        return
    warnings.warn(
        f"{name}: {problem}. Gradient descent with one learning rate suits "
        "features of standard deviation near 1; set scale = true to standardise "
        "them.",
        FeatureScaleWarning,
        stacklevel=3,
    )
