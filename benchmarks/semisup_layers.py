"""What the semi-supervised discriminator's layers cost: one training step of ``semisup-mnist-salimans`` with
tfgans' layers against the same step with the layers as they were before 2026-12-08.

    python benchmarks/semisup_layers.py [--rounds 5 --steps 30 --threads 1]

"before": ``GaussianNoise`` drew with ``keras.random.normal`` (``tf.random.stateless_normal``) and the
weight-normalised layers applied ``g * V / ||V||`` as their kernel; "now": a vectorised Box-Muller draw
(``tfgans.layers._normal``) and outputs scaled by ``g / ||V||`` (``tfgans.normalization``). "noise only" and
"scaling only" take one of the two changes. Every variant is built in this process and timed in turn, round
after round, on one synthetic batch; prints each round's ms per step, the medians and their ratios to "before".
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

from tfgans import layers as tl, normalization, presets  # noqa: E402

NEW_NOISE, NEW_SCALING = tl.GaussianNoise.call, normalization._WeightNorm.call


def old_noise(self, inputs, training=False):
    """``GaussianNoise.call`` before: ``keras.random.normal``."""
    if not training or self.stddev <= 0:
        return inputs
    noise = tl._per_example_draw(
        lambda shape: keras.random.normal(shape, stddev=self.stddev, seed=self.seed_generator), inputs)
    return inputs + keras.ops.cast(noise, inputs.dtype)


def old_scaling(self, inputs):
    """``_WeightNorm.call`` before: the normalised kernel built in each call."""
    outputs = self._apply(inputs, self.normalized_kernel())
    if self.use_bias:
        outputs = outputs + self.bias
    return self.activation(outputs)


VARIANTS = {"before": (old_noise, old_scaling), "noise only": (NEW_NOISE, old_scaling),
            "scaling only": (old_noise, NEW_SCALING), "now": (NEW_NOISE, NEW_SCALING)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (the long runs' lanes: 1)")
    args = parser.parse_args(argv)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    rng = np.random.default_rng(0)
    images = lambda: tf.constant(rng.integers(0, 256, (100, 28, 28, 1)).astype("uint8"))  # noqa: E731
    batch = {k: images() for k in ("x_unl", "x_unl2", "x_lab")}
    batch["y_lab"] = tf.constant(rng.integers(0, 10, (100,)).astype("int64"))
    steps = {}
    for name, (noise, scaling) in VARIANTS.items():
        tl.GaussianNoise.call, normalization._WeightNorm.call = noise, scaling  # read when the step is traced
        model = presets.get("semisup-mnist-salimans").build(seed=0)
        model.build_optimizers()
        steps[name] = tf.function(model.train_step)
        steps[name](batch)
    tl.GaussianNoise.call, normalization._WeightNorm.call = NEW_NOISE, NEW_SCALING
    times = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(args.steps):
                logs = step(batch)
            float(logs["loss_gen"])
            times[name].append(1000 * (time.perf_counter() - start) / args.steps)
    base = np.median(times["before"])
    for name, values in times.items():
        print(f"{name:<13} {' '.join(f'{v:6.1f}' for v in values)}   median {np.median(values):6.1f} ms/step "
              f"({base / np.median(values):.2f}x)")


if __name__ == "__main__":
    main()
