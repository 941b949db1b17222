"""Images/s, FLOPs per training step and their ratio to this CPU's peak, for a recipe at a resolution.

    python benchmarks/flops.py                                       # dcgan-fast at 64x64 RGB
    python benchmarks/flops.py --preset dcgan-fast --resolution 28 --channels 1

The recipe's nets are built for the shape (``Preset.for_shape``) and fed random images of it (the input
pipeline is measured in ``own_data.py``). FLOPs are counted by TensorFlow's profiler on the traced training step
(``Conv2D``/``MatMul`` and their gradients, 2 per multiply-add); the peak is what a large float32 matmul reaches
here (``tf.linalg.matmul`` of 2048x2048, best of 5), the practical ceiling of these kernels on this CPU. Run it
on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

import tfgans  # noqa: E402


def step_flops(model, batch) -> float:
    """FLOPs of one ``train_step`` on ``batch``, counted by the profiler on its graph."""
    fn = tf.function(model.train_step).get_concrete_function(tf.TensorSpec(batch.shape, batch.dtype))
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return float(tf.compat.v1.profiler.profile(fn.graph, options=options).total_float_ops)


def matmul_peak(n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of the best of ``repeats`` float32 ``n x n`` matmuls (a practical peak of this CPU)."""
    a = tf.random.normal([n, n])
    b = tf.random.normal([n, n])
    tf.linalg.matmul(a, b).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2.0 * n ** 3 / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="dcgan-fast")
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    preset = tfgans.presets.get(args.preset).for_shape((args.resolution, args.resolution, args.channels))
    keras.utils.set_random_seed(0)
    model = preset.build(seed=0)
    batch_size = preset.batch_size * preset.real_batches_per_step()
    images = np.random.default_rng(0).uniform(-1, 1, (batch_size, *preset.image_shape)).astype("float32")
    ds = tf.data.Dataset.from_tensors(images).repeat()
    model.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)  # tracing, optimizer slots
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.fit(ds, epochs=1, steps_per_epoch=args.steps, verbose=0)
        best = min(best, time.perf_counter() - start)
    seconds = best / args.steps
    flops = step_flops(model, tf.constant(images))
    peak = matmul_peak()
    g, d = model.generator.count_params(), model.discriminator.count_params()
    print(f"{preset.name} at {args.resolution}x{args.resolution}x{args.channels}: generator {g:,} and "
          f"discriminator {d:,} parameters, batch {batch_size}, {os.cpu_count()} CPUs")
    print("| images/s | ms/step | GFLOP/step | GFLOP/s | matmul peak GFLOP/s | share of peak |")
    print("|---|---|---|---|---|---|")
    print(f"| {batch_size / seconds:,.0f} | {1000 * seconds:.1f} | {flops / 1e9:.2f} | {flops / seconds / 1e9:.1f} | "
          f"{peak / 1e9:.1f} | {flops / seconds / peak:.1%} |")


if __name__ == "__main__":
    main()
