"""Your own images: tfgans.data.image_folder / scan_folder / folder_images on small folders made with PIL, and
tensorflow-datasets image datasets outside tfgans' table (tfds mock data)."""

import json
import os

import re

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from tfgans import data, models, nets


def save(path, pixels, **kwargs):
    """Writes ``pixels`` (uint8 [H, W] or [H, W, C], or a PIL image) to ``path``, its format from the extension."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(np.asarray(pixels, np.uint8))
    image.save(path, **kwargs)
    return path


def noise(shape, seed):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def flat_folder(root, count, side=28, channels=1):
    """``count`` distinct noise images ``img_00.png``.. of ``side`` px, directly in ``root``."""
    shape = (side, side) if channels == 1 else (side, side, channels)
    for i in range(count):
        save(os.path.join(root, f"img_{i:02d}.png"), noise(shape, i))
    return str(root)


def as_uint8(batch, value_range="sigmoid"):
    return data.to_uint8(batch, value_range).numpy()


# --- formats, shapes, conversions ----------------------------------------------------------------------------

def test_a_nested_folder_of_every_format_and_size_streams_float_batches(tmp_path):
    rgb, gray = noise((40, 52, 3), 0), noise((36, 36), 1)
    save(tmp_path / "a" / "gray.png", gray)
    save(tmp_path / "a" / "rgb.png", rgb)
    save(tmp_path / "a" / "deep" / "palette.png", Image.fromarray(rgb).convert("P"))
    save(tmp_path / "a" / "deep" / "rgba.png", Image.fromarray(noise((30, 30, 4), 2), "RGBA"))
    save(tmp_path / "b" / "photo.JPG", rgb, quality=90)
    save(tmp_path / "b" / "scan.bmp", gray)
    save(tmp_path / "b" / "clip.gif", Image.fromarray(rgb).convert("P"))
    save(tmp_path / "top.jpeg", noise((100, 80, 3), 3))
    (tmp_path / "readme.txt").write_text("not an image")
    with pytest.warns(UserWarning, match=r"2 gray and 6 colour images: 2 converted to RGB"):
        info = data.scan_folder(tmp_path)
    assert len(info.files) == 8 and info.skipped == 0 and info.ignored == 1
    assert (info.resolution, info.channels, info.num_gray, info.converted) == (64, 3, 2, 2)  # median shorter side 40
    assert info.files[0] == "a/deep/palette.png" and info.classes == ("a", "b")
    with pytest.warns(UserWarning, match="converted"):
        batches = list(data.image_folder(tmp_path, 3, seed=1).as_numpy_iterator())
    assert len(batches) == 2  # 8 // 3, the remainder dropped
    for x in batches:
        assert x.shape == (3, 64, 64, 3) and x.dtype == np.float32 and -1.0 <= x.min() and x.max() <= 1.0
    with pytest.warns(UserWarning):
        x = next(iter(data.image_folder(tmp_path, 8, channels=1, resolution=32, value_range="sigmoid")))
    assert x.shape == (8, 32, 32, 1) and 0.0 <= float(tf.reduce_min(x)) and float(tf.reduce_max(x)) <= 1.0


def test_gray_images_stay_gray_and_colour_converts_to_luma(tmp_path):
    save(tmp_path / "gray_as_rgb.png", np.repeat(noise((28, 28, 1), 0), 3, axis=2))  # R = G = B: gray
    save(tmp_path / "gray.gif", noise((28, 28), 1))
    save(tmp_path / "gray16.png", Image.fromarray((noise((28, 28), 2).astype(np.uint16) * 257)))  # 16-bit PNG
    info = data.scan_folder(tmp_path)
    assert (info.channels, info.num_gray, info.converted, info.resolution) == (1, 3, 0, 28)
    images = data.folder_images(tmp_path)
    assert images.shape == (3, 28, 28, 1) and images.dtype == np.uint8
    np.testing.assert_array_equal(images[0, ..., 0], noise((28, 28), 1))  # gray.gif, pixel for pixel
    np.testing.assert_array_equal(images[1, ..., 0], noise((28, 28), 2))  # 16 bits scaled back to 8
    red = np.zeros((28, 28, 3), np.uint8)
    red[..., 0] = 200
    save(tmp_path / "red.png", red)
    with pytest.warns(UserWarning, match="1 converted to grayscale"):
        images = data.folder_images(tmp_path, channels=1)
    assert images[3].min() == images[3].max() == round(200 * 0.299)  # ITU-R 601 luma


def test_exif_rotation_is_applied_and_the_summary_says_what_was_found(tmp_path):
    top_white = np.zeros((28, 28), np.uint8)
    top_white[:14] = 255
    exif = Image.Exif()
    exif[0x0112] = 3  # orientation: shown rotated by 180 degrees, as a phone stores an upside-down shot
    save(tmp_path / "c" / "phone.png", top_white, exif=exif)
    save(tmp_path / "c" / "plain.png", top_white)
    images = data.folder_images(tmp_path)
    assert (images[0, 14:] == 255).all() and (images[0, :14] == 0).all()  # files sorted: phone, plain
    assert (images[1, :14] == 255).all()
    assert data.scan_folder(tmp_path).summary() == f"{tmp_path}: 2 images -> 28x28 gray, 1 class (c)"


@pytest.mark.parametrize("side, resolution", [(20, 28), (28, 28), (30, 32), (33, 64), (90, 64)])
def test_the_default_resolution_is_the_smallest_net_side_at_least_the_median_short_side(tmp_path, side, resolution):
    for i, (h, w) in enumerate([(side, side), (side, side + 9), (side + 40, side + 40)]):
        save(tmp_path / f"{i}.png", noise((h, w), i))
    assert data.scan_folder(tmp_path).resolution == resolution


def test_images_are_center_cropped_to_a_square_then_resized(tmp_path):
    columns = np.tile(np.arange(41, dtype=np.uint8) * 6, (28, 1))  # 28 x 41, pixel = 6 * column
    save(tmp_path / "wide.png", columns)
    save(tmp_path / "tall.png", columns.T.copy())  # 41 x 28, pixel = 6 * row
    save(tmp_path / "flat.png", np.full((90, 150), 77, np.uint8))
    images = data.folder_images(tmp_path, resolution=28)  # files sorted: flat, tall, wide
    # Margin 41 - 28 = 13: 6 cut at the left (top), 7 at the right (bottom).
    np.testing.assert_array_equal(images[2, ..., 0], columns[:, 6:34])
    np.testing.assert_array_equal(images[1, ..., 0], columns.T[6:34, :])
    assert (images[0] == 77).all()  # a flat image stays flat through the antialiased resize
    x = next(iter(data.image_folder(tmp_path, 3, resolution=28, shuffle=False, value_range="sigmoid")))
    np.testing.assert_array_equal(as_uint8(x), images)  # the stream feeds exactly these pixels


# --- labels, holdout, resuming --------------------------------------------------------------------------------

def test_labels_are_the_sorted_first_level_subfolders(tmp_path):
    for i in range(4):
        save(tmp_path / "dog" / "puppies" / f"{i}.png", np.full((28, 28), 240, np.uint8))
        save(tmp_path / "cat" / f"{i}.png", np.full((28, 28), 10, np.uint8))
    save(tmp_path / "loose.png", np.full((28, 28), 128, np.uint8))
    with pytest.warns(UserWarning, match="1 images directly in .* no class subfolder"):
        ds = data.image_folder(tmp_path, 4, with_labels=True, value_range="sigmoid")
    assert data.scan_folder(tmp_path).classes == ("cat", "dog")
    pairs = [(x, y) for x, y in ds.as_numpy_iterator()]
    assert len(pairs) == 2 and pairs[0][1].dtype == np.int64
    for x, y in pairs:
        brightness = x.mean(axis=(1, 2, 3))
        np.testing.assert_array_equal(brightness > 0.5, y == 1)  # dog bright, cat dark, loose.png left out


def test_a_flat_folder_with_labels_says_to_make_class_subfolders(tmp_path):
    flat_folder(tmp_path, 4)
    with pytest.raises(ValueError, match=r"with_labels .* subfolder named after the class"):
        data.image_folder(tmp_path, 2, with_labels=True)


def test_the_holdout_is_disjoint_from_training_stable_and_moves_little_when_images_are_added(tmp_path):
    flat_folder(tmp_path, 40)
    info = data.scan_folder(tmp_path)
    train, _ = info.select("train", 0.25)
    held, _ = info.select("holdout", 0.25)
    assert len(held) == 10 and not set(train) & set(held) and sorted(train + held) == list(info.files)
    assert data.scan_folder(tmp_path).select("holdout", 0.25)[0] == held  # the same on every call
    for i in (40, 41):
        save(tmp_path / f"img_{i:02d}.png", noise((28, 28), i))
    moved_in = set(data.scan_folder(tmp_path).select("holdout", 0.25)[0]) - set(held)
    assert moved_in <= {"img_40.png", "img_41.png"}  # no image trained on before is held out now

    stream = data.image_folder(tmp_path, 4, holdout=0.25, split="holdout", shuffle=False, drop_remainder=False)
    batches = [as_uint8(x, "tanh") for x in stream]
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate(batches), data.folder_images(tmp_path, split="holdout",
                                                                               holdout=0.25))
    assert data.folder_batches_per_epoch(tmp_path, 4, holdout=0.25) == 8  # 32 training images


def test_a_stream_started_at_batch_k_is_the_whole_stream_after_k_batches(tmp_path):
    flat_folder(tmp_path, 10)  # 3 batches of 3 an epoch

    def batches(start, n):
        return list(data.image_folder(tmp_path, 3, seed=5, start=start, with_labels=False).take(n)
                    .as_numpy_iterator())

    whole = batches(0, 7)
    for k in (1, 3, 4):
        for a, b in zip(whole[k:], batches(k, 7 - k)):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(whole[0], whole[3])  # each epoch has its own order
    assert not np.array_equal(whole[0], data.image_folder(tmp_path, 3, seed=6, start=0).take(1).get_single_element())
    options = data.image_folder(tmp_path, 3).options()
    assert options.autotune.enabled is False  # set_options, as every tfgans pipeline


def test_a_model_fits_on_a_folder_stream(tmp_path):
    flat_folder(tmp_path, 8, side=40, channels=3)
    ds = data.image_folder(tmp_path, 4, resolution=32)
    gan = models.DCGAN(nets.fast.generator(16, resolution=32, channels=3, width=8),
                       nets.fast.discriminator(resolution=32, channels=3, width=8), latent_dim=16)
    gan.compile()
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert all(np.isfinite(v[0]) for v in history.values())


# --- errors and skipped files -----------------------------------------------------------------------------------

def test_unreadable_files_are_skipped_counted_and_named(tmp_path):
    flat_folder(tmp_path, 6)
    save(tmp_path / "whole.png", noise((28, 28, 3), 9))
    encoded = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "whole.png").unlink()
    (tmp_path / "truncated.png").write_bytes(encoded[: len(encoded) // 2])
    (tmp_path / "notes.png").write_text("this is text, not a PNG")
    with pytest.warns(UserWarning, match=r"skipped 2 of 8 image files .*notes\.png .*truncated\.png"):
        info = data.scan_folder(tmp_path)
    assert info.skipped == 2 and len(info.files) == 6 and "truncated.png" not in info.files
    name, reason = info.skipped_examples[1].split(" ", 1)
    assert name == "truncated.png" and "truncated" in reason  # PIL's "image file is truncated"
    with pytest.warns(UserWarning, match="skipped 2"):
        assert len(list(data.image_folder(tmp_path, 3))) == 2


def test_a_folder_of_mostly_broken_files_is_refused(tmp_path):
    flat_folder(tmp_path, 2)
    for i in range(3):
        (tmp_path / f"broken_{i}.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(ValueError, match=r"3 of 5 image files .* cannot be read, e\.g\. broken_0\.jpg"):
        data.scan_folder(tmp_path)


def test_empty_or_missing_folders_name_the_folder_and_the_extensions(tmp_path):
    extensions = r"\.png, \.jpg, \.jpeg, \.bmp, \.gif"
    with pytest.raises(ValueError, match=rf"No image files in {re.escape(str(tmp_path))}: .*{extensions}"):
        data.image_folder(tmp_path, 8)
    (tmp_path / "data.csv").write_text("1,2,3")
    (tmp_path / "images.webp").write_bytes(b"RIFF")
    with pytest.raises(ValueError, match=r"holds 2 other files, e\.g\. data\.csv, images\.webp"):
        data.scan_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="No folder .*nowhere"):
        data.scan_folder(tmp_path / "nowhere")


def test_too_few_images_for_a_batch_names_the_count_and_the_batch_size_fix(tmp_path):
    flat_folder(tmp_path, 5)
    with pytest.raises(ValueError, match=r"holds 5 readable images, fewer than one batch of 8: .*--batch-size 5"):
        data.image_folder(tmp_path, 8)
    with pytest.raises(ValueError, match=r"holds 4 .* or the holdout fraction"):
        data.image_folder(tmp_path, 5, holdout=0.2)
    with pytest.raises(ValueError, match=r"holdout split .* holds no images: pass holdout="):
        data.image_folder(tmp_path, 2, split="holdout", drop_remainder=False)
    assert len(list(data.image_folder(tmp_path, 8, drop_remainder=False))) == 1  # one partial batch is fine


def test_bad_resolution_channels_split_and_cache_are_refused(tmp_path):
    flat_folder(tmp_path, 4)
    with pytest.raises(ValueError, match=r"resolution=48 .* one of 28, 32, 64"):
        data.image_folder(tmp_path, 2, resolution=48)
    with pytest.raises(ValueError, match=r"channels=2: pass 1 \(grayscale\) or 3 \(RGB\)"):
        data.scan_folder(tmp_path, channels=2)
    with pytest.raises(ValueError, match="split='test'"):
        data.image_folder(tmp_path, 2, split="test")
    with pytest.raises(ValueError, match=r"holdout=1\.5"):
        data.image_folder(tmp_path, 2, holdout=1.5)
    with pytest.raises(ValueError, match="cache=True"):
        data.image_folder(tmp_path, 2, cache=True)


# --- caches -----------------------------------------------------------------------------------------------------

def test_a_second_scan_decodes_only_new_or_changed_files(tmp_path, monkeypatch):
    folder = tmp_path / "images"
    flat_folder(folder, 6)
    decoded = []
    inspect = data._inspect
    monkeypatch.setattr(data, "_inspect", lambda path: decoded.append(os.path.basename(path)) or inspect(path))
    first = data.scan_folder(folder)
    assert len(decoded) == 6
    assert data.scan_folder(folder) == first and len(decoded) == 6  # nothing decoded again
    changed = save(folder / "img_03.png", noise((28, 28), 99))
    stat = os.stat(changed)
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later mtime, whatever the clock's tick
    assert data.scan_folder(folder).fingerprint != first.fingerprint and decoded[6:] == ["img_03.png"]

    cache_file = tmp_path / "scan.json"
    data.scan_folder(folder, scan_cache=str(cache_file))
    assert cache_file.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    monkeypatch.setattr(data, "_SCANNED", {})  # a new process: only the JSON file remembers
    del decoded[:]
    assert data.scan_folder(folder, scan_cache=str(cache_file)).files == first.files and decoded == []


def test_the_disk_cache_feeds_the_same_batches_and_is_reused(tmp_path, monkeypatch):
    folder = tmp_path / "images"
    flat_folder(folder, 6, side=30, channels=3)
    cache = str(tmp_path / "cache" / "train.npy")
    memory = list(data.image_folder(folder, 2, shuffle=False).as_numpy_iterator())
    on_disk = list(data.image_folder(folder, 2, shuffle=False, cache=cache).as_numpy_iterator())
    np.testing.assert_array_equal(np.stack(memory), np.stack(on_disk))
    assert np.load(cache).shape == (6, 32, 32, 3) and os.path.exists(cache + ".json")

    reads = []
    pixels = data._pixels
    monkeypatch.setattr(data, "_pixels", lambda *a, **k: reads.append(a[0]) or pixels(*a, **k))
    monkeypatch.setattr(data, "MEMORY_CACHE_BYTES", 0)  # too big for memory: batches gathered from the memmap
    mapped = list(data.image_folder(folder, 2, shuffle=False, cache=cache).as_numpy_iterator())
    np.testing.assert_array_equal(np.stack(memory), np.stack(mapped))
    assert reads == []  # read from the file, not decoded again
    data.image_folder(folder, 2, resolution=28, cache=cache)  # other options: the file is rewritten
    assert len(reads) == 6 and np.load(cache).shape == (6, 28, 28, 3)
    with pytest.raises(ValueError, match=r"more than the 0\.0 GB kept in memory: pass cache='<file>\.npy'"):
        data.image_folder(folder, 2)


# --- tensorflow-datasets image datasets outside the table -----------------------------------------------------

def test_any_tfds_image_dataset_is_known_by_name(tmp_path):
    info = data.dataset_info("cifar100", data_dir=str(tmp_path))  # from the builder's info: nothing prepared
    assert (info.image_shape, info.num_classes) == ((32, 32, 3), 100)
    assert data.dataset_info("tf_flowers", data_dir=str(tmp_path)).image_shape == (None, None, 3)
    with pytest.raises(ValueError, match="'glue' has no 'image' feature: pass an image dataset"):
        data.dataset_info("glue", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match=r"Unknown dataset 'imagenet'.*any tensorflow-datasets image dataset"):
        data.dataset_info("imagenet")


def test_a_tfds_dataset_of_varying_sizes_loads_cropped_to_a_resolution(tmp_path):
    with tfds.testing.mock_data(num_examples=12):
        with pytest.raises(ValueError, match=r"tf_flowers's images vary in size: pass resolution="):
            data.load("tf_flowers", 4, data_dir=str(tmp_path))
        ds = data.load("tf_flowers", 4, data_dir=str(tmp_path), resolution=32, with_labels=True, start=2)
        batches = list(ds.take(3).as_numpy_iterator())
        assert data.batches_per_epoch("tf_flowers", 4, data_dir=str(tmp_path)) == 3
        images = data.load_images("tf_flowers", split="train", data_dir=str(tmp_path), resolution=28)
        with pytest.raises(ValueError, match="celeb_a has no 'label' feature"):
            data.load("celeb_a", 4, data_dir=str(tmp_path), with_labels=True)
    assert batches[0][0].shape == (4, 32, 32, 3) and batches[0][1].shape == (4,)
    assert images.shape == (12, 28, 28, 3) and images.dtype == np.uint8
    with pytest.raises(ValueError, match="resolution= or pad_to=, not both"):
        data.load("mnist", 4, resolution=32, pad_to=32)


# --- the command line: tfgans train --images, tfgans evaluate --images ------------------------------------------


def _classes(root, per_class=24, side=28, channels=1, classes=("cat", "dog")):
    for i, name in enumerate(classes):
        flat_folder(root / name, per_class, side=side, channels=channels)
    return root


def test_train_on_a_folder_with_a_broken_file_then_evaluate_against_its_held_out_images(tmp_path, capsys):
    from tfgans import cli

    folder = _classes(tmp_path / "images")
    (folder / "cat" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    out = tmp_path / "run"
    args = ["train", "--preset", "dcgan-fast", "--images", str(folder), "--out", str(out), "--epochs", "1",
            "--batch-size", "8", "--steps-per-epoch", "2", "--num-samples", "4", "--verbose", "0", "--evaluate",
            "--eval-samples", "12", "--holdout", "0.25", "--augment", "translation,cutout"]
    with pytest.warns(UserWarning, match="broken.png"):
        assert cli.main(args) == 0
    assert "48 images -> 28x28 gray" in capsys.readouterr().out
    settings = json.loads((out / "run.json").read_text())
    assert settings["flavor_kwargs"] == {"augment": "translation,cutout"}
    assert settings["data"] == {"images": str(folder), "resolution": 28, "channels": 1, "holdout": 0.25}
    assert "fid" in (out / "epochs.csv").read_text().splitlines()[0]  # scored on the held-out images
    assert cli.main(["evaluate", str(out / "generator"), "--images", str(folder), "--holdout", "0.25",
                     "--num-samples", "12"]) == 0
    assert "real images of split 'holdout'" in capsys.readouterr().out


def test_a_bad_augment_policy_or_a_flavor_without_it_is_refused_before_anything_is_written(tmp_path, capsys):
    from tfgans import cli

    folder = _classes(tmp_path / "images")
    base = ["train", "--images", str(folder), "--epochs", "1", "--verbose", "0"]
    assert cli.main(base + ["--preset", "dcgan-fast", "--out", str(tmp_path / "a"), "--augment", "rotation"]) == 2
    assert "Unknown augmentation policy 'rotation'" in capsys.readouterr().err
    assert cli.main(base + ["--preset", "wgan-mnist-sun", "--out", str(tmp_path / "b"), "--augment", "cutout"]) == 2
    assert "--augment is an option of the GAN, DCGAN and ACGAN flavors" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_conditional_recipe_takes_the_subfolders_as_classes(tmp_path):
    import tfgans

    folder = _classes(tmp_path / "images", classes=("a", "b", "c"))
    run = tfgans.train("acgan-fast", str(tmp_path / "run"), images=str(folder), epochs=1, batch_size=8,
                       steps_per_epoch=2, num_samples=4, verbose=0)
    assert run.model.num_classes == 3 and run.stopped_by == "epochs"


def test_a_64_pixel_color_folder_trains_end_to_end_and_serves(tmp_path):
    import tensorflow as tf

    import tfgans

    folder = flat_folder(tmp_path / "images", 20, side=80, channels=3)
    run = tfgans.train("dcgan-fast", str(tmp_path / "run"), images=str(folder), epochs=1, batch_size=4,
                       steps_per_epoch=2, num_samples=4, verbose=0)
    assert run.model.image_shape == (64, 64, 3)
    served = tf.saved_model.load(run.generator).signatures["sample"](n=tf.constant(2), seed=tf.constant(0, tf.int64))
    assert served["images"].shape == (2, 64, 64, 3) and served["images"].dtype == tf.uint8


def test_a_report_preset_refuses_data_its_nets_cannot_make(tmp_path):
    import tfgans

    folder = flat_folder(tmp_path / "images", 20, side=32, channels=3)
    with pytest.raises(ValueError, match="trains its report's nets, which make 28x28x1 images.*dcgan-fast"):
        tfgans.train("dcgan-mnist-sun", str(tmp_path / "run"), images=str(folder), epochs=1, batch_size=4)
    assert not (tmp_path / "run").exists()


def test_cluster_labels_of_a_flat_folder_group_alike_images(tmp_path):
    for i in range(12):
        pixels = noise((28, 28), i) // 8
        pixels[:14] = 255 if i % 2 else pixels[:14]  # odd images: top half white
        save(str(tmp_path / "images" / f"img_{i:02d}.png"), pixels)
    ds = data.image_folder(str(tmp_path / "images"), 12, cluster_labels=2, shuffle=False)
    _, labels = next(iter(ds))
    labels = labels.numpy()
    assert sorted(np.bincount(labels)) == [6, 6] and len(set(labels[1::2])) == 1 and len(set(labels[::2])) == 1
    with pytest.raises(ValueError, match="with_labels .* or cluster_labels"):
        data.image_folder(str(tmp_path / "images"), 4, cluster_labels=2, with_labels=True)


def test_the_self_conditioned_recipe_trains_on_a_flat_folder_and_refuses_one_smaller_than_its_clusters(tmp_path):
    import tfgans
    from tfgans.presets import SELFCOND_CLUSTERS

    folder = flat_folder(tmp_path / "images", SELFCOND_CLUSTERS + 6)
    run = tfgans.train("selfcond-fast", str(tmp_path / "run"), images=str(folder), epochs=1, batch_size=8,
                       steps_per_epoch=2, num_samples=4, verbose=0)
    assert run.model.num_classes == SELFCOND_CLUSTERS and run.stopped_by == "epochs"
    small = flat_folder(tmp_path / "small", 20)
    with pytest.raises(ValueError, match=f"selfcond-fast conditions on {SELFCOND_CLUSTERS} clusters .* 20 images"):
        tfgans.train("selfcond-fast", str(tmp_path / "run2"), images=small, epochs=1, batch_size=4, verbose=0)
    assert not (tmp_path / "run2").exists()
