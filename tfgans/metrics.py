"""Sample-quality metrics of generative models, in TensorFlow: IS, FID, KID and precision/recall.

Every function takes features or logits (``tf.Tensor`` or numpy, any float dtype) and returns ``tf.Tensor``
scalars, so it runs eagerly, inside ``tf.function`` and in a Keras callback alike. The heavy parts are
batched: no function builds an ``[N, N]`` matrix for the whole set, so 10,000 x 10,000 comparisons fit in a
few hundred MB. Statistics whose result is a small difference of large sums (covariances, traces of matrix
square roots, kernel means) are computed in float64.

Which features to feed: pool features of InceptionV3 for natural images (FID, KID, precision/recall), its
logits for the Inception Score; for MNIST-like data the penultimate layer and logits of a classifier trained
on the dataset (``tfgans.evaluation``). Figures are comparable only between runs that use the same extractor
and the same number of samples: FID and IS are biased estimators whose value moves with the sample count.

    mean, std = classifier_score(logits)                       # Salimans et al. 2016
    fid = frechet_distance_from_activations(real, fake)        # Heusel et al. 2017
    kid, kid_std = kernel_inception_distance(real, fake)       # Binkowski et al. 2018
    precision, recall = precision_recall(real, fake, k=3)      # Kynkaanniemi et al. 2019
"""

from __future__ import annotations

import warnings
from typing import Optional, Tuple

import tensorflow as tf

__all__ = [
    "classifier_score",
    "class_confidence",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_activations",
    "kernel_inception_distance",
    "knn_radii",
    "precision_recall",
    "pairwise_squared_distances",
    "warn_if_few_samples",
    "FewSamplesWarning",
]


class FewSamplesWarning(UserWarning):
    """Too few samples for a statistic to mean much (e.g. a covariance of lower rank than the features)."""


def _as_matrix(x, name: str, dtype=tf.float32) -> tf.Tensor:
    x = tf.convert_to_tensor(x)
    if not (x.dtype.is_floating or x.dtype.is_integer):
        raise TypeError(f"{name} must be a numeric [N, D] array, got dtype {x.dtype.name}.")
    if x.shape.rank != 2:
        raise ValueError(f"{name} must be a matrix [num_samples, dim], got shape {x.shape}.")
    return tf.cast(x, dtype)


def _static_rows(x: tf.Tensor) -> Optional[int]:
    return x.shape[0]


# --- Inception Score / classifier score -------------------------------------------------------------------


def classifier_score(logits, num_splits: int = 10) -> Tuple[tf.Tensor, tf.Tensor]:
    """Inception Score (Salimans et al. 2016, arXiv:1606.03498, sec. 4) from a classifier's logits.

    ``IS = exp(E_x KL(p(y|x) || p(y)))`` with ``p(y)`` the mean of ``p(y|x)`` over the split. As in the paper's
    reference code (openai/improved-gan, ``inception_score.py``) the samples are cut into ``num_splits``
    consecutive parts (boundaries ``i * N // num_splits``), the score is computed on each, and the mean and
    (population) standard deviation over the parts are returned. With a classifier trained on MNIST the same
    number is called the "MNIST score". It ranges from 1 (every sample gets the same class distribution) to
    the number of classes (confident predictions spread evenly over all classes).

    Args:
        logits: ``[N, num_classes]`` unnormalised log-probabilities (pre-softmax outputs).
        num_splits: number of parts; the reference code and most papers use 10.

    Returns:
        ``(mean, std)``, float64 scalars.
    """
    logits = _as_matrix(logits, "logits", tf.float64)
    num_splits = int(num_splits)
    n = _static_rows(logits)
    if num_splits < 1:
        raise ValueError(f"num_splits must be >= 1, got {num_splits}.")
    if n is not None and n < num_splits:
        raise ValueError(
            f"classifier_score needs at least num_splits={num_splits} samples, got {n}. "
            "Pass more samples (10,000 is usual) or fewer splits."
        )
    # log-probabilities straight from the logits: log(softmax) of confident predictions would underflow to
    # log(0) = -inf and turn 0 * log 0 into NaN.
    log_p = tf.nn.log_softmax(logits, axis=-1)
    num = tf.shape(log_p, out_type=tf.int64)[0]
    scores = []
    for i in range(num_splits):
        part = log_p[i * num // num_splits:(i + 1) * num // num_splits]
        count = tf.cast(tf.shape(part)[0], tf.float64)
        log_p_y = tf.reduce_logsumexp(part, axis=0) - tf.math.log(count)  # log of the marginal p(y)
        kl = tf.reduce_sum(tf.exp(part) * (part - log_p_y), axis=1)
        scores.append(tf.exp(tf.reduce_mean(kl)))
    scores = tf.stack(scores)
    return tf.reduce_mean(scores), tf.math.reduce_std(scores)


def class_confidence(logits) -> tf.Tensor:
    """Each class's mean confidence: over the samples a classifier assigns to class ``c`` (its argmax), the
    mean of their softmax probability of ``c``; 0 for a class no sample is assigned to.

    Where a distribution score (FID, IS) says how good samples are as a whole, this says which classes a
    generator draws badly (Sun & Yang's 'cannot have a good representation of number 2, 5, 8'). tfgans' MNIST
    classifier gives real test digits of every class a mean confidence above 0.99.

    Args:
        logits: ``[N, num_classes]`` unnormalised log-probabilities.

    Returns:
        ``[num_classes]`` float64.
    """
    logits = _as_matrix(logits, "logits", tf.float64)
    p = tf.nn.softmax(logits, axis=-1)
    assigned = tf.argmax(p, axis=-1, output_type=tf.int32)
    k = tf.shape(p)[1]
    top = tf.reduce_max(p, axis=-1)
    total = tf.math.unsorted_segment_sum(top, assigned, k)
    count = tf.math.unsorted_segment_sum(tf.ones_like(top), assigned, k)
    return tf.math.divide_no_nan(total, count)


# --- Frechet distance (FID) --------------------------------------------------------------------------------


def feature_statistics(features) -> Tuple[tf.Tensor, tf.Tensor]:
    """Mean ``[D]`` and covariance ``[D, D]`` (unbiased, ``1/(N-1)`` as ``np.cov``) of ``[N, D]`` features.

    Computed in float64: the covariance subtracts the mean from 10,000 samples of features whose scale
    differs by orders of magnitude across dimensions.
    """
    x = _as_matrix(features, "features", tf.float64)
    n = _static_rows(x)
    if n is not None and n < 2:
        raise ValueError(f"feature_statistics needs at least 2 samples for a covariance, got {n}.")
    mu = tf.reduce_mean(x, axis=0)
    centered = x - mu
    count = tf.cast(tf.shape(x)[0], tf.float64)
    sigma = tf.matmul(centered, centered, transpose_a=True) / (count - 1.0)
    return mu, sigma


def _symmetric_sqrt(matrix: tf.Tensor) -> tf.Tensor:
    eigenvalues, eigenvectors = tf.linalg.eigh(matrix)
    # A covariance is PSD; roundoff makes its smallest eigenvalues slightly negative, which are zero.
    roots = tf.sqrt(tf.maximum(eigenvalues, 0.0))
    return tf.matmul(eigenvectors * roots, eigenvectors, transpose_b=True)


def _trace_sqrt_product(sigma1: tf.Tensor, sigma2: tf.Tensor) -> tf.Tensor:
    """``tr(sqrtm(sigma1 @ sigma2))`` for symmetric PSD matrices, without a general matrix square root.

    ``sigma1 @ sigma2`` is not symmetric, and ``scipy.linalg.sqrtm`` of it (the usual FID code) is a Schur
    decomposition that returns complex values and large errors when the covariances are singular (fewer
    samples than dimensions, dead ReLU features), hence the ``eps * I`` patches in that code. Instead:
    with ``A = sqrt(sigma1)`` (symmetric, from ``eigh``), ``sigma1 @ sigma2 = A (A sigma2 A) A^-1`` is similar
    to ``M = A sigma2 A``, which is symmetric PSD; similar matrices share eigenvalues, so
    ``tr sqrtm(sigma1 sigma2) = sum_i sqrt(lambda_i(M))``. Both steps are symmetric eigendecompositions,
    which are backward stable, and singular inputs only give zero eigenvalues (clamped at 0 against
    roundoff). TF-GAN's ``trace_sqrt_product`` uses the same identity.
    """
    sqrt_sigma1 = _symmetric_sqrt(sigma1)
    m = tf.matmul(sqrt_sigma1, tf.matmul(sigma2, sqrt_sigma1))
    m = 0.5 * (m + tf.transpose(m))  # exact symmetry, which eigvalsh assumes
    return tf.reduce_sum(tf.sqrt(tf.maximum(tf.linalg.eigvalsh(m), 0.0)))


def frechet_distance(mu1, sigma1, mu2, sigma2) -> tf.Tensor:
    """Frechet distance between Gaussians ``N(mu1, sigma1)`` and ``N(mu2, sigma2)`` (FID when they are fitted
    to Inception features; Heusel et al. 2017, arXiv:1706.08500).

    ``||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr(sqrtm(sigma1 sigma2))``, in float64, with the stable
    trace of the square root described in :func:`_trace_sqrt_product`.

    Args:
        mu1, mu2: means ``[D]``.
        sigma1, sigma2: covariances ``[D, D]`` (symmetric positive semi-definite).

    Returns:
        A float64 scalar, >= 0 up to roundoff.
    """
    mu1, mu2 = (tf.cast(tf.convert_to_tensor(m), tf.float64) for m in (mu1, mu2))
    sigma1, sigma2 = (tf.cast(tf.convert_to_tensor(s), tf.float64) for s in (sigma1, sigma2))
    if mu1.shape.rank != 1 or mu2.shape.rank != 1:
        raise ValueError(f"Means must be vectors [D], got shapes {mu1.shape} and {mu2.shape}.")
    dim = mu1.shape[0]
    for name, mu, sigma in (("1", mu1, sigma1), ("2", mu2, sigma2)):
        if sigma.shape.rank != 2 or (dim is not None and tuple(sigma.shape) != (dim, dim)) or (
                dim is not None and mu.shape[0] != dim):
            raise ValueError(
                f"frechet_distance wants mu [D] and sigma [D, D] of one D; got mu1 {mu1.shape}, "
                f"mu{name} {mu.shape}, sigma{name} {sigma.shape}."
            )
    diff = mu1 - mu2
    return (tf.reduce_sum(diff * diff) + tf.linalg.trace(sigma1) + tf.linalg.trace(sigma2)
            - 2.0 * _trace_sqrt_product(sigma1, sigma2))


def warn_if_few_samples(num_samples: Optional[int], dim: Optional[int], what: str = "FID") -> None:
    """Warns (:class:`FewSamplesWarning`) when ``num_samples`` cannot give a full-rank ``dim`` covariance."""
    if num_samples is None or dim is None:
        return
    if num_samples < dim + 1:
        warnings.warn(
            f"{what} from {num_samples} samples of {dim}-dimensional features: the covariance has rank at most "
            f"{num_samples - 1} < {dim}, so the figure is dominated by estimation noise and not comparable. "
            f"Use at least {dim + 1} samples (10,000 is the usual count for reported figures).",
            FewSamplesWarning,
            stacklevel=3,
        )


def frechet_distance_from_activations(real_activations, fake_activations) -> tf.Tensor:
    """Frechet distance between Gaussians fitted to two sets of activations ``[N1, D]`` and ``[N2, D]``.

    Warns (:class:`FewSamplesWarning`) when a set has fewer than ``D + 1`` samples.
    """
    real = _as_matrix(real_activations, "real_activations", tf.float64)
    fake = _as_matrix(fake_activations, "fake_activations", tf.float64)
    if real.shape[1] is not None and fake.shape[1] is not None and real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"The two sets of activations have different feature sizes: {real.shape[1]} and {fake.shape[1]}. "
            "Extract both with the same network."
        )
    for x in (real, fake):
        warn_if_few_samples(x.shape[0], x.shape[1])
    mu1, sigma1 = feature_statistics(real)
    mu2, sigma2 = feature_statistics(fake)
    return frechet_distance(mu1, sigma1, mu2, sigma2)


# --- Kernel Inception Distance (KID) -----------------------------------------------------------------------


@tf.function(reduce_retracing=True)
def _polynomial_mmd2_unbiased(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    """Unbiased MMD^2 of samples ``x [m, D]`` and ``y [n, D]`` with ``k(a, b) = (a.b / D + 1)^3``."""
    dim = tf.cast(tf.shape(x)[1], x.dtype)
    m = tf.cast(tf.shape(x)[0], x.dtype)
    n = tf.cast(tf.shape(y)[0], x.dtype)

    def kernel(a, b):
        return (tf.matmul(a, b, transpose_b=True) / dim + 1.0) ** 3

    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    # The unbiased U-statistic leaves out the diagonal k(x_i, x_i) terms of the within-set sums.
    sum_xx = tf.reduce_sum(k_xx) - tf.linalg.trace(k_xx)
    sum_yy = tf.reduce_sum(k_yy) - tf.linalg.trace(k_yy)
    return sum_xx / (m * (m - 1.0)) + sum_yy / (n * (n - 1.0)) - 2.0 * tf.reduce_sum(k_xy) / (m * n)


def kernel_inception_distance(real_features, fake_features, num_subsets: int = 100, subset_size: int = 1000,
                              seed: int = 0) -> Tuple[tf.Tensor, tf.Tensor]:
    """Kernel Inception Distance (Binkowski et al. 2018, arXiv:1801.01401, sec. 3 and app. D).

    The unbiased estimator of the squared MMD with the cubic polynomial kernel
    ``k(x, y) = (x.y / D + 1)^3``, averaged over ``num_subsets`` random subsets of ``subset_size`` samples of
    each set (drawn without replacement within a subset, as ``polynomial_mmd_averages`` of the paper's
    reference code, mbinkowski/MMD-GAN). Unlike FID it is unbiased, so figures from different sample counts
    are comparable, and it may come out slightly negative when the two sets share a distribution.

    Args:
        real_features, fake_features: ``[N1, D]`` and ``[N2, D]``.
        num_subsets: subsets to average over (100 as TF-GAN and torch-fidelity; the reference uses 50-100).
        subset_size: samples per subset, capped at ``min(N1, N2)``. The cap is tfgans' choice: the reference
            code's ``polynomial_mmd_averages`` takes ``subset_size`` as given (and fails on smaller sets).
            When the cap makes every subset the whole of both sets, all subsets are equal and the std is 0:
            the spread needs more samples than ``subset_size``.
        seed: seed of the stateless subset draws: the same inputs give the same figure.

    Returns:
        ``(mean, std)`` of the per-subset MMD^2 estimates, float64 scalars.
    """
    real = _as_matrix(real_features, "real_features", tf.float64)
    fake = _as_matrix(fake_features, "fake_features", tf.float64)
    n_real, n_fake = real.shape[0], fake.shape[0]
    if n_real is None or n_fake is None:
        raise ValueError("kernel_inception_distance needs features with a known number of rows.")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"The two sets of features have different sizes: {real.shape[1]} and {fake.shape[1]}. "
            "Extract both with the same network."
        )
    if num_subsets < 1:
        raise ValueError(f"num_subsets must be >= 1, got {num_subsets}.")
    m = min(int(subset_size), n_real, n_fake)
    if m < 2:
        raise ValueError(
            f"KID needs at least 2 samples per set (got {n_real} real, {n_fake} fake, subset_size={subset_size})."
        )
    if m == n_real == n_fake:
        # Every subset is the whole set: one estimate and no spread (100 recomputations of the same matmuls can
        # differ in the last bits where oneDNN splits them differently across threads, a spurious nonzero std).
        estimate = _polynomial_mmd2_unbiased(real, fake)
        return estimate, tf.zeros_like(estimate)
    key = tf.constant([seed, 0], dtype=tf.int64)
    estimates = []
    for i in range(int(num_subsets)):
        key_real, key_fake = tf.unstack(tf.random.experimental.stateless_split(
            tf.random.experimental.stateless_fold_in(key, i), num=2))
        x = real if m == n_real else tf.gather(real, _subset(n_real, m, key_real))
        y = fake if m == n_fake else tf.gather(fake, _subset(n_fake, m, key_fake))
        estimates.append(_polynomial_mmd2_unbiased(x, y))
    estimates = tf.stack(estimates)
    return tf.reduce_mean(estimates), tf.math.reduce_std(estimates)


def _subset(n: int, m: int, key: tf.Tensor) -> tf.Tensor:
    """``m`` distinct indices of ``range(n)``: the first ``m`` of a random permutation."""
    return tf.argsort(tf.random.stateless_uniform([n], seed=key))[:m]


# --- Precision and recall (k-NN manifolds) -----------------------------------------------------------------


@tf.function(reduce_retracing=True)
def pairwise_squared_distances(u: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
    """Squared Euclidean distances ``[M, N]`` between rows of ``u [M, D]`` and ``v [N, D]``.

    ``|u|^2 - 2 u.v + |v|^2`` as one matmul, clamped at 0 against roundoff (the form of the reference code).
    """
    norm_u = tf.reduce_sum(tf.square(u), axis=1, keepdims=True)
    norm_v = tf.reduce_sum(tf.square(v), axis=1, keepdims=True)
    return tf.maximum(norm_u - 2.0 * tf.matmul(u, v, transpose_b=True) + tf.transpose(norm_v), 0.0)


@tf.function(reduce_retracing=True)
def _kth_smallest(block: tf.Tensor, features: tf.Tensor, k: int) -> tf.Tensor:
    distances = pairwise_squared_distances(block, features)
    # index k of the sorted row: index 0 is the sample's zero distance to itself.
    return -tf.math.top_k(-distances, k=k + 1, sorted=True).values[:, k]


def knn_radii(features, k: int = 3, batch_size: int = 1000) -> tf.Tensor:
    """Squared distance ``[N]`` of every sample to its ``k``-th nearest neighbour in the same set (itself
    excluded): the radii of the hyperspheres whose union estimates the manifold (Kynkaanniemi et al. 2019).

    Rows are processed ``batch_size`` at a time, so memory is ``batch_size * N`` floats, not ``N^2``.
    """
    x = _as_matrix(features, "features")
    n = x.shape[0]
    if n is None:
        raise ValueError("knn_radii needs features with a known number of rows.")
    if k < 1 or n < k + 1:
        raise ValueError(f"A k-NN radius with k={k} needs k >= 1 and at least k + 1 = {k + 1} samples, got {n}.")
    return tf.concat([_kth_smallest(x[i:i + batch_size], x, k) for i in range(0, n, batch_size)], axis=0)


@tf.function(reduce_retracing=True)
def _membership_block(fake_block, fake_radii_block, real, real_radii):
    distances = pairwise_squared_distances(fake_block, real)  # [B, N_real]
    # A fake sample is on the real manifold if it lies in some real sample's hypersphere, and vice versa.
    fake_in_real = tf.reduce_any(distances <= real_radii[tf.newaxis, :], axis=1)  # [B]
    real_in_fake = tf.reduce_any(distances <= fake_radii_block[:, tf.newaxis], axis=0)  # [N_real]
    return fake_in_real, real_in_fake


def precision_recall(real_features, fake_features, k: int = 3, batch_size: int = 1000,
                     real_radii=None) -> Tuple[tf.Tensor, tf.Tensor]:
    """Improved precision and recall (Kynkaanniemi et al. 2019, arXiv:1904.06991, sec. 2).

    Each set's manifold is the union of hyperspheres around its samples, of radius the distance to the
    sample's ``k``-th nearest neighbour. Precision is the fraction of fake samples inside the real manifold
    (quality); recall the fraction of real samples inside the fake manifold (coverage). As in the reference
    code (kynkaat/improved-precision-and-recall-metric) distances are squared Euclidean, a sample is inside
    when its distance is ``<=`` a radius, and the paper's ``k = 3`` is the default.

    The ``[N_fake, N_real]`` distance matrix is computed ``batch_size`` fake rows at a time and used for both
    directions, so 10,000 x 10,000 needs ``batch_size * 10,000`` floats at a time.

    Args:
        real_features, fake_features: ``[N1, D]`` and ``[N2, D]``.
        k: neighbourhood size.
        batch_size: rows per block of distances.
        real_radii: precomputed ``knn_radii(real_features, k)`` ``[N1]`` (cache them when one real set is
            compared with many fake sets).

    Returns:
        ``(precision, recall)``, float64 scalars in [0, 1].
    """
    real = _as_matrix(real_features, "real_features")
    fake = _as_matrix(fake_features, "fake_features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"The two sets of features have different sizes: {real.shape[1]} and {fake.shape[1]}. "
            "Extract both with the same network."
        )
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
    real_radii = knn_radii(real, k, batch_size) if real_radii is None else tf.cast(real_radii, tf.float32)
    if real_radii.shape[0] != real.shape[0]:
        raise ValueError(f"real_radii has {real_radii.shape[0]} entries for {real.shape[0]} real samples.")
    fake_radii = knn_radii(fake, k, batch_size)
    fake_in_real = []
    real_in_fake = tf.zeros([real.shape[0]], tf.bool)
    for i in range(0, fake.shape[0], batch_size):
        inside, covered = _membership_block(fake[i:i + batch_size], fake_radii[i:i + batch_size], real,
                                            real_radii)
        fake_in_real.append(inside)
        real_in_fake = tf.logical_or(real_in_fake, covered)
    precision = tf.reduce_mean(tf.cast(tf.concat(fake_in_real, axis=0), tf.float64))
    recall = tf.reduce_mean(tf.cast(real_in_fake, tf.float64))
    return precision, recall
