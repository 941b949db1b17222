"""tfgans.metrics against independent numpy/scipy computations and closed-form cases."""

import warnings

import numpy as np
import pytest
import tensorflow as tf

from tfgans import metrics

scipy_linalg = pytest.importorskip("scipy.linalg")


def _rng(seed=0):
    return np.random.default_rng(seed)


# --- Inception Score ---------------------------------------------------------------------------------------


def _numpy_inception_score(logits, splits):
    """The loop of openai/improved-gan inception_score.py, on softmax probabilities."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    preds = e / e.sum(axis=1, keepdims=True)
    scores = []
    n = preds.shape[0]
    for i in range(splits):
        part = preds[i * n // splits:(i + 1) * n // splits]
        kl = part * (np.log(part) - np.log(np.mean(part, axis=0, keepdims=True)))
        scores.append(np.exp(np.mean(np.sum(kl, axis=1))))
    return np.mean(scores), np.std(scores)


@pytest.mark.parametrize("n, splits", [(100, 10), (103, 7), (50, 1)])
def test_classifier_score_matches_numpy(n, splits):
    logits = _rng(n).normal(scale=3.0, size=(n, 10))
    mean, std = metrics.classifier_score(logits.astype(np.float32), num_splits=splits)
    ref_mean, ref_std = _numpy_inception_score(logits.astype(np.float32).astype(np.float64), splits)
    np.testing.assert_allclose(float(mean), ref_mean, rtol=1e-9)
    np.testing.assert_allclose(float(std), ref_std, rtol=1e-7, atol=1e-12)
    assert mean.dtype == tf.float64


def test_classifier_score_uniform_logits_is_one():
    mean, std = metrics.classifier_score(np.zeros((40, 10), np.float32), num_splits=4)
    assert float(mean) == pytest.approx(1.0, abs=1e-12)
    assert float(std) == pytest.approx(0.0, abs=1e-12)


def test_classifier_score_confident_distinct_classes_is_num_classes():
    num_classes = 10
    labels = np.arange(100) % num_classes  # every split of 10 holds each class once
    logits = 1e4 * np.eye(num_classes, dtype=np.float32)[labels]  # softmax underflows to exact one-hots
    mean, std = metrics.classifier_score(logits, num_splits=10)
    assert np.isfinite(float(mean))
    assert float(mean) == pytest.approx(num_classes, rel=1e-9)
    assert float(std) == pytest.approx(0.0, abs=1e-9)


def test_classifier_score_runs_in_tf_function():
    logits = _rng(1).normal(size=(60, 10)).astype(np.float32)
    mean, _ = tf.function(lambda x: metrics.classifier_score(x, num_splits=3))(tf.constant(logits))
    assert float(mean) == pytest.approx(_numpy_inception_score(logits.astype(np.float64), 3)[0], rel=1e-9)


def test_classifier_score_rejects_too_few_samples():
    with pytest.raises(ValueError, match="at least num_splits=10"):
        metrics.classifier_score(np.zeros((5, 10)), num_splits=10)
    with pytest.raises(ValueError, match=r"\[num_samples, dim\]"):
        metrics.classifier_score(np.zeros((5, 10, 1)))


def test_class_confidence_is_the_mean_top_probability_of_each_assigned_class():
    logits = _rng(3).normal(scale=2.0, size=(200, 4))
    logits[:, 3] -= 100.0  # no sample is assigned to class 3
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    expected = [p[p.argmax(1) == c, c].mean() if (p.argmax(1) == c).any() else 0.0 for c in range(4)]
    got = metrics.class_confidence(logits.astype(np.float32)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got[3] == 0.0 and got.shape == (4,)


# --- FID ---------------------------------------------------------------------------------------------------


def _numpy_fid(a, b):
    """The usual FID code (pytorch-fid / TTUR): np.cov and scipy.linalg.sqrtm of the product."""
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy_linalg.sqrtm(s1 @ s2)
    covmean = np.real(covmean)
    return np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)


def test_fid_matches_scipy_sqrtm():
    rng = _rng(2)
    a = rng.normal(size=(300, 12)) @ rng.normal(size=(12, 12))
    b = rng.normal(size=(250, 12)) @ rng.normal(size=(12, 12)) + 0.7
    fid = metrics.frechet_distance_from_activations(a, b)
    assert fid.dtype == tf.float64
    np.testing.assert_allclose(float(fid), _numpy_fid(a, b), rtol=1e-8)


def test_fid_identical_sets_is_zero():
    a = _rng(3).normal(size=(500, 16)).astype(np.float32)
    assert abs(float(metrics.frechet_distance_from_activations(a, a))) < 1e-9


def test_fid_shifted_gaussian_is_squared_mean_distance():
    rng = _rng(4)
    a = rng.normal(size=(400, 8)) @ rng.normal(size=(8, 8))
    shift = rng.normal(size=8)
    # Same covariance, so the trace terms cancel exactly: FID = ||mu1 - mu2||^2.
    fid = metrics.frechet_distance_from_activations(a, a + shift)
    np.testing.assert_allclose(float(fid), np.sum(shift ** 2), rtol=1e-9)

    root = rng.normal(size=(8, 8))
    sigma = root @ root.T
    mu1, mu2 = rng.normal(size=8), rng.normal(size=8)
    np.testing.assert_allclose(float(metrics.frechet_distance(mu1, sigma, mu2, sigma)),
                               np.sum((mu1 - mu2) ** 2), rtol=1e-8)


def test_fid_diagonal_covariances_closed_form():
    rng = _rng(5)
    v1, v2 = rng.uniform(0.1, 4.0, size=6), rng.uniform(0.1, 4.0, size=6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(v1) - np.sqrt(v2)) ** 2)
    fid = metrics.frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2))
    np.testing.assert_allclose(float(fid), expected, rtol=1e-10)


def test_fid_singular_covariance_is_finite_and_warns_with_number_needed():
    rng = _rng(6)
    a, b = rng.normal(size=(10, 32)), rng.normal(size=(12, 32))
    with pytest.warns(metrics.FewSamplesWarning, match="at least 33 samples"):
        fid = float(metrics.frechet_distance_from_activations(a, b))
    assert np.isfinite(fid) and fid > 0
    # The same figure from the symmetric formula on singular (rank-deficient) covariances; scipy's sqrtm of
    # the product is unreliable here, so compare against the eigenvalues of sqrt(S1) S2 sqrt(S1) in numpy.
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s1)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    tr = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(root @ s2 @ root), 0, None)))
    expected = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(s1) + np.trace(s2) - 2 * tr
    np.testing.assert_allclose(fid, expected, rtol=1e-8)


def test_fid_no_warning_with_enough_samples():
    a = _rng(7).normal(size=(40, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("error", metrics.FewSamplesWarning)
        metrics.frechet_distance_from_activations(a, a + 1.0)


def test_fid_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="different feature sizes"):
        metrics.frechet_distance_from_activations(np.zeros((20, 4)), np.zeros((20, 5)))
    with pytest.raises(ValueError, match=r"sigma \[D, D\]"):
        metrics.frechet_distance(np.zeros(3), np.eye(4), np.zeros(3), np.eye(3))


# --- KID ---------------------------------------------------------------------------------------------------


def _numpy_mmd2_unbiased_loop(x, y):
    """Unbiased MMD^2 (Binkowski et al. 2018, eq. 2 with the cubic kernel) written as explicit pair sums."""
    d = x.shape[1]

    def k(a, b):
        return (np.dot(a, b) / d + 1.0) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def test_kid_matches_numpy_loop_on_whole_sets():
    rng = _rng(8)
    a = rng.normal(size=(30, 5)).astype(np.float32)
    b = (rng.normal(size=(30, 5)) * 1.5 + 0.3).astype(np.float32)
    # One subset of all samples: the estimate is the full-set U-statistic, whatever the permutation.
    mean, std = metrics.kernel_inception_distance(a, b, num_subsets=1, subset_size=1000)
    expected = _numpy_mmd2_unbiased_loop(a.astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(float(mean), expected, rtol=1e-9)
    assert float(std) == 0.0
    assert mean.dtype == tf.float64
    # Subsets as large as both sets are all the whole set: no spread, whatever their number (not the last-bit
    # differences of 100 recomputations).
    many, spread = metrics.kernel_inception_distance(a, b, num_subsets=100, subset_size=1000)
    assert float(spread) == 0.0 and float(many) == float(mean)


def test_kid_subsets_average_to_full_estimate_and_are_reproducible():
    rng = _rng(9)
    a = rng.normal(size=(60, 4))
    b = rng.normal(size=(60, 4)) + 0.5
    full = _numpy_mmd2_unbiased_loop(a, b)
    mean, std = metrics.kernel_inception_distance(a, b, num_subsets=200, subset_size=30, seed=3)
    again, _ = metrics.kernel_inception_distance(a, b, num_subsets=200, subset_size=30, seed=3)
    assert float(mean) == float(again)
    assert float(std) > 0  # subsets differ
    # Subset estimates are unbiased for the same population quantity as the full-set one.
    assert float(mean) == pytest.approx(full, rel=0.1)


def test_kid_same_distribution_near_zero_and_shift_is_larger():
    rng = _rng(10)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    same, _ = metrics.kernel_inception_distance(a, b, num_subsets=10, subset_size=200)
    shifted, _ = metrics.kernel_inception_distance(a, b + 1.0, num_subsets=10, subset_size=200)
    assert abs(float(same)) < 0.05 * float(shifted)


def test_kid_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 2 samples"):
        metrics.kernel_inception_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="different sizes"):
        metrics.kernel_inception_distance(np.zeros((5, 3)), np.zeros((5, 4)))


# --- precision / recall ------------------------------------------------------------------------------------


def _numpy_precision_recall(real, fake, k):
    """Brute force: full distance matrices, k-th neighbour radii by sorting (self at index 0)."""
    def d2(u, v):
        return ((u[:, None, :] - v[None, :, :]) ** 2).sum(-1)

    r_real = np.sort(d2(real, real), axis=1)[:, k]
    r_fake = np.sort(d2(fake, fake), axis=1)[:, k]
    d_fr = d2(fake, real)
    precision = np.mean([np.any(d_fr[i] <= r_real) for i in range(len(fake))])
    recall = np.mean([np.any(d_fr[:, j] <= r_fake) for j in range(len(real))])
    return precision, recall


@pytest.mark.parametrize("k", [1, 3, 5])
def test_precision_recall_matches_numpy_brute_force(k):
    rng = _rng(11 + k)
    real = rng.normal(size=(150, 4)).astype(np.float32)
    fake = (rng.normal(size=(120, 4)) * 0.6 + 0.8).astype(np.float32)
    # batch_size 32 exercises several blocks and a short last one.
    precision, recall = metrics.precision_recall(real, fake, k=k, batch_size=32)
    ref_p, ref_r = _numpy_precision_recall(real.astype(np.float64), fake.astype(np.float64), k)
    assert 0.0 < ref_p < 1.0 and 0.0 < ref_r < 1.0  # a case where both can be wrong
    assert float(precision) == pytest.approx(ref_p, abs=1e-12)
    assert float(recall) == pytest.approx(ref_r, abs=1e-12)


def test_knn_radii_match_numpy():
    x = _rng(20).normal(size=(70, 3)).astype(np.float32)
    d2 = ((x[:, None] - x[None]) ** 2).sum(-1)
    np.testing.assert_allclose(metrics.knn_radii(x, k=3, batch_size=16).numpy(), np.sort(d2, axis=1)[:, 3],
                               rtol=1e-4, atol=1e-5)


def test_precision_recall_identical_sets_are_one_and_disjoint_sets_zero():
    real = _rng(21).normal(size=(200, 6)).astype(np.float32)
    p, r = metrics.precision_recall(real, real.copy(), batch_size=64)
    assert float(p) == 1.0 and float(r) == 1.0
    p, r = metrics.precision_recall(real, real + 100.0)
    assert float(p) == 0.0 and float(r) == 0.0


def test_precision_recall_mode_collapse_keeps_precision_loses_recall():
    rng = _rng(22)
    real = rng.normal(size=(300, 2)).astype(np.float32)
    collapsed = real[real[:, 0] > 0.5]  # fake samples cover one corner of the real distribution only
    p, r = metrics.precision_recall(real, collapsed)
    assert float(p) == 1.0
    assert float(r) < 0.6


def test_precision_recall_with_cached_real_radii():
    rng = _rng(23)
    real, fake = rng.normal(size=(90, 3)), rng.normal(size=(80, 3)) + 0.4
    radii = metrics.knn_radii(real, k=3)
    assert [float(v) for v in metrics.precision_recall(real, fake, real_radii=radii)] == \
        [float(v) for v in metrics.precision_recall(real, fake)]


def test_precision_recall_rejects_too_few_samples():
    with pytest.raises(ValueError, match="at least k \\+ 1 = 4 samples"):
        metrics.precision_recall(np.zeros((3, 2)), np.zeros((10, 2)), k=3)
