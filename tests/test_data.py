"""Tests of fcnet_magic.data and fcnet_magic.readers: sources, checks, the split."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import pickle
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from fcnet_magic import data
from fcnet_magic.data import DataError, FeatureScaleWarning
from fcnet_magic.numpy_net import accuracy, train

REPO = Path(__file__).resolve().parent.parent


def two_class_arrays(m: int = 20, n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Features whose first column numbers the rows in hundredths, alternate labels."""
    features = np.column_stack([np.arange(m) / 100, np.ones((m, n - 1))])
    return features, np.arange(m) % 2


def row_numbers(first_feature: np.ndarray) -> np.ndarray:
    """The row numbers that :func:`two_class_arrays` wrote into the first column."""
    return np.rint(first_feature * 100).astype(int)


# The shipped default dataset


def test_default_has_the_documented_shape_and_values():
    dataset = data.load("default")

    assert dataset.features.shape == (2000, 100)
    assert dataset.features.dtype == np.float64
    assert dataset.labels.dtype == np.int64
    assert np.bincount(dataset.labels).tolist() == [998, 1002]
    assert dataset.classes == (0, 1)
    assert dataset.features.min() == 0.0
    assert dataset.features.max() == 1.0
    assert dataset.features.mean() == pytest.approx(0.542, abs=1e-3)
    assert dataset.description == (
        "default: 2000 examples x 100 features (synthetic 10 x 10 grey images)"
    )


def test_default_loads_in_under_50_ms():
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        data.load("default")
        timings.append(time.perf_counter() - start)

    assert min(timings) < 0.05


def test_shipped_default_matches_the_script():
    path = REPO / "data" / "make_default.py"
    spec = importlib.util.spec_from_file_location("make_default", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)

    features, labels = script.make_default()

    with np.load(data.DEFAULT_PATH) as shipped:
        np.testing.assert_array_equal(shipped["features"], features)
        np.testing.assert_array_equal(shipped["labels"], labels)
        assert shipped["features"].dtype == np.float32


def test_default_is_not_separable_by_one_feature():
    dataset = data.load("default")
    features, labels = dataset.features, dataset.labels

    # Classify by the side of the midpoint between the two class means.
    mean_0 = features[labels == 0].mean(axis=0)
    mean_1 = features[labels == 1].mean(axis=0)
    above = features > (mean_0 + mean_1) / 2
    agree = np.where(mean_1 > mean_0, above, ~above) == labels[:, np.newaxis]

    assert agree.mean(axis=0).max() < 0.85


def test_seed_configuration_reaches_095_test_accuracy_on_default():
    parts = data.split(data.load("default"), test_size=0.2, seed=1)

    training = train(parts.X_train, parts.Y_train, [100, 20, 5, 1], 0.1, 250, seed=1)

    test_accuracy = accuracy(parts.X_test, parts.Y_test, training.parameters)
    train_accuracy = accuracy(parts.X_train, parts.Y_train, training.parameters)
    assert test_accuracy >= 0.95
    assert test_accuracy == pytest.approx(0.99, abs=0.005)
    assert train_accuracy < 1.0
    assert training.costs[-1] < 0.2 < 0.69 < training.costs[0]


def test_load_dataset_returns_features_and_labels():
    features, labels = data.load_dataset("default")

    assert features.shape == (2000, 100)
    assert labels.shape == (2000,)
    assert set(np.unique(labels)) == {0, 1}


# The built-in real dataset


def test_breast_cancer_is_scikit_learns_set():
    dataset = data.load("breast_cancer")

    assert dataset.features.shape == (569, 30)
    assert np.bincount(dataset.labels).tolist() == [212, 357]
    assert dataset.classes == (0, 1)
    assert dataset.description == (
        "breast_cancer: 569 examples x 30 features "
        "(scikit-learn; labels: 0 = malignant, 1 = benign)"
    )


def test_unscaled_breast_cancer_warns_about_feature_scales():
    dataset = data.load("breast_cancer")

    with pytest.warns(FeatureScaleWarning, match=r"set scale = true") as record:
        data.split(dataset)

    assert "column 23" in str(record[0].message)
    assert record[0].filename == __file__


def test_scaling_uses_the_training_part_only():
    dataset = data.load("breast_cancer")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeatureScaleWarning)
        raw = data.split(dataset)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = data.split(dataset, scale=True)

    mean = raw.X_train.mean(axis=1, keepdims=True)
    spread = raw.X_train.std(axis=1, keepdims=True)
    assert scaled.scaled and not raw.scaled
    np.testing.assert_allclose(scaled.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled.X_train.std(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaled.X_test, (raw.X_test - mean) / spread)
    assert abs(scaled.X_test.mean()) > 1e-3


def test_default_does_not_warn_about_scales():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.split(data.load("default"))


def test_large_common_scale_warns_like_raw_pixels():
    rng = np.random.default_rng(0)
    dataset = data.from_arrays(rng.integers(0, 256, (40, 5)), np.arange(40) % 2)

    with pytest.warns(FeatureScaleWarning, match=r"column \d has a standard dev"):
        data.split(dataset)


# Files


def test_npz_with_features_and_labels(tmp_path):
    features, labels = two_class_arrays()
    np.savez(tmp_path / "set.npz", features=features, labels=labels)

    dataset = data.load(str(tmp_path / "set.npz"))

    np.testing.assert_array_equal(dataset.features, features)
    np.testing.assert_array_equal(dataset.labels, labels)
    assert dataset.name == str(tmp_path / "set.npz")


def test_npz_with_x_and_y_from_a_pathlike(tmp_path):
    features, labels = two_class_arrays()
    np.savez_compressed(tmp_path / "set.npz", X=features, y=labels == 1)

    dataset = data.load(tmp_path / "set.npz")

    np.testing.assert_array_equal(dataset.labels, labels)
    assert dataset.classes == (False, True)
    assert dataset.description.endswith("; labels: False -> 0, True -> 1")


def test_npz_without_known_keys_lists_the_keys_found(tmp_path):
    np.savez(tmp_path / "set.npz", a=np.ones(3), b=np.ones(3))

    with pytest.raises(DataError, match=r"found the keys 'a', 'b'.*'features'"):
        data.load(str(tmp_path / "set.npz"))


def test_corrupt_npz_is_reported(tmp_path):
    (tmp_path / "set.npz").write_bytes(b"not an archive")

    with pytest.raises(DataError, match=r"set.npz' as a NumPy .npz archive"):
        data.load(str(tmp_path / "set.npz"))


def test_csv_with_header_and_string_labels(tmp_path):
    (tmp_path / "set.csv").write_text("a,b,diagnosis\n1,2,M\n3,4,B\n5,6,M\n7,8,B\n")

    dataset = data.load(str(tmp_path / "set.csv"))

    np.testing.assert_array_equal(dataset.features, [[1, 2], [3, 4], [5, 6], [7, 8]])
    np.testing.assert_array_equal(dataset.labels, [1, 0, 1, 0])
    assert dataset.classes == ("B", "M")
    assert dataset.description.endswith(
        "4 examples x 2 features; labels: 'B' -> 0, 'M' -> 1"
    )


def test_csv_without_header_and_with_semicolons(tmp_path):
    (tmp_path / "set.csv").write_text("0.5;1.5;0\n2.5;3.5;1\n4.5;5.5;1\n")

    dataset = data.load(str(tmp_path / "set.csv"))

    np.testing.assert_array_equal(
        dataset.features, [[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]]
    )
    np.testing.assert_array_equal(dataset.labels, [0, 1, 1])
    assert dataset.classes == (0, 1)


def test_csv_with_a_non_numeric_feature_names_the_cell(tmp_path):
    (tmp_path / "set.csv").write_text("a,b,y\n1,2,0\n3,x,1\n")

    with pytest.raises(DataError, match=r"line 3, column 2 \('b'\): feature 'x'"):
        data.load(str(tmp_path / "set.csv"))


def test_csv_with_rows_of_different_lengths(tmp_path):
    (tmp_path / "set.csv").write_text("1,2,0\n3,1\n")

    with pytest.raises(DataError, match=r"line 2: 2 fields, but the first data row"):
        data.load(str(tmp_path / "set.csv"))


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickle_of_numpy_arrays_loads(tmp_path, protocol):
    features, labels = two_class_arrays()
    content = {"features": features.astype(np.float32), "labels": labels}
    with open(tmp_path / "set.pkl", "wb") as file:
        pickle.dump(content, file, protocol=protocol)

    dataset = data.load(str(tmp_path / "set.pkl"))

    np.testing.assert_array_equal(dataset.features, content["features"])
    np.testing.assert_array_equal(dataset.labels, labels)


def test_pickle_written_by_numpy_1_loads(tmp_path):
    features, labels = two_class_arrays()
    content = pickle.dumps({"features": features, "labels": labels}, protocol=2)
    (tmp_path / "old.pkl").write_bytes(content.replace(b"numpy._core", b"numpy.core"))

    dataset = data.load(str(tmp_path / "old.pkl"))

    np.testing.assert_array_equal(dataset.features, features)


class RunsCommand:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class TouchesFile:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


@pytest.mark.parametrize(
    ("payload", "refused"),
    [(RunsCommand, r"(posix|nt)\.system"), (TouchesFile, r"pathlib\.Path\.touch")],
)
def test_pickle_that_would_run_code_is_refused(tmp_path, payload, refused):
    marker = tmp_path / "marker"
    content = {"features": payload(marker), "labels": np.array([0, 1])}
    with open(tmp_path / "set.pickle", "wb") as file:
        pickle.dump(content, file, protocol=4)

    with pytest.raises(DataError, match=rf"refused .* asks for {refused}"):
        data.load(str(tmp_path / "set.pickle"))

    assert not marker.exists()


def test_pickle_of_something_else_than_a_dict(tmp_path):
    with open(tmp_path / "set.pkl", "wb") as file:
        pickle.dump([np.ones(3)], file)

    with pytest.raises(DataError, match=r"holds a pickled list, not a dict"):
        data.load(str(tmp_path / "set.pkl"))


def test_truncated_pickle_is_reported(tmp_path):
    (tmp_path / "set.pkl").write_bytes(pickle.dumps({"features": np.ones(3)})[:20])

    with pytest.raises(DataError, match=r"cannot read .* as a pickle"):
        data.load(str(tmp_path / "set.pkl"))


def test_missing_file_names_the_absolute_path_and_working_directory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(DataError) as caught:
        data.load("sub/missing.csv")

    message = str(caught.value)
    assert "does not exist" in message
    assert str(tmp_path / "sub" / "missing.csv") in message
    assert f"working directory {tmp_path}" in message


def test_unsupported_extension_lists_the_supported_ones(tmp_path):
    (tmp_path / "set.txt").write_text("1,2,0\n")

    with pytest.raises(DataError, match=r"'\.txt'.*\.npz, \.csv, \.pkl, \.pickle"):
        data.load(str(tmp_path / "set.txt"))


# Arrays and notebook variables


def test_course_layout_is_transposed_and_said_so():
    features, labels = two_class_arrays(m=20, n=3)

    dataset = data.from_arrays(features.T, labels[np.newaxis, :], name="course")

    np.testing.assert_array_equal(dataset.features, features)
    assert dataset.description == (
        "course: 20 examples x 3 features (transposed from the course layout (3, 20))"
    )


def test_column_labels_and_images_are_accepted():
    images = np.arange(6 * 4 * 4 * 3).reshape(6, 4, 4, 3)

    dataset = data.from_arrays(images, np.array([[0], [1]] * 3), name="images")

    assert dataset.features.shape == (6, 48)
    np.testing.assert_array_equal(dataset.features[1], images[1].ravel())
    assert "(flattened from (6, 4, 4, 3))" in dataset.description


def test_arrays_are_copied():
    features, labels = two_class_arrays()

    dataset = data.from_arrays(features, labels)
    features[0, 0] = 99.0

    assert dataset.features[0, 0] == 0.0


@pytest.mark.parametrize(
    ("labels", "classes", "mapping"),
    [
        (["M", "B", "M", "B"], ("B", "M"), "'B' -> 0, 'M' -> 1"),
        ([1, -1, 1, -1], (-1, 1), "-1 -> 0, 1 -> 1"),
        ([7.0, 2.0, 7.0, 2.0], (2, 7), "2 -> 0, 7 -> 1"),
        ([True, False, True, False], (False, True), "False -> 0, True -> 1"),
    ],
)
def test_two_label_values_are_coded_smaller_first(labels, classes, mapping):
    dataset = data.from_arrays(np.ones((4, 2)), np.array(labels))

    assert dataset.classes == classes
    np.testing.assert_array_equal(dataset.labels, [1, 0, 1, 0])
    assert dataset.description.endswith(f"; labels: {mapping}")


def test_zero_one_labels_need_no_mapping():
    dataset = data.from_arrays(np.ones((4, 2)), np.array([0.0, 1.0, 1.0, 0.0]))

    assert dataset.classes == (0, 1)
    assert dataset.description == "arrays: 4 examples x 2 features"


def test_more_than_two_label_values_are_listed():
    with pytest.raises(DataError, match=r"found 12: 0, 1, 2, .*, 9, \.\.\."):
        data.from_arrays(np.ones((12, 2)), np.arange(12))


def test_a_single_label_value_is_reported():
    with pytest.raises(DataError, match=r"all 4 labels are 'yes'.*two classes"):
        data.from_arrays(np.ones((4, 2)), np.array(["yes"] * 4))


def test_missing_labels_are_located():
    with pytest.raises(DataError, match=r"1 missing label \(NaN\) at rows 2\."):
        data.from_arrays(np.ones((4, 2)), np.array([0, 1, np.nan, 1]))


def test_non_finite_features_are_counted_and_located():
    features = np.ones((10, 4))
    features[2, 3] = np.nan
    features[5, 0] = np.inf
    features[7, 1] = -np.inf

    with pytest.raises(
        DataError,
        match=r"3 feature values that are not finite \(1 NaN, 2 infinite\) "
        r"at \(row, column\) \(2, 3\), \(5, 0\), \(7, 1\)\.",
    ):
        data.from_arrays(features, np.arange(10) % 2)


def test_length_mismatch_shows_both_shapes_and_suggests_transposing():
    with pytest.raises(
        DataError,
        match=r"features of shape \(3, 5\) and labels of shape \(5,\): 3 examples "
        r"but 5 labels.*pass features\.T",
    ):
        data.from_arrays(np.ones((3, 5)), np.arange(5) % 2)


def test_non_numeric_features_are_located():
    features = np.array([[1, 2], [3, "three"]], dtype=object)

    with pytest.raises(DataError, match=r"found 'three' at row 1, column 1"):
        data.from_arrays(features, np.array([0, 1]))


def test_variables_are_looked_up_by_name():
    features, labels = two_class_arrays()
    namespace = {"train_x": features.T, "train_y": labels[np.newaxis, :]}

    dataset = data.load("train_x,train_y", namespace)

    np.testing.assert_array_equal(dataset.features, features)
    assert dataset.name == "train_x, train_y"
    assert dataset.description.startswith("train_x, train_y: 20 examples x 3")


def test_unknown_variable_suggests_close_names():
    namespace = {"train_x": 1, "train_y": 2, "test_x": 3}

    with pytest.raises(DataError, match=r"'trainx'.*did you mean 'train_x'"):
        data.resolve("trainx, train_y", namespace)


def test_variable_names_are_never_evaluated():
    with pytest.raises(DataError, match=r"expected two variable names"):
        data.resolve("__import__('os').getcwd(), y", {"y": 1})


def test_variable_names_without_a_namespace():
    with pytest.raises(DataError, match=r"no namespace.*namespace=globals\(\)"):
        data.load("train_x, train_y")


def test_unknown_single_name_explains_the_accepted_forms(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(
        DataError,
        match=r"'breast_cancr' is not a built-in dataset nor an existing file\. "
        r"Did you mean 'breast_cancer'\? Use default or breast_cancer, a file path",
    ):
        data.load("breast_cancr")


def test_a_single_variable_name_asks_for_the_labels(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(DataError, match=r"'train_x' is a notebook variable: name the"):
        data.load("train_x", {"train_x": np.ones((3, 2))})


def test_other_sources_are_refused_with_the_accepted_forms():
    with pytest.raises(DataError, match=r"type int: give a dataset name"):
        data.load(42)


def test_tuples_and_datasets_are_sources():
    features, labels = two_class_arrays()

    dataset = data.load((features, labels))

    assert data.load(dataset) is dataset
    assert dataset.name == "arrays"


# Splitting


def test_split_is_stratified_disjoint_and_in_course_layout():
    dataset = data.from_arrays(*two_class_arrays(m=50))

    parts = data.split(dataset, test_size=0.2, seed=3)

    assert parts.X_train.shape == (3, 40)
    assert parts.Y_train.shape == (1, 40)
    assert parts.X_test.shape == (3, 10)
    assert parts.Y_test.shape == (1, 10)
    assert parts.Y_test.sum() == 5
    rows = row_numbers(np.concatenate([parts.X_train[0], parts.X_test[0]]))
    assert sorted(rows) == list(range(50))
    np.testing.assert_array_equal(parts.Y_train[0], row_numbers(parts.X_train[0]) % 2)
    assert parts.dataset is dataset


def test_split_depends_on_the_seed_only():
    dataset = data.from_arrays(*two_class_arrays(m=50))

    first = data.split(dataset, seed=1)
    again = data.split(dataset, seed=1)
    other = data.split(dataset, seed=2)

    np.testing.assert_array_equal(first.X_test, again.X_test)
    assert not np.array_equal(first.X_test, other.X_test)


def test_split_dtype():
    parts = data.split(data.load("default"), dtype=np.float32)

    assert parts.X_train.dtype == parts.Y_test.dtype == np.float32
    assert parts.X_train.shape == (100, 1600)
    assert parts.X_test.shape == (100, 400)


def test_too_few_examples_of_a_class_suggests_a_test_size():
    features, _ = two_class_arrays(m=12)
    labels = np.array(["ok"] * 10 + ["rare"] * 2)

    with pytest.raises(
        DataError,
        match=r"test_size = 0.2 leaves the train or the test part without an "
        r"example of some class; the data hold 10 of class 'ok' and 2 of class "
        r"'rare'.*Choose test_size from 0.25 to 0.74\.",
    ):
        data.split(data.from_arrays(features, labels))


def test_a_class_of_one_example_cannot_be_split():
    features, _ = two_class_arrays(m=12)
    labels = np.array([0] * 11 + [1])

    with pytest.raises(DataError, match=r"Add examples of class 1: it needs 2"):
        data.split(data.from_arrays(features, labels), test_size=0.5)


@pytest.mark.parametrize("test_size", [0, 1, -0.2, 1.5])
def test_test_size_must_be_a_fraction(test_size):
    with pytest.raises(DataError, match=r"test_size must be between 0 and 1"):
        data.split(data.from_arrays(*two_class_arrays()), test_size=test_size)


def test_hold_out_is_stratified_in_course_layout():
    features, labels = two_class_arrays(m=40)
    X, Y = features.T, labels[np.newaxis, :].astype(float)

    X_fit, Y_fit, X_val, Y_val = data.hold_out(X, Y, 0.25, seed=0)

    assert X_fit.shape == (3, 30)
    assert X_val.shape == (3, 10)
    assert Y_val.sum() == 5
    np.testing.assert_array_equal(Y_fit[0], row_numbers(X_fit[0]) % 2)
    rows = row_numbers(np.concatenate([X_fit[0], X_val[0]]))
    assert sorted(rows) == list(range(40))


def test_hold_out_with_too_few_examples():
    X, Y = np.ones((2, 5)), np.array([[0.0, 0, 0, 0, 1]])

    with pytest.raises(DataError, match=r"validation fraction = 0.2 .*class 1"):
        data.hold_out(X, Y, 0.2, seed=0)
