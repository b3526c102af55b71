"""Write the default dataset, ``fcnet_magic/datasets/default.npz``.

Run it from any folder; it writes the same arrays on every run::

    python data/make_default.py

Each example is a 10 x 10 grey image flattened to 100 pixels in [0, 1]. Both
classes share a mean image; class 1 adds a smooth pattern of light and dark
blobs to it and class 0 subtracts the same pattern, each example with its own
contrast. Pixel noise, clipping to [0, 1], 8-bit levels and 1% of labels
flipped at random make the classes overlap, so no classifier is perfect. See
``data/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 0
EXAMPLES = 2000
SIDE = 10
BLOBS = 6
BACKGROUND_SWING = 0.15
PATTERN_STRENGTH = 0.25
CONTRAST_RANGE = (0.6, 1.4)
NOISE = 0.3
FLIPPED_LABELS = 0.01

OUTPUT = Path(__file__).resolve().parent.parent / "fcnet_magic" / "datasets"


def blob_pattern(rng: np.random.Generator, side: int, blobs: int) -> np.ndarray:
    """A smooth image of light and dark Gaussian blobs, scaled to [-1, 1].

    Returns
    -------
    numpy.ndarray of shape (side * side,)
    """
    row, column = np.mgrid[0:side, 0:side]
    image = np.zeros((side, side))
    for _ in range(blobs):
        centre_row, centre_column = rng.uniform(0, side, size=2)
        width = rng.uniform(1.5, 3.0)
        sign = rng.choice([-1.0, 1.0])
        distance2 = (row - centre_row) ** 2 + (column - centre_column) ** 2
        image += sign * np.exp(-distance2 / (2 * width**2))
    return image.ravel() / np.abs(image).max()


def make_default(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Draw the default dataset.

    Returns
    -------
    features : numpy.ndarray of shape (2000, 100), float32 in [0, 1]
    labels : numpy.ndarray of shape (2000,), uint8 in {0, 1}
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(EXAMPLES) % 2)
    mean_image = 0.5 + BACKGROUND_SWING * blob_pattern(rng, SIDE, BLOBS)
    pattern = blob_pattern(rng, SIDE, BLOBS)

    # Class 1 adds the pattern and class 0 subtracts it, at varying contrast.
    sign = 2.0 * labels[:, np.newaxis] - 1.0
    contrast = rng.uniform(*CONTRAST_RANGE, size=(EXAMPLES, 1))
    images = mean_image + PATTERN_STRENGTH * sign * contrast * pattern
    images += rng.normal(0.0, NOISE, size=images.shape)

    # Store as an 8-bit camera would: clipped to [0, 1] in steps of 1 / 255.
    features = np.round(np.clip(images, 0.0, 1.0) * 255) / 255

    flipped = rng.random(EXAMPLES) < FLIPPED_LABELS
    labels = np.where(flipped, 1 - labels, labels)
    return features.astype(np.float32), labels.astype(np.uint8)


def main() -> None:
    """Write ``default.npz`` next to the package's code."""
    features, labels = make_default()
    OUTPUT.mkdir(exist_ok=True)
    np.savez_compressed(OUTPUT / "default.npz", features=features, labels=labels)


if __name__ == "__main__":
    main()
