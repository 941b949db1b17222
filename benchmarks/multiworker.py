"""Multi-worker training on this machine: the communication cost of two loopback workers, and the bytes each
MNIST preset all-reduces per step.

    python benchmarks/multiworker.py --data-dir ../shared/tfds               # both parts
    python benchmarks/multiworker.py --bytes-only                           # the table only (no training)

Part 1 prints, for every MNIST preset, the gradient bytes a step all-reduces: float32 gradients of the
discriminator for each of its updates in a step (n_critic for the Wasserstein flavors, T x U for CFG-GAN) and of
the generator (CFG-GAN's generator is fitted by the approximation, replicated on each worker: no all-reduce).
Part 2 times ``tfgans train`` for the same global batches in one process and in two worker processes on
127.0.0.1 (``TF_CONFIG``), after a warm-up epoch, and prints steps/s of each. Both workers share this
machine's cores, so no speed-up is expected: the ratio is the overhead of gRPC all-reduces and of two
processes on one CPU. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def gradient_bytes(preset_name: str) -> dict:
    import tfgans

    preset = tfgans.presets.get(preset_name)
    model = preset.build(seed=0)
    size = lambda net: sum(int(v.shape.num_elements()) for v in net.trainable_variables) * 4  # noqa: E731
    d_updates = getattr(model, "real_batches_per_step", 1)
    cfggan = type(model).__name__ == "CFGGAN"
    g_updates = 0 if cfggan else 1
    # CFG-GAN also sums its stage's last D gradient once more over replicas, for the d_norm it logs.
    d_reduces = d_updates + (1 if cfggan else 0)
    return {"preset": preset_name, "d_bytes": size(model.discriminator), "g_bytes": size(model.generator),
            "per_step": d_reduces * size(model.discriminator) + g_updates * size(model.generator),
            "d_updates": d_updates}


def _train(args, out, workers: int, steps: int, epochs: int):
    """Runs ``tfgans train`` with ``workers`` processes; returns the chief's per-epoch seconds."""
    command = [sys.executable, "-m", "tfgans.cli", "train", "--preset", args.preset, "--out", out,
               "--data-dir", args.data_dir, "--batch-size", str(args.batch_size), "--steps-per-epoch", str(steps),
               "--epochs", str(epochs), "--verbose", "2", "--num-samples", "4"]
    from tfgans.distribute import loopback_tf_configs

    processes = []
    for tf_config in loopback_tf_configs(workers):
        env = dict(os.environ)
        if workers > 1:
            env["TF_CONFIG"] = tf_config
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                          text=True))
    outputs = [p.communicate()[0] for p in processes]
    for p, output in zip(processes, outputs):
        if p.returncode:
            raise RuntimeError(output[-3000:])
    # Keras' per-epoch line: "20/20 - 12s - 600ms/step - ..."
    return [float(s) for s in re.findall(r"^\d+/\d+ - (\d+)s", outputs[0], flags=re.M)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--preset", default="dcgan-mnist-sun")
    parser.add_argument("--batch-size", type=int, default=64, help="global batch (64)")
    parser.add_argument("--steps", type=int, default=30, help="steps per timed epoch (30)")
    parser.add_argument("--bytes-only", action="store_true")
    args = parser.parse_args()

    import tfgans

    print(f"{'preset':<28} {'D grad MB':>9} {'G grad MB':>9} {'D updates':>9} {'MB all-reduced/step':>20}")
    for name in tfgans.presets.names():
        if tfgans.presets.get(name).dataset != "mnist":
            continue
        row = gradient_bytes(name)
        print(f"{name:<28} {row['d_bytes'] / 1e6:>9.2f} {row['g_bytes'] / 1e6:>9.2f} {row['d_updates']:>9} "
              f"{row['per_step'] / 1e6:>20.2f}")
    if args.bytes_only:
        return
    results = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            seconds = _train(args, os.path.join(folder, "run"), workers, args.steps, epochs=2)
        timed = seconds[-1]  # the first epoch traces and warms up
        results[workers] = args.steps / timed if timed else float("nan")
        print(f"{workers} worker(s): {results[workers]:.2f} steps/s ({args.steps} steps of global batch "
              f"{args.batch_size}, {args.preset}; epoch seconds {seconds})", flush=True)
    print(f"two loopback workers / one process: {results[2] / results[1]:.2f}x steps/s")


if __name__ == "__main__":
    main()
