"""Tests for reading settings from cell bodies and line options."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from fcnet_magic.settings import (
    ENGINES,
    MAX_CONFIGURATIONS,
    OPTION_NAMES,
    Settings,
    parse_single,
    parse_sweep,
)

# Accepted forms


def test_empty_body_gives_the_defaults():
    assert parse_single("") == Settings()
    assert parse_single(None, None) == Settings()
    assert parse_sweep("") == [Settings()]


def test_defaults_match_the_documented_values():
    assert dataclasses.asdict(Settings()) == {
        "layers": (20, 5, 1),
        "learning_rate": 0.1,
        "iterations": 250,
        "engines": ("numpy",),
        "data": "default",
        "test_size": 0.2,
        "seed": 1,
        "batch_size": None,
        "dtype": "float64",
        "scale": False,
        "patience": None,
        "min_delta": 0.0,
        "validation_size": 0.1,
        "init": "shared",
        "repeat": 1,
    }


def test_a_full_body_is_read():
    body = """
    # a network of ReLU layers and one sigmoid unit
    layers        = 100-20-5-1      # also [100, 20, 5, 1]
    learning_rate = 0.1
    iterations    = 250
    engine        = numpy           # numpy | keras | both
    data          = default
    seed          = 1
    """
    assert parse_single(body) == Settings(
        layers=(100, 20, 5, 1), learning_rate=0.1, iterations=250, seed=1
    )


@pytest.mark.parametrize(
    "text",
    [
        "100-20-5-1",
        "[100, 20, 5, 1]",
        "[100,20,5,1]",
        "100,20,5,1",
        "100, 20, 5, 1",
        "(100, 20, 5, 1)",
        "( 100 , 20 , 5 , 1 )",
        "[100 20 5 1]",
        "[100-20-5-1]",
    ],
)
def test_layers_forms(text):
    assert parse_single(f"layers = {text}").layers == (100, 20, 5, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20-5-1", (20, 5, 1)), ("1", (1,)), ("[1]", (1,)), ("100000-1", (100_000, 1))],
)
def test_layers_without_input_size(text, expected):
    assert parse_single(f"layers = {text}").layers == expected


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("learning_rate = 1e-3", "learning_rate", 0.001),
        ("learning_rate = 2", "learning_rate", 2.0),
        ("iterations = 1e3", "iterations", 1000),
        ("iterations = 1_000", "iterations", 1000),
        ("iterations = 1000000", "iterations", 1_000_000),
        ("iterations = 12.0", "iterations", 12),
        ("test_size = 0.3", "test_size", 0.3),
        ("validation_size = 0.25", "validation_size", 0.25),
        ("seed = 0", "seed", 0),
        ("seed = 4294967295", "seed", 2**32 - 1),
        ("batch_size = 32", "batch_size", 32),
        ("batch_size = full", "batch_size", None),
        ("batch_size = None", "batch_size", None),
        ("batch_size = FULL", "batch_size", None),
        ("dtype = float32", "dtype", "float32"),
        ("dtype = FLOAT64", "dtype", "float64"),
        ("dtype = 32", "dtype", "float32"),
        ("dtype = 64", "dtype", "float64"),
        ("dtype = single", "dtype", "float32"),
        ("dtype = Double", "dtype", "float64"),
        ("patience = 5", "patience", 5),
        ("patience = none", "patience", None),
        ("patience = OFF", "patience", None),
        ("min_delta = 0", "min_delta", 0.0),
        ("min_delta = 1e-4", "min_delta", 0.0001),
        ("init = keras", "init", "keras"),
        ("init = SHARED", "init", "shared"),
        ("repeat = 1", "repeat", 1),
        ("repeat = 100", "repeat", 100),
        ("data = breast_cancer", "data", "breast_cancer"),
        ("data = data/points.npz", "data", "data/points.npz"),
        ("data = C:/runs/points.csv", "data", "C:/runs/points.csv"),
        ("data: C:\\runs\\points.csv", "data", "C:\\runs\\points.csv"),
        ("data = train_x, train_y", "data", "train_x,train_y"),
    ],
)
def test_value_forms(line, key, expected):
    assert getattr(parse_single(line), key) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("off", False),
        ("0", False),
    ],
)
def test_scale_booleans(word, expected):
    assert parse_single(f"scale = {word}").scale is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("numpy", ("numpy",)),
        ("Keras", ("keras",)),
        ("keras_compiled", ("keras_compiled",)),
        ("keras-compiled", ("keras_compiled",)),
        ("compiled", ("keras_compiled",)),
        ("both", ("numpy", "keras")),
        ("BOTH", ("numpy", "keras")),
        ("all", ENGINES),
        ("numpy, keras_compiled", ("numpy", "keras_compiled")),
        ("keras+numpy", ("keras", "numpy")),
        ("keras + numpy", ("keras", "numpy")),
        ("numpy, both", ("numpy", "keras")),
    ],
)
def test_engine_values(text, expected):
    assert parse_single(f"engine = {text}").engines == expected


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("layers", "layers"),
        ("layer_dims", "layers"),
        ("layer-dims", "layers"),
        ("learning_rate", "learning_rate"),
        ("lr", "learning_rate"),
        ("learning-rate", "learning_rate"),
        ("alpha", "learning_rate"),
        ("LR", "learning_rate"),
        ("Learning_Rate", "learning_rate"),
        ("iterations", "iterations"),
        ("epochs", "iterations"),
        ("num_iterations", "iterations"),
        ("num-iterations", "iterations"),
        ("engine", "engines"),
        ("engines", "engines"),
        ("data", "data"),
        ("test_size", "test_size"),
        ("test-size", "test_size"),
        ("seed", "seed"),
        ("batch_size", "batch_size"),
        ("dtype", "dtype"),
        ("scale", "scale"),
        ("patience", "patience"),
        ("min_delta", "min_delta"),
        ("validation_size", "validation_size"),
        ("init", "init"),
        ("repeat", "repeat"),
    ],
)
def test_every_key_and_alias(key, field):
    values = {
        "layers": ("7-1", (7, 1)),
        "learning_rate": ("0.5", 0.5),
        "iterations": ("9", 9),
        "engines": ("keras", ("keras",)),
        "data": ("breast_cancer", "breast_cancer"),
        "test_size": ("0.5", 0.5),
        "seed": ("3", 3),
        "batch_size": ("8", 8),
        "dtype": ("float32", "float32"),
        "scale": ("true", True),
        "patience": ("4", 4),
        "min_delta": ("0.5", 0.5),
        "validation_size": ("0.3", 0.3),
        "init": ("keras", "keras"),
        "repeat": ("2", 2),
    }
    text, expected = values[field]
    assert getattr(parse_single(f"{key} = {text}"), field) == expected
    assert getattr(parse_single(f"  {key}:{text}  "), field) == expected


def test_comments_and_blank_lines_are_ignored():
    body = "# heading\n\n   \nlr = 0.5 # note\n\t# indented comment\n"
    assert parse_single(body).learning_rate == 0.5


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('data = "my file.csv"', "my file.csv"),
        ("data = 'my file.csv'", "my file.csv"),
        ('data = "runs #3.csv"  # quoted hash stays', "runs #3.csv"),
        ("data = 'a|b.csv'", "a|b.csv"),
        ('data = "x, y.csv"', "x, y.csv"),
        ("data = Bob's.csv", "Bob's.csv"),
        ('data:"C:\\my data\\x.csv"', "C:\\my data\\x.csv"),
    ],
)
def test_quoted_data_paths(line, expected):
    assert parse_single(line).data == expected


# Mistakes in the body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "lr = 0.1\nseed = 1\nlearnig_rate = 3",
            "line 3: unknown setting 'learnig_rate'; did you mean 'learning_rate'?",
        ),
        ("epoch = 5", "line 1: unknown setting 'epoch'; did you mean 'epochs'?"),
        (
            "colour = red",
            "line 1: unknown setting 'colour'; valid settings are layers, "
            "learning_rate, iterations, engine, data, test_size, seed, batch_size, "
            "dtype, scale, patience, min_delta, validation_size, init, repeat",
        ),
        (
            "layers 100-20-5-1",
            "line 1: expected 'key = value' (or 'key: value'), "
            "got 'layers 100-20-5-1'.",
        ),
        ("= 5", "line 1: expected 'key = value' (or 'key: value'), got '= 5'."),
        (
            "lr = 0.1\nlr = 1",
            "line 2: learning_rate is already set on line 1; "
            "keep one of the two lines.",
        ),
        (
            "alpha = 0.1\n\n# again\nlearning-rate = 1",
            "line 4: learning_rate is already set on line 1",
        ),
        ("lr =", "line 1: learning_rate has no value. Example: learning_rate = 0.1"),
        ("engine: # later", "line 1: engine has no value. Example: engine = numpy"),
        (
            'data = "my file.csv',
            "line 1: data has an unmatched quote in '\"my file.csv'. "
            'Quote the whole value: data = "my file.csv"',
        ),
    ],
)
def test_body_mistakes(body, message):
    with pytest.raises(UsageError) as caught:
        parse_single(body)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "layers = 100-20-5-2",
            "layers must end with a single sigmoid unit (1), got 100-20-5-2. "
            "Append -1: layers = 100-20-5-2-1",
        ),
        (
            "layers = [100, 20, 5, 2]",
            "got 100-20-5-2. Append -1: layers = 100-20-5-2-1",
        ),
        ("layers = 100-0-1", "layers must have sizes of at least 1, got 0 in"),
        ("layers = 100--5-1", "layers must be positive whole numbers joined by '-'"),
        ("layers = 100-x-1", "got '100-x-1'. Example: layers = 100-20-5-1"),
        ("layers = 100.5-1", "layers must be positive whole numbers"),
        ("layers = [100-1", "layers must be positive whole numbers"),
        ("layers = []", "layers needs at least one layer size, got '[]'"),
        ("layers = 100-200000-1", "at most 100_000, got 200000 in '100-200000-1'"),
        ("layers = 1-99999999999999999999999-1", "at most 100_000"),
        (
            "learning_rate = -0.1",
            "learning_rate must be a positive number, got '-0.1'. "
            "Example: learning_rate = 0.1",
        ),
        ("lr = 0", "learning_rate must be a positive number, got '0'"),
        ("lr = nan", "learning_rate must be a positive number, got 'nan'"),
        ("lr = inf", "learning_rate must be a positive number, got 'inf'"),
        ("lr = fast", "learning_rate must be a positive number, got 'fast'"),
        ("iterations = 0", "iterations must be a whole number from 1 to 1_000_000"),
        ("epochs = 1000001", "got '1000001'. Example: iterations = 250"),
        ("epochs = 2.5", "iterations must be a whole number from 1 to 1_000_000"),
        ("epochs = 1e400", "got '1e400'"),
        ("test_size = 1", "test_size must be a number strictly between 0 and 1"),
        ("test_size = 0", "got '0'. Example: test_size = 0.2"),
        ("validation_size = 1.5", "validation_size must be a number strictly"),
        ("seed = -1", "seed must be a whole number from 0 to 4_294_967_295"),
        ("seed = 4294967296", "got '4294967296'"),
        ("batch_size = 0", "batch_size must be a whole number >= 1 or 'full'"),
        ("batch_size = half", "got 'half'. Example: batch_size = 64"),
        ("dtype = float16", "dtype must be one of float64, float32, 64, 32, double"),
        ("scale = maybe", "scale must be one of true, false, yes, no, on, off"),
        ("patience = 0", "patience must be a whole number >= 1 or 'none'"),
        ("min_delta = -1", "min_delta must be a number >= 0, got '-1'"),
        ("init = glorot", "init must be one of shared, keras, got 'glorot'"),
        ("repeat = 0", "repeat must be a whole number from 1 to 100, got '0'"),
        ("repeat = 101", "got '101'. Example: repeat = 3"),
        ("engine = torch", "engine must be numpy, keras, keras_compiled, both, all"),
        ("engine = numpy,,keras", "got 'numpy,,keras'. Example: engine = numpy"),
        ("data = ''", "data must be a dataset name, a file path or notebook"),
    ],
)
def test_bad_values_name_the_line_and_the_fix(line, message):
    with pytest.raises(UsageError, match=r"^line 2: ") as caught:
        parse_single(f"# first line\n{line}")
    assert message in str(caught.value)


def test_several_values_are_refused_for_a_single_run():
    message = (
        "line 2: %%fcnet_train trains one configuration; got 2 values for "
        "learning_rate (0.1, 1). Use %fcnet_compare to sweep settings."
    )
    with pytest.raises(UsageError) as caught:
        parse_single("layers = 20-5-1\nlr = 0.1 1")
    assert str(caught.value) == message
    with pytest.raises(UsageError, match="got 3 values for layers"):
        parse_single("layers = 20-5-1 | [10, 1] 4-1")


def test_an_unquoted_path_with_spaces_suggests_quotes():
    with pytest.raises(UsageError, match=r'needs quotes: data = "my file\.csv"'):
        parse_single("data = my file.csv")


# Line options


def test_options_override_the_body():
    body = "lr = 0.5\nlayers = 20-5-1\nseed = 3"
    options = {"learning_rate": "0.01", "layers": ["10-1"], "seed": None}
    result = parse_single(body, options)
    assert (result.learning_rate, result.layers, result.seed) == (0.01, (10, 1), 3)


def test_an_option_replaces_every_body_alternative():
    result = parse_sweep("lr = 0.1 | 1 | 10", {"learning_rate": ["3"]})
    assert [item.learning_rate for item in result] == [3.0]


def test_option_words_are_joined_back_together():
    options = {
        "layers": ["[100,", "20,", "5,", "1]"],
        "engines": ["numpy,", "keras"],
        "data": ["my file.csv"],
    }
    result = parse_single("", options)
    assert result.layers == (100, 20, 5, 1)
    assert result.engines == ("numpy", "keras")
    assert result.data == "my file.csv"


@pytest.mark.parametrize(
    "word", ['"my file.csv"', "'my file.csv'", "my file.csv", 'my "best" file.csv']
)
def test_option_words_keep_their_spaces_with_or_without_quotes(word):
    expected = word.strip("'\"") if word[0] in "'\"" else word
    assert parse_single("", {"data": [word]}).data == expected


def test_option_words_from_an_unquoted_line_sweep():
    options = {"layers": ["[100,", "20,", "5,", "1]", "20-5-1"], "seed": ["1", "2"]}
    assert [(item.layers, item.seed) for item in parse_sweep("", options)] == [
        ((100, 20, 5, 1), 1),
        ((100, 20, 5, 1), 2),
        ((20, 5, 1), 1),
        ((20, 5, 1), 2),
    ]


def test_option_values_that_are_not_text_are_read_as_text():
    result = parse_single("", {"scale": True, "seed": 5, "repeat": (2,)})
    assert (result.scale, result.seed, result.repeat) == (True, 5, 2)


def test_options_that_are_not_settings_are_ignored():
    options = {"output": "run", "quiet": True, "engine": ["both"], "lr": None}
    assert parse_single("", options) == Settings(engines=("numpy", "keras"))


def test_option_errors_name_the_option():
    message = (
        "option --learning-rate: learning_rate must be a positive number, got "
        "'-0.1'. Example: --learning-rate 0.1"
    )
    with pytest.raises(UsageError) as caught:
        parse_single("lr = 0.1", {"learning_rate": ["-0.1"]})
    assert str(caught.value) == message
    with pytest.raises(UsageError, match=r"^option --layers: .* Append -1: --layers"):
        parse_sweep("", {"layers": ["20-5-2"]})
    with pytest.raises(UsageError, match=r"^option --engine: engine has no value"):
        parse_sweep("", {"engines": []})
    with pytest.raises(UsageError, match=r"^option --seed: %%fcnet_train trains one"):
        parse_single("", {"seed": ["1", "2"]})


def test_defaults_fill_what_neither_body_nor_options_give():
    defaults = Settings(engines="both", seed=7, learning_rate=0.5)
    result = parse_single("lr = 0.2", {"seed": ["3"], "quiet": False}, defaults)
    assert (result.engines, result.seed, result.learning_rate) == (
        ("numpy", "keras"),
        3,
        0.2,
    )
    grid = parse_sweep("lr = 1 2", None, defaults=defaults)
    assert [(item.learning_rate, item.seed) for item in grid] == [(1.0, 7), (2.0, 7)]
    assert parse_sweep("", {}, defaults=defaults) == [defaults]


def test_option_names():
    assert OPTION_NAMES["learning_rate"] == "--learning-rate"
    assert OPTION_NAMES["engines"] == "--engine"
    assert OPTION_NAMES["min_delta"] == "--min-delta"
    assert set(OPTION_NAMES) == {field.name for field in dataclasses.fields(Settings)}


# Sweeps


def test_sweep_grid_follows_field_order_then_value_order():
    body = "seed = 1 2\nlayers = 20-5-1 | [100, 20, 5, 1]\nlr = 0.1, "
    result = parse_sweep(body, {"learning_rate": ["0.1", "1"]})
    assert [(s.layers, s.learning_rate, s.seed) for s in result] == [
        ((20, 5, 1), 0.1, 1),
        ((20, 5, 1), 0.1, 2),
        ((20, 5, 1), 1.0, 1),
        ((20, 5, 1), 1.0, 2),
        ((100, 20, 5, 1), 0.1, 1),
        ((100, 20, 5, 1), 0.1, 2),
        ((100, 20, 5, 1), 1.0, 1),
        ((100, 20, 5, 1), 1.0, 2),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1 1", [0.1, 1.0]),
        ("0.1|1", [0.1, 1.0]),
        ("0.1 | 1 |", [0.1, 1.0]),
        ("  0.1\t1  10 ", [0.1, 1.0, 10.0]),
    ],
)
def test_sweep_separators(text, expected):
    assert [item.learning_rate for item in parse_sweep(f"lr = {text}")] == expected


def test_engine_both_is_one_value_in_a_sweep():
    result = parse_sweep("engine = both")
    assert [item.engines for item in result] == [("numpy", "keras")]
    result = parse_sweep("engine = numpy keras, keras_compiled")
    assert [item.engines for item in result] == [
        ("numpy",),
        ("keras", "keras_compiled"),
    ]


def test_quoted_alternatives_in_a_sweep():
    result = parse_sweep("data = 'a b.csv' | \"c d.csv\" default")
    assert [item.data for item in result] == ["a b.csv", "c d.csv", "default"]


def test_sweep_bad_alternative_names_the_line():
    with pytest.raises(UsageError, match=r"^line 1: learning_rate .* got 'x'"):
        parse_sweep("lr = 0.1 x 1")


def test_sweep_size_is_limited():
    body = "lr = 1 2 3 4 5\nseed = 1 2 3 4 5\niterations = 1 2 3 4 5"
    message = (
        r"^the sweep asks for 125 configurations \(5 learning_rate x "
        r"5 iterations x 5 seed\), more than the 100 allowed"
    )
    with pytest.raises(UsageError, match=message):
        parse_sweep(body)
    values = " ".join(str(number) for number in range(1, MAX_CONFIGURATIONS + 1))
    assert len(parse_sweep(f"seed = {values}")) == MAX_CONFIGURATIONS


# The Settings object


def test_settings_validate_typed_and_text_values():
    settings_ = Settings(layers=[100, 20, 5, 1], learning_rate=1, engines="both")
    assert settings_.layers == (100, 20, 5, 1)
    assert settings_.learning_rate == 1.0
    assert isinstance(settings_.learning_rate, float)
    assert settings_.engines == ("numpy", "keras")
    assert Settings(layers="20-5-1", iterations="1e3").iterations == 1000
    with pytest.raises(UsageError, match=r"^learning_rate must be a positive number"):
        Settings(learning_rate=-1.0)
    with pytest.raises(UsageError, match=r"^layers must end with a single sigmoid"):
        Settings(layers=(20, 5))
    with pytest.raises(UsageError, match=r"^seed must be a whole number"):
        Settings(seed=1.5)


def test_settings_are_frozen_and_hashable():
    item = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.seed = 2
    assert hash(item) == hash(Settings())


def test_replace_returns_a_validated_copy():
    base = Settings()
    changed = base.replace(learning_rate=2, layers="5-1")
    assert (changed.learning_rate, changed.layers) == (2.0, (5, 1))
    assert base == Settings()
    assert base.replace(epochs=10).iterations == 10
    with pytest.raises(UsageError, match="iterations must be a whole number"):
        base.replace(iterations=0)
    with pytest.raises(
        UsageError, match="unknown setting 'learning_rat'; did you mean"
    ):
        base.replace(learning_rat=1)


def test_describe_changes():
    base = Settings()
    assert base.describe_changes(base) == ""
    assert base.describe_changes(base.replace(learning_rate=1)) == (
        "learning_rate 0.1 -> 1"
    )
    other = base.replace(layers="100-20-5-1", engines="both", batch_size=32)
    assert base.describe_changes(other) == (
        "layers 20-5-1 -> 100-20-5-1, engine numpy -> numpy,keras, "
        "batch_size none -> 32"
    )
    assert base.describe_changes(base.replace(scale=True, lr=1e-3)) == (
        "learning_rate 0.1 -> 0.001, scale false -> true"
    )


@pytest.mark.parametrize(
    ("layers", "n_x", "expected"),
    [
        ((100, 20, 5, 1), 100, (100, 20, 5, 1)),
        ((20, 5, 1), 100, (100, 20, 5, 1)),
        ((1,), 1, (1, 1)),
        ((1,), 7, (7, 1)),
    ],
)
def test_layer_dims_adds_the_input_size_when_missing(layers, n_x, expected):
    assert Settings(layers=layers).layer_dims(n_x) == expected


# Properties: any text gives Settings or a UsageError, never anything else

_FRAGMENTS = st.sampled_from(
    [
        *(name for name in OPTION_NAMES),
        *("lr", "epochs", "engine", "layer_dims", "alpha", "Learning-Rate"),
        *("=", ":", " ", "\t", "\n", "#", "|", ",", "+", "-", "[", "]", "(", ")"),
        *("'", '"', "0", "1", "1e3", "-1", "0.5", "nan", "inf", "100-20-5-1"),
        *("20-5-1", "both", "all", "keras", "numpy", "compiled", "full", "none"),
        *("true", "off", "float32", "shared", "default", "é", "\x00", "\r"),
    ]
)
_KEYISH_TEXT = st.lists(_FRAGMENTS, max_size=40).map("".join)


def _settings_or_usage_error(function, *arguments):
    try:
        result = function(*arguments)
    except UsageError:
        return
    if isinstance(result, list):
        assert 1 <= len(result) <= MAX_CONFIGURATIONS
        assert all(isinstance(item, Settings) for item in result)
    else:
        assert isinstance(result, Settings)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _KEYISH_TEXT))
def test_any_body_gives_settings_or_a_usage_error(body):
    _settings_or_usage_error(parse_single, body)
    _settings_or_usage_error(parse_sweep, body)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*OPTION_NAMES, "lr", "output"]),
        st.none() | st.text() | st.lists(st.one_of(st.text(), _KEYISH_TEXT)),
    ),
    _KEYISH_TEXT,
)
def test_any_options_give_settings_or_a_usage_error(options, body):
    _settings_or_usage_error(parse_single, body, options)
    _settings_or_usage_error(parse_sweep, body, options)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 100_000), max_size=5).map(lambda sizes: (*sizes, 1)),
    st.floats(min_value=1e-6, max_value=1e3, allow_nan=False),
)
def test_written_settings_read_back_the_same(layers, learning_rate):
    item = Settings(layers=layers, learning_rate=learning_rate)
    body = f"layers = {'-'.join(map(str, layers))}\nlr = {learning_rate!r}"
    assert parse_single(body) == item
    assert Settings(**dataclasses.asdict(item)) == item
