"""Time of one MNIST epoch of the semi-supervised GAN (preset ``semisup-mnist-salimans``) on this machine.

    python benchmarks/semisup_epoch.py --data-dir ../shared/tfds               # a whole epoch (600 steps)
    python benchmarks/semisup_epoch.py --data-dir ../shared/tfds --steps 100   # 100 steps, scaled to 600
    python benchmarks/semisup_epoch.py --data-dir ../shared/tfds --steps 100 --jit-compile   # the step under XLA

An epoch is the reference code's: 600 steps of batch 100 (labeled + unlabeled + generated batches through the
discriminator, then a feature-matching generator step), then the test on the 10,000 test images. The first
``fit`` call (tracing, data-dependent init) is timed apart from the epoch. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

from tfgans import presets  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="tensorflow-datasets directory with mnist")
    parser.add_argument("--steps", type=int, default=None, help="time this many steps and scale to an epoch")
    parser.add_argument("--num-labeled", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jit-compile", action="store_true",
                        help="compile the steps with XLA (Keras' jit_compile='auto' does so on a GPU, not on a CPU)")
    args = parser.parse_args(argv)

    preset = presets.get("semisup-mnist-salimans")
    keras.utils.set_random_seed(args.seed)
    train = preset.load_data(args.data_dir, num_labeled=args.num_labeled, seed=args.seed).repeat()
    test = preset.load_test(args.data_dir)
    steps_per_epoch = 60000 // preset.batch_size
    steps = args.steps or steps_per_epoch
    model = preset.build(seed=args.seed)
    model.jit_compile = args.jit_compile

    start = time.perf_counter()
    model.fit(train, epochs=1, steps_per_epoch=2, verbose=0)  # trace + data-dependent init
    model.evaluate(test, verbose=0)
    warmup = time.perf_counter() - start

    start = time.perf_counter()
    model.fit(train, epochs=1, steps_per_epoch=steps, verbose=0)
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    result = model.evaluate(test, verbose=0, return_dict=True)
    test_seconds = time.perf_counter() - start

    epoch = train_seconds * steps_per_epoch / steps + test_seconds
    print(json.dumps({
        "benchmark": "semisup_epoch", "preset": preset.name, "steps_timed": steps, "jit_compile": bool(model.jit_compile),
        "seconds_per_step": round(train_seconds / steps, 4), "test_seconds": round(test_seconds, 2),
        "epoch_seconds": round(epoch, 1), "epochs_300_hours": round(300 * epoch / 3600, 1),
        "warmup_seconds": round(warmup, 1), "test_errors_after": int(result["errors"]),
        "cpu_count": os.cpu_count(), "machine": platform.machine(), "tensorflow": tf.__version__,
    }))


if __name__ == "__main__":
    main()
