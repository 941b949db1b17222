"""tfgans.clusters: k-means cluster ids of images, for the self-conditioned recipe (selfcond-fast)."""

import numpy as np
import pytest

from tfgans import clusters


def groups(sizes, side=8, seed=0):
    """Images in len(sizes) groups: group g is a bright square at its own place on noise; (images, group ids)."""
    rng = np.random.default_rng(seed)
    images, ids = [], []
    for g, size in enumerate(sizes):
        for _ in range(size):
            x = rng.integers(0, 40, (side, side, 1))
            x[(g % 2) * 4:(g % 2) * 4 + 4, (g // 2) * 4:(g // 2) * 4 + 4] = 255
            images.append(x)
            ids.append(g)
    return np.asarray(images, np.uint8), np.asarray(ids)


def same_partition(a, b):
    """Whether two labelings group the items alike (up to renaming the groups)."""
    return len(set(zip(a, b))) == len(set(a)) == len(set(b))


def test_well_separated_groups_are_found_and_the_ids_are_reproducible():
    images, truth = groups([12, 12, 12, 12])
    ids = clusters.cluster_labels(images, 4)
    assert ids.dtype == np.int64 and ids.shape == (48,) and set(ids) == {0, 1, 2, 3}
    assert same_partition(ids, truth)
    np.testing.assert_array_equal(ids, clusters.cluster_labels(images, 4))


def test_balanced_clusters_hold_equally_many_images_and_plain_k_means_follows_the_data():
    images, truth = groups([30, 10])
    plain = clusters.cluster_labels(images, 2, balanced=False)
    assert same_partition(plain, truth)
    balanced = clusters.cluster_labels(images, 2)
    assert sorted(np.bincount(balanced)) == [20, 20]
    # the small group stays whole: the 10 extra images come from the large one
    assert len(set(balanced[truth == 1])) == 1
    assert sorted(np.bincount(clusters.cluster_labels(images[:39], 4))) == [9, 10, 10, 10]


def test_large_images_are_block_averaged_and_color_works():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (40, 64, 64, 3), dtype=np.uint8)
    images[:20, :32] = 255  # top half bright
    ids = clusters.cluster_labels(images, 2)
    assert same_partition(ids, np.arange(40) < 20)


def test_a_returned_array_can_be_changed_without_changing_the_next_answer():
    images, _ = groups([6, 6])
    ids = clusters.cluster_labels(images, 2)
    ids[:] = 7
    assert set(clusters.cluster_labels(images, 2)) == {0, 1}


@pytest.mark.parametrize("k", [1, 2.5, 13])
def test_a_cluster_count_outside_2_to_n_is_refused(k):
    images, _ = groups([6, 6])
    with pytest.raises(ValueError, match="num_clusters must be an integer from 2 to the number of images"):
        clusters.cluster_labels(images, k)


def test_images_without_a_batch_axis_are_refused():
    with pytest.raises(ValueError, match=r"images \[N, H, W, C\]"):
        clusters.cluster_labels(np.zeros((8, 8, 1), np.uint8), 2)
