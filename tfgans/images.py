"""Sample grids: uint8 image batches tiled into one PNG."""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

__all__ = ["make_grid", "save_grid"]


def make_grid(images, ncols: Optional[int] = None, padding: int = 2) -> np.ndarray:
    """Tiles uint8 images ``[N, H, W, C]`` (C = 1 or 3) into one ``[rows*(H+p)+p, cols*(W+p)+p, C]`` image.

    ``ncols`` defaults to the smallest square that holds N; gaps are black.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or images.dtype != np.uint8:
        raise ValueError(
            f"make_grid wants uint8 images [N, H, W, 1 or 3]; got dtype {images.dtype} shape {images.shape}. "
            "Convert float images with tfgans.data.to_uint8(images, value_range)."
        )
    n, h, w, c = images.shape
    ncols = ncols or max(1, math.ceil(math.sqrt(n)))
    nrows = max(1, math.ceil(n / ncols))
    grid = np.zeros((nrows * (h + padding) + padding, ncols * (w + padding) + padding, c), np.uint8)
    for i, image in enumerate(images):
        r, col = divmod(i, ncols)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[top:top + h, left:left + w] = image
    return grid


def save_grid(images, path: str, ncols: Optional[int] = None) -> str:
    """Writes :func:`make_grid` of ``images`` as a PNG at ``path`` (parent folders created); returns path."""
    from PIL import Image

    from tfgans import files

    grid = make_grid(images, ncols)
    # Under a temporary name no reader's "*.png" matches, then renamed: a kill leaves no half PNG behind.
    with files.atomic_path(path) as tmp:
        Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(tmp, format="PNG")
    return path
