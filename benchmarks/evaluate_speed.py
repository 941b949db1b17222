"""How long evaluating 10,000 MNIST samples with every metric takes on this machine.

    python benchmarks/evaluate_speed.py --data-dir ../shared/tfds [--num-samples 10000] [--dataset mnist]

Times, with the shipped classifier as the feature extractor: the reference statistics of the real test split
(computed once per dataset/split/count, then cached), and the evaluation of ``num_samples`` images (the
first images of the train split stand in for a generator's samples) broken down into feature extraction, FID,
KID (100 subsets of 1000), IS (10 splits) and precision/recall (k = 3). The second evaluation is the one a
training callback pays every time; the first also traces the TensorFlow functions.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

from tfgans import data as data_lib  # noqa: E402
from tfgans import evaluation  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="tensorflow-datasets directory ($TFDS_DATA_DIR)")
    parser.add_argument("--dataset", default="mnist", help="mnist or fashion_mnist")
    parser.add_argument("--num-samples", type=int, default=10000)
    args = parser.parse_args(argv)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    gpus = tf.config.list_physical_devices("GPU")
    print(f"machine: {platform.processor() or platform.machine()}, {cpus} CPU cores, {len(gpus)} GPU(s); "
          f"TensorFlow {tf.__version__}")

    start = time.perf_counter()
    evaluator = evaluation.Evaluator(args.dataset, args.data_dir, num_samples=args.num_samples)
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    evaluator.reference()
    reference_seconds = time.perf_counter() - start

    samples = data_lib.load_images(args.dataset, split="train", data_dir=args.data_dir,
                                   num_examples=args.num_samples)
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        results = evaluator.evaluate_images(samples)
        runs.append((time.perf_counter() - start, dict(evaluator.timings)))

    print(f"extractor: {evaluator.extractor.name} ({evaluator.extractor.feature_dim}-d features), "
          f"loaded in {load_seconds:.1f} s")
    print(f"reference statistics of {args.num_samples} real test images (once, then cached): "
          f"{reference_seconds:.1f} s")
    for label, (seconds, timings) in zip(("first evaluation", "second evaluation"), runs):
        parts = ", ".join(f"{name} {value:.2f} s" for name, value in timings.items())
        print(f"{label} of {args.num_samples} samples, all metrics: {seconds:.1f} s ({parts})")
    print("figures (train images as samples): " + ", ".join(f"{k} {v:.4g}" for k, v in results.items()))


if __name__ == "__main__":
    main()
