"""Seconds per CFG-GAN stage, split into the D updates and the approximation, and the composite's images/s.

    python benchmarks/cfggan_stage.py --data-dir ../shared/tfds [--preset cfggan-mnist-zhu] [--stages 3]

Times full stages of the preset (``fit`` on one dataset element per stage, the first stage traced and not
counted), then the same model's two phases apart: the D updates (T x U updates with their moves) and the
approximation (N targets moved T steps, then ``approx_epochs`` epochs of regression), each as its own traced
function. Finally images per second of ``gan.generate`` (G~ plus T functional-gradient steps) in batches of
``--sample-batch``. Prints the numbers; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

from tfgans import presets  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFDS_DATA_DIR"))
    parser.add_argument("--preset", default="cfggan-mnist-zhu")
    parser.add_argument("--stages", type=int, default=3, help="timed stages after the traced first one")
    parser.add_argument("--sample-batch", type=int, default=500)
    args = parser.parse_args()

    preset = presets.get(args.preset)
    gan = preset.build(seed=0)
    ds = preset.load_data(args.data_dir, model=gan, seed=0).take(args.stages + 1).cache()
    list(ds)  # read and cache the data before timing

    start = time.perf_counter()
    gan.fit(ds.take(1), epochs=1, verbose=0)
    first = time.perf_counter() - start
    start = time.perf_counter()
    gan.fit(ds.skip(1), epochs=1, verbose=0)
    per_stage = (time.perf_counter() - start) / args.stages

    reals = next(iter(ds))

    seeds = tf.unstack(tf.constant([[1, 2]] * gan.real_batches_per_step, tf.int64))
    d_phase = tf.function(lambda data: gan.discriminator_phase(gan.split_real_batches(data), seeds))
    approximation = tf.function(lambda: gan.approximation_phase(seeds[0], seeds[0]))

    timings = {}
    for name, fn, arg in (("D updates", d_phase, (reals,)), ("approximation", approximation, ())):
        fn(*arg)  # trace
        start = time.perf_counter()
        for _ in range(args.stages):
            fn(*arg)
        timings[name] = (time.perf_counter() - start) / args.stages

    sample = tf.function(lambda: gan.generate(args.sample_batch, seed=3))
    sample()
    start = time.perf_counter()
    for _ in range(3):
        sample()
    rate = 3 * args.sample_batch / (time.perf_counter() - start)

    print(f"{args.preset}: batch {preset.batch_size}, T {gan.num_steps}, U {gan.d_updates}, N {gan.num_targets}, "
          f"{gan.approx_epochs} approximation epochs")
    print(f"stage (fit): {per_stage:.2f} s  (first, traced: {first:.1f} s)")
    print(f"  D updates: {timings['D updates']:.2f} s   approximation: {timings['approximation']:.2f} s")
    print(f"composite sampler: {rate:.0f} images/s (batches of {args.sample_batch})")


if __name__ == "__main__":
    main()
