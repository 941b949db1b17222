"""Milliseconds per training step of each report preset, and what the report's training length costs here.

    python benchmarks/report_speed.py --data-dir ../shared/tfds                  # every report preset
    python benchmarks/report_speed.py --data-dir ../shared/tfds --presets lstm-mnist-kapoor --threads 1 2 --xla off on

Each configuration (intra-op threads x XLA) runs in its own process, because TensorFlow fixes its thread pools
when it starts. A configuration builds the preset's flavor, feeds it cached batches and times ``fit`` (best of
``--repeats`` runs of ``--steps`` steps, after a warm-up that traces the step). The table gives ms/step and the
hours one process in that configuration needs for the report's length (the preset's epochs). ``--pair`` also
times two one-thread processes of the preset at once (two training lanes, as the long runs of the reports are
scheduled on a 2-core machine): their mean ms/step, against the 2-thread figure, says what lanes gain.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

REPORT_PRESETS = ("gan-mnist-chakkarwar", "dcgan-mnist-chakkarwar", "dcgan-mnist-sun", "wgan-mnist-sun",
                  "linear-mnist-kapoor", "dcgan-mnist-kapoor", "dcgan-pool-mnist-kapoor", "lstm-mnist-kapoor",
                  "cfggan-mnist-zhu", "wgangp-mnist-zhu", "semisup-mnist-salimans")


def measure(preset_name: str, xla: bool, steps: int, repeats: int, data_dir: str) -> dict:
    """ms per step of ``fit`` on cached batches, in this process (its thread settings)."""
    import keras

    import tfgans

    preset = tfgans.presets.get(preset_name)
    cfggan = preset.flavor == "CFGGAN"
    steps, repeats = (1, 1) if cfggan else (steps, repeats)  # a stage is seconds long
    keras.utils.set_random_seed(0)
    model = preset.make_model(seed=0)
    model.compile(*preset.make_optimizers(), jit_compile=xla)
    if preset.flavor == "SemiSupervisedGAN":
        ds = preset.load_data(data_dir, seed=0)
    else:
        ds = preset.load_data(data_dir, model=model, seed=0)
    per_epoch = int(ds.cardinality())
    ds = ds.take(steps).cache().repeat()
    for _ in ds.take(steps):
        pass
    model.fit(ds, epochs=1, steps_per_epoch=1 if cfggan else 2, verbose=0)  # tracing, optimizer slots
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
        best = min(best, time.perf_counter() - start)
    ms = 1000 * best / steps
    return {"preset": preset_name, "ms_per_step": ms, "steps_per_epoch": per_epoch, "epochs": preset.epochs,
            "hours": ms * per_epoch * preset.epochs / 3.6e6}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFDS_DATA_DIR"))
    parser.add_argument("--presets", nargs="*", default=list(REPORT_PRESETS))
    parser.add_argument("--threads", nargs="*", type=int, default=[2, 1], help="intra-op threads per process")
    parser.add_argument("--xla", nargs="*", default=["off"], choices=("off", "on"), help="jit_compile of fit")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--pair", action="store_true",
                        help="also time two one-thread processes of the preset side by side (two training lanes)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, xla = args.child.split(",")
        print("RESULT " + json.dumps(measure(name, xla == "on", args.steps, args.repeats, args.data_dir)), flush=True)
        return
    print(f"CPU: {os.cpu_count()} cores; best of {args.repeats} fit runs of {args.steps} steps (CFG-GAN: 1 stage)")
    print("| preset | threads | XLA | ms/step | steps/epoch | epochs | hours to the report's length |")
    print("|---|---|---|---|---|---|---|")
    for name in args.presets:
        configs = [(threads, xla, 1) for threads in args.threads for xla in args.xla]
        configs += [(1, "off", 2)] if args.pair else []
        for threads, xla, processes in configs:
            env = {**os.environ, "TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "2",
                   "TF_CPP_MIN_LOG_LEVEL": "2"}
            command = [sys.executable, __file__, "--child", f"{name},{xla}", "--steps", str(args.steps),
                       "--repeats", str(args.repeats), "--data-dir", args.data_dir or ""]
            procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(processes)]
            results = []
            for proc in procs:
                out, err = proc.communicate()
                lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
                results.append(json.loads(lines[-1][len("RESULT "):]) if lines else err.strip().splitlines()[-1:])
            label = f"{threads}" + (" (x2 side by side)" if processes > 1 else "")
            if any(not isinstance(r, dict) for r in results):
                print(f"| {name} | {label} | {xla} | failed: {results} | | | |", flush=True)
                continue
            ms = sum(r["ms_per_step"] for r in results) / len(results)
            r = results[0]
            print(f"| {name} | {label} | {xla} | {ms:.1f} | {r['steps_per_epoch']} | {r['epochs']} | "
                  f"{ms * r['steps_per_epoch'] * r['epochs'] / 3.6e6:.2f} |", flush=True)


if __name__ == "__main__":
    main()
