"""Cluster ids of a set of images, for a GAN conditioned on its data's own clusters instead of labels.

A self-conditioned GAN (Liu et al. 2020, "Diverse Image Generation via Self-Conditioned GANs",
arXiv:2006.10728) trains a class-conditional GAN on cluster ids of the training images: no labels are needed,
the generator learns one mode per cluster, and sampling the clusters at their frequency covers the data's
modes. Liu et al. cluster the discriminator's features and re-cluster during training; tfgans clusters once,
before training, by k-means on the images' principal components (pixels, block-averaged to at most 1,024
values an image), which needs no network and keeps a run's data fixed, so that a resumed run sees the same
batches. The clusters are balanced (equally many images in each), so the uniform class prior of
``tfgans.layers.LatentClass`` draws them at their frequency in the data.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["cluster_labels", "MAX_FEATURES"]

#: Clusterings made in this process, by the images' digest and the options: a run that opens its stream twice
#: (the rest of an interrupted epoch, then the next epochs) clusters once.
_MADE: dict = {}

#: An image is block-averaged until it has at most this many values before its principal components are taken.
MAX_FEATURES = 1024


def _features(images: np.ndarray, dims: int, seed: int) -> np.ndarray:
    """``[N, dims]`` principal components of ``images`` (uint8 or float ``[N, H, W, C]``) scaled to [0, 1]."""
    x = np.asarray(images, dtype=np.float32)
    if np.issubdtype(images.dtype, np.integer):
        x = x / 255.0
    n, h, w, c = x.shape
    factor = 1
    while (h // factor) * (w // factor) * c > MAX_FEATURES:
        factor += 1
    if factor > 1:  # block averages of factor x factor pixels (the border that does not fill a block is dropped)
        hh, ww = h // factor, w // factor
        x = x[:, :hh * factor, :ww * factor].reshape(n, hh, factor, ww, factor, c).mean(axis=(2, 4))
    x = x.reshape(n, -1)
    mean = x.mean(axis=0)
    sample = x[np.random.default_rng(seed).permutation(n)[:10000]] - mean
    _, vectors = np.linalg.eigh(sample.T @ sample)
    return ((x - mean) @ vectors[:, ::-1][:, :min(dims, x.shape[1])]).astype(np.float32)


def _distances(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Squared distances ``[N, K]`` up to each row's own ``|x|^2``, which no assignment depends on."""
    return (centers * centers).sum(1) - 2.0 * x @ centers.T


def _means(x: np.ndarray, ids: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Each cluster's mean (an empty cluster keeps its center)."""
    counts = np.bincount(ids, minlength=len(old))
    order = np.argsort(ids, kind="stable")
    sums = np.add.reduceat(x[order], np.searchsorted(ids[order], np.arange(len(old))), axis=0)
    return np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], old)


def _plus_plus(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007)."""
    centers = [x[rng.integers(len(x))]]
    nearest = ((x - centers[0]) ** 2).sum(1)
    for _ in range(k - 1):
        centers.append(x[rng.choice(len(x), p=nearest / nearest.sum())])
        nearest = np.minimum(nearest, ((x - centers[-1]) ** 2).sum(1))
    return np.stack(centers)


def _balanced_assign(d: np.ndarray) -> np.ndarray:
    """Each row to a column, every column taking ``N // K`` or one more rows, near each row's nearest: in
    rounds, every unassigned row proposes to its nearest column with room, which keeps its closest proposers."""
    n, k = d.shape
    room = np.full(k, n // k) + (np.arange(k) < n % k)
    ids = np.full(n, -1, dtype=np.int64)
    waiting = np.arange(n)
    while waiting.size:
        dd = np.where(room > 0, d[waiting], np.inf)
        best = dd.argmin(1)
        order = np.lexsort((dd[np.arange(waiting.size), best], best))
        ranked = best[order]
        rank = np.arange(order.size) - np.searchsorted(ranked, ranked, side="left")
        kept = rank < room[ranked]
        ids[waiting[order[kept]]] = ranked[kept]
        room -= np.bincount(ranked[kept], minlength=k)
        waiting = waiting[order[~kept]]
    return ids


def _lloyd(x, centers, balanced, iterations):
    for _ in range(iterations):
        d = _distances(x, centers)
        ids = _balanced_assign(d) if balanced else d.argmin(1)
        moved = _means(x, ids, centers)
        if np.allclose(moved, centers, atol=1e-6):
            break
        centers = moved
    return ids, centers, d[np.arange(len(x)), ids].sum()


def cluster_labels(images, num_clusters: int, *, seed: int = 0, balanced: bool = True, dims: int = 50,
                   restarts: int = 3, iterations: int = 50) -> np.ndarray:
    """The k-means cluster (int64 ``[N]``, in ``0..num_clusters-1``) of each of ``images`` (``[N, H, W, C]``).

    Args:
        images: uint8 (0-255) or float ([0, 1]) images.
        num_clusters: K, at least 2 and at most ``N``.
        seed: the seeding's random numbers: the same images and seed give the same clusters.
        balanced: every cluster takes ``N // K`` or ``N // K + 1`` images (k-means with a size constraint,
            Bradley et al. 2000), so that a uniform class prior matches the data; False: plain k-means.
        dims: principal components kept.
        restarts: k-means++ seedings tried; the clustering of the smallest within-cluster distance wins.
        iterations: at most this many Lloyd iterations each.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"cluster_labels takes images [N, H, W, C], got shape {images.shape}.")
    if int(num_clusters) != num_clusters or not 2 <= num_clusters <= len(images):
        raise ValueError(f"num_clusters must be an integer from 2 to the number of images ({len(images)}), "
                         f"got {num_clusters}.")
    key = (hashlib.sha1(np.ascontiguousarray(images).data).hexdigest(), images.shape, str(images.dtype),
           int(num_clusters), seed, balanced, dims, restarts, iterations)
    if key not in _MADE:
        _MADE[key] = _cluster(images, int(num_clusters), seed, balanced, dims, restarts, iterations)
    return _MADE[key].copy()


def _cluster(images, num_clusters, seed, balanced, dims, restarts, iterations):
    x = _features(images, dims, seed)
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(max(1, restarts)):
        ids, centers, cost = _lloyd(x, _plus_plus(x, num_clusters, rng), False, iterations)
        if balanced:
            ids, _, cost = _lloyd(x, centers, True, max(1, iterations // 5))
        if best is None or cost < best[1]:
            best = (ids, cost)
    return best[0].astype(np.int64)
