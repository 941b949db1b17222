"""Training throughput of ``DCGAN.fit`` against a hand-written ``tf.function`` loop, same nets, batch and data.

    python benchmarks/throughput.py --data-dir ../shared/tfds                    # float32
    python benchmarks/throughput.py --data-dir ../shared/tfds --mixed-precision  # bf16 on CPU, fp16 on GPU

Both sides use Sun & Yang's MNIST nets (preset ``dcgan-mnist-sun``: batch 256, Adam G 1e-3 / D 1e-4) on the
same cached MNIST batches. Timings alternate between the two (fit, loop, fit, loop, ...) so a busy machine
slows both alike; each side reports its best run. Prints images/second of each and the ratio fit / loop.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

import tfgans  # noqa: E402
from tfgans import losses  # noqa: E402


def make_pair(preset):
    return preset.generator(), preset.discriminator()


def hand_written_step(generator, discriminator, g_opt, d_opt, latent_dim):
    """The plain loop a user would write: one D step, one G step, non-saturating loss, Adam."""

    @tf.function
    def step(real):
        batch = tf.shape(real)[0]
        z = tf.random.normal([batch, latent_dim])
        with tf.GradientTape() as tape:
            fake = generator(z, training=True)
            d_loss = losses.minimax_discriminator_loss(discriminator(real, training=True),
                                                       discriminator(fake, training=True))
            scaled = d_opt.scale_loss(d_loss)
        d_opt.apply(tape.gradient(scaled, discriminator.trainable_variables), discriminator.trainable_variables)
        z = tf.random.normal([batch, latent_dim])
        with tf.GradientTape() as tape:
            g_loss = losses.modified_generator_loss(discriminator(generator(z, training=True), training=True))
            scaled = g_opt.scale_loss(g_loss)
        g_opt.apply(tape.gradient(scaled, generator.trainable_variables), generator.trainable_variables)
        return d_loss, g_loss

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFDS_DATA_DIR"))
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per side")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the preset's 256")
    parser.add_argument("--mixed-precision", action="store_true")
    args = parser.parse_args()

    gpu = bool(tf.config.list_physical_devices("GPU"))
    policy = ("mixed_float16" if gpu else "mixed_bfloat16") if args.mixed_precision else "float32"
    keras.mixed_precision.set_global_policy(policy)
    preset = tfgans.presets.get("dcgan-mnist-sun")
    batch = args.batch_size or preset.batch_size
    # The same cached batches for both sides; repeat so every timed run has its steps.
    ds = tfgans.data.load("mnist", batch, data_dir=args.data_dir, seed=0).take(args.steps).cache().repeat()
    for _ in ds.take(args.steps):  # fill the cache before timing
        pass

    keras.utils.set_random_seed(0)
    gan = tfgans.DCGAN(*make_pair(preset), latent_dim=preset.latent_dim, seed=0)
    gan.compile(*preset.make_optimizers())

    g, d = make_pair(preset)
    g_opt, d_opt = preset.make_optimizers()
    if policy == "mixed_float16":
        g_opt, d_opt = keras.optimizers.LossScaleOptimizer(g_opt), keras.optimizers.LossScaleOptimizer(d_opt)
    step = hand_written_step(g, d, g_opt, d_opt, preset.latent_dim)

    def run_fit():
        gan.fit(ds, epochs=1, steps_per_epoch=args.steps, verbose=0)

    def run_loop():
        out = None
        for real in ds.take(args.steps):
            out = step(real)
        float(out[0])  # wait for the last step

    # Warm-up: tracing and the first optimizer slots are not part of the throughput.
    gan.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)
    for real in ds.take(2):
        step(real)

    times = {"fit": [], "loop": []}
    for _ in range(args.repeats):
        for name, fn in (("fit", run_fit), ("loop", run_loop)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    images = args.steps * batch
    fit_ips = images / min(times["fit"])
    loop_ips = images / min(times["loop"])
    device = "GPU" if gpu else f"CPU ({os.cpu_count()} cores)"
    print(f"device: {device}  policy: {policy}  batch: {batch}  steps per run: {args.steps}  runs: {args.repeats}")
    print(f"DCGAN.fit          : {fit_ips:9.1f} images/s  ({min(times['fit']) / args.steps * 1000:.0f} ms/step)")
    print(f"hand-written loop  : {loop_ips:9.1f} images/s  ({min(times['loop']) / args.steps * 1000:.0f} ms/step)")
    print(f"ratio fit / loop   : {fit_ips / loop_ips:.3f}")


if __name__ == "__main__":
    main()
