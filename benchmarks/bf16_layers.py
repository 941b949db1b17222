"""Where ``mixed_bfloat16`` gains and where it does not: each layer of a preset's nets timed alone, in float32 and
in ``mixed_bfloat16``, for its forward pass, its gradient with respect to its input and its gradient with respect
to its weights (each a ``tf.function`` of its own, so TensorFlow computes only that part).

    python benchmarks/bf16_layers.py                       # dcgan-mnist-sun, batch 256
    python benchmarks/bf16_layers.py --preset dcgan-mnist-fast

Prints milliseconds per call and the float32 / bf16 ratio for every layer and part, then the sums. The two
policies alternate (float32, bf16, float32, ...) so a busy machine slows both alike; each reports its best run.
On a CPU without ``avx512_bf16``/``amx_bf16`` oneDNN emulates bf16 and every ratio is below 1.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

import tfgans  # noqa: E402

POLICIES = ("float32", "mixed_bfloat16")


def parts(layer, shape):
    """``{part: tf.function}`` for a layer built on inputs of ``shape``: forward, d input, d weights."""
    x = tf.random.normal(shape)
    dy = None

    def forward(x):
        return layer(x, training=True)

    def d_input(x, dy):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
        return tape.gradient(y, x, output_gradients=dy)

    def d_weights(x, dy):
        with tf.GradientTape() as tape:
            y = layer(x, training=True)
        return tape.gradient(y, layer.trainable_variables, output_gradients=dy)

    x = tf.cast(x, layer.compute_dtype)
    dy = tf.ones_like(forward(x))
    fns = {"forward": (tf.function(forward), (x,)), "d input": (tf.function(d_input), (x, dy))}
    if layer.trainable_variables:
        fns["d weights"] = (tf.function(d_weights), (x, dy))
    return fns


def best_ms(fn, args, calls, repeats):
    out = fn(*args)  # trace
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            out = fn(*args)
        tf.nest.map_structure(lambda t: t.numpy(), out)  # wait for the last call
        best = min(best, time.perf_counter() - start)
    return 1e3 * best / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="dcgan-mnist-sun")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the preset's")
    parser.add_argument("--calls", type=int, default=10, help="calls per timed run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per policy")
    args = parser.parse_args()
    preset = tfgans.presets.get(args.preset)
    batch = args.batch_size or preset.batch_size
    print(f"device: CPU ({os.cpu_count()} cores), bf16 instructions: {tfgans.training.bf16_support()}; preset "
          f"{preset.name}, batch {batch}; ms per call, best of {args.repeats} runs of {args.calls} calls")
    print("| net | layer | output | part | float32 ms | bf16 ms | float32 / bf16 |")
    print("|---|---|---|---|---|---|---|")
    totals = {}
    for net in (preset.generator(), preset.discriminator()):
        for layer in net.layers:
            shape = [batch, *layer.input.shape[1:]]
            timed = {}
            for policy in POLICIES:
                twin = layer.__class__.from_config({**layer.get_config(), "dtype": policy})
                timed[policy] = parts(twin, shape)
            for part in timed["float32"]:
                ms = {p: best_ms(*timed[p][part], args.calls, args.repeats) for p in POLICIES}
                for p in POLICIES:
                    totals[part, p] = totals.get((part, p), 0.0) + ms[p]
                print(f"| {net.name} | {layer.name} | {tuple(layer.output.shape[1:])} | {part} | "
                      f"{ms['float32']:.2f} | {ms['mixed_bfloat16']:.2f} | "
                      f"{ms['float32'] / ms['mixed_bfloat16']:.2f} |", flush=True)
    for part in ("forward", "d input", "d weights"):
        f32, bf16 = totals[part, "float32"], totals[part, "mixed_bfloat16"]
        print(f"sum of {part:9s}: float32 {f32:7.1f} ms, bf16 {bf16:7.1f} ms, ratio {f32 / bf16:.2f}")


if __name__ == "__main__":
    main()
