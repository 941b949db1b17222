"""Training throughput of ``DCGAN.fit`` against a hand-written ``tf.function`` loop, same nets, batch and data.

    python benchmarks/throughput.py --data-dir ../shared/tfds                    # float32
    python benchmarks/throughput.py --data-dir ../shared/tfds --mixed-precision  # bf16 on CPU, fp16 on GPU
    python benchmarks/throughput.py --data-dir ../shared/tfds --all              # every MNIST preset, both
    python benchmarks/throughput.py --data-dir ../shared/tfds --bf16             # bf16's gain, fit and peer

Both sides use Sun & Yang's MNIST nets (preset ``dcgan-mnist-sun``: batch 256, Adam G 1e-3 / D 1e-4) on the
same cached MNIST batches. Timings alternate between the two (fit, loop, fit, loop, ...) so a busy machine
slows both alike; each side reports its best run. Prints images/second of each and the ratio fit / loop.

``--all`` instead prints ``fit`` images/s of every MNIST preset (its own batch and nets, cached batches) in
float32 and in mixed precision, and the images/s of ``tfgans.data.load("mnist", ...)`` alone (the input
pipeline must outrun training by far: its ratio to the fastest training rate is printed).

``--bf16`` builds ``DCGAN.fit`` and the peer (the TensorFlow DCGAN tutorial's loop, ``peer.py``) on the same nets,
each once in float32 and once in ``mixed_bfloat16``, in one process, times the four alternately and prints what
bf16 gains each (``bf16_layers.py`` shows where the gain goes, layer by layer).
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
from peer import tutorial_step  # noqa: E402


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


def cached_batches(args, batch):
    """MNIST batches cached in memory (filled before any timing) and repeated, so every timed run has its
    steps and all contenders see the same batches."""
    ds = tfgans.data.load("mnist", batch, data_dir=args.data_dir, seed=0).take(args.steps).cache().repeat()
    for _ in ds.take(args.steps):
        pass
    return ds


def run_steps(step, ds, steps):
    """``step`` on ``steps`` batches of ``ds``, waiting for the last one."""
    for real in ds.take(steps):
        out = step(real)
    tf.nest.map_structure(lambda t: t.numpy(), out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFDS_DATA_DIR"))
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per side")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the preset's 256")
    parser.add_argument("--mixed-precision", action="store_true")
    parser.add_argument("--all", action="store_true", help="fit images/s of every MNIST preset, both policies")
    parser.add_argument("--presets", nargs="*", help="with --all: only these presets")
    parser.add_argument("--bf16", action="store_true",
                        help="bf16's gain over float32 for DCGAN.fit and for the peer loop, timed in one run")
    parser.add_argument("--float32-only", action="store_true",
                        help="with --all: skip the mixed policy (where the CPU emulates bf16 it is 4-6x slower)")
    args = parser.parse_args()
    if args.all:
        return every_preset(args)
    if args.bf16:
        return bf16_gain(args)

    gpu = bool(tf.config.list_physical_devices("GPU"))
    policy = ("mixed_float16" if gpu else "mixed_bfloat16") if args.mixed_precision else "float32"
    keras.mixed_precision.set_global_policy(policy)
    preset = tfgans.presets.get("dcgan-mnist-sun")
    batch = args.batch_size or preset.batch_size
    ds = cached_batches(args, batch)

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
        run_steps(step, ds, args.steps)

    # Warm-up: tracing and the first optimizer slots are not part of the throughput.
    gan.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)
    run_steps(step, ds, 2)

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


def bf16_gain(args):
    """Images/s of ``DCGAN.fit`` and of the peer loop, float32 and ``mixed_bfloat16``, from one run."""
    preset = tfgans.presets.get("dcgan-mnist-sun")
    batch = args.batch_size or preset.batch_size
    ds = cached_batches(args, batch)
    policies = ("float32", "mixed_bfloat16")
    runs = {}
    for policy in policies:  # a model keeps the policy it was built and traced under
        keras.mixed_precision.set_global_policy(policy)
        try:
            keras.utils.set_random_seed(0)
            model = preset.build(seed=0)
            model.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)  # warm-up: tracing, optimizer slots
            runs["DCGAN.fit", policy] = lambda model=model: model.fit(ds, epochs=1, steps_per_epoch=args.steps,
                                                                      verbose=0)
            step = tutorial_step(preset.generator(), preset.discriminator(), preset.latent_dim)
            run_steps(step, ds, 2)  # warm-up
            runs["peer loop", policy] = lambda step=step: run_steps(step, ds, args.steps)
        finally:
            keras.mixed_precision.set_global_policy("float32")
    times = {key: [] for key in runs}
    for _ in range(args.repeats):  # alternating, so a busy machine slows all four alike
        for key, fn in runs.items():
            times[key].append(_timed(fn))
    best = {key: min(seconds) for key, seconds in times.items()}
    print(f"device: CPU ({os.cpu_count()} cores), bf16 instructions: {tfgans.training.bf16_support()}; "
          f"{preset.name}, batch {batch}; best of {args.repeats} alternating runs of {args.steps} steps")
    print("| loop | float32 images/s | mixed_bfloat16 images/s | bf16 / float32 |")
    print("|---|---|---|---|")
    for loop in ("DCGAN.fit", "peer loop"):
        f32, bf16 = (args.steps * batch / best[loop, p] for p in policies)
        print(f"| {loop} | {f32:.0f} | {bf16:.0f} | {bf16 / f32:.2f} |")


def fit_images_per_second(preset, policy, args):
    """Best of ``args.repeats`` timed ``fit`` runs of ``args.steps`` steps on cached batches, after a warm-up
    (CFG-GAN: one run of one step, a whole stage of about a minute)."""
    cfggan = preset.flavor == "CFGGAN"
    steps, repeats = (1, 1) if cfggan else (args.steps, args.repeats)
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        model = preset.build(seed=0)
        batch = preset.batch_size * getattr(model, "real_batches_per_step", 1)
        ds = preset.load_data(args.data_dir, model=model, seed=0).take(steps).cache().repeat()
        for _ in ds.take(steps):
            pass
        model.fit(ds, epochs=1, steps_per_epoch=1 if cfggan else 2, verbose=0)
        best = min(_timed(lambda: model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0))
                   for _ in range(repeats))
        return steps * batch / best
    finally:
        keras.mixed_precision.set_global_policy("float32")


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pipeline_images_per_second(args, batch=256, batches=400):
    """``tfgans.data.load("mnist", batch)`` alone, after its cache is filled (one pass)."""
    ds = tfgans.data.load("mnist", batch, data_dir=args.data_dir, seed=0, start=0)
    for _ in ds.take(300):  # an epoch of 234 batches fills the uint8 cache
        pass
    seconds = _timed(lambda: [None for _ in ds.take(batches)])
    return batches * batch / seconds


def every_preset(args):
    mixed = "mixed_float16" if tf.config.list_physical_devices("GPU") else "mixed_bfloat16"
    print(f"device: CPU ({os.cpu_count()} cores), bf16 instructions: {tfgans.training.bf16_support()}; "
          f"{args.steps} steps per run, best of {args.repeats}")
    print(f"| preset | batch | float32 images/s | {mixed} images/s | ratio |")
    print("|---|---|---|---|---|")
    fastest = 0.0
    for name in tfgans.presets.names():
        preset = tfgans.presets.get(name)
        if preset.dataset != "mnist" or (args.presets and name not in args.presets):
            continue
        f32 = fit_images_per_second(preset, "float32", args)
        mp = None if args.float32_only else fit_images_per_second(preset, mixed, args)
        fastest = max(fastest, f32, mp or 0.0)
        mixed_cells = "- | -" if mp is None else f"{mp:.0f} | {mp / f32:.2f}"
        print(f"| {name} | {preset.batch_size} | {f32:.0f} | {mixed_cells} |", flush=True)
    pipeline = pipeline_images_per_second(args)
    print(f"input pipeline tfgans.data.load('mnist', 256): {pipeline:.0f} images/s, "
          f"{pipeline / fastest:.0f}x the fastest training rate ({fastest:.0f} images/s)")


if __name__ == "__main__":
    main()
