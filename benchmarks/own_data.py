"""Training on your own images: a folder of PNGs against the same data from tensorflow-datasets.

    python benchmarks/own_data.py --data-dir ../shared/tfds --out /tmp/own_data                 # throughput
    python benchmarks/own_data.py --data-dir ../shared/tfds --out /tmp/own_data --minutes 10    # and FID

Exports a dataset's train split (default Fashion-MNIST) to a folder of PNG files, one subfolder per class
(``<out>/png/``, once), then measures, on an otherwise idle machine:

1. the input pipelines alone: batches/s of ``tfgans.data.image_folder`` and of ``tfgans.data.load``;
2. training steps/s of the same preset (``dcgan-fast``: the fast recipe) fed by each, timed alternately
   (folder, tfds, folder, ...) on the same number of steps, best of ``--repeats``;
3. with ``--minutes``, ``tfgans.train`` of that preset for that many training minutes from each source (the
   folder through ``--images``, the dataset through ``--dataset``), each scored on the dataset's test split with
   tfgans' classifier of that dataset (10,000 samples), so the two FIDs are comparable.

Prints a markdown table; the README quotes it with this command.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import tfgans  # noqa: E402
from tfgans import data as data_lib  # noqa: E402


def export_pngs(name: str, data_dir: str, folder: str) -> int:
    """Writes the train split of ``name`` as ``folder/<label>/<index>.png`` (once); returns the image count."""
    from PIL import Image
    import tensorflow_datasets as tfds

    done = os.path.join(folder, ".complete")
    if os.path.exists(done):
        return sum(len(files) for _, _, files in os.walk(folder)) - 1
    ds = tfds.load(name, split="train", data_dir=data_dir)
    count = 0
    for i, example in enumerate(tfds.as_numpy(ds)):
        label_dir = os.path.join(folder, f"class_{int(example['label'])}")
        os.makedirs(label_dir, exist_ok=True)
        image = example["image"]
        Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
            os.path.join(label_dir, f"{i:06d}.png"))
        count += 1
    open(done, "w").close()
    return count


def pipeline_rate(ds, batches: int) -> float:
    """Batches per second of ``ds`` after one warm-up pass of ``batches``."""
    for _ in ds.take(batches):
        pass
    start = time.perf_counter()
    for _ in ds.take(batches):
        pass
    return batches / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFDS_DATA_DIR"))
    parser.add_argument("--dataset", default="fashion_mnist")
    parser.add_argument("--preset", default="dcgan-fast")
    parser.add_argument("--out", required=True, help="folder for the PNG export and the runs")
    parser.add_argument("--steps", type=int, default=200, help="training steps per timed run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=None, help="also train this long from each, with FID")
    args = parser.parse_args()

    folder = os.path.join(args.out, "png")
    count = export_pngs(args.dataset, args.data_dir, folder)
    preset = tfgans.presets.get(args.preset)
    batch = preset.batch_size * preset.real_batches_per_step()
    print(f"{args.dataset}: {count} PNG files in {folder}; preset {preset.name}, batch {batch}; "
          f"{os.cpu_count()} CPUs")

    from_folder = data_lib.image_folder(folder, batch, value_range=preset.value_range, seed=0, start=0)
    from_tfds = data_lib.load(args.dataset, batch, data_dir=args.data_dir, value_range=preset.value_range, seed=0,
                              start=0)
    rates = {"folder": pipeline_rate(from_folder, 500), "tfds": pipeline_rate(from_tfds, 500)}

    models = {}
    for source, ds in (("folder", from_folder), ("tfds", from_tfds)):
        keras.utils.set_random_seed(0)
        model = preset.build(seed=0)
        model.fit(ds, epochs=1, steps_per_epoch=5, verbose=0)  # tracing, optimizer slots
        models[source] = (model, ds)
    best = {source: float("inf") for source in models}
    for _ in range(args.repeats):  # alternating, so a busy moment slows both alike
        for source, (model, ds) in models.items():
            start = time.perf_counter()
            model.fit(ds, epochs=1, steps_per_epoch=args.steps, verbose=0)
            best[source] = min(best[source], time.perf_counter() - start)
    steps = {source: args.steps / seconds for source, seconds in best.items()}

    print("| source | input pipeline alone, batches/s | training steps/s | images/s |")
    print("|---|---|---|---|")
    for source in ("folder", "tfds"):
        print(f"| {source} | {rates[source]:,.0f} | {steps[source]:.1f} | {steps[source] * batch:,.0f} |")
    print(f"folder / tfds training throughput: {steps['folder'] / steps['tfds']:.3f}")

    if args.minutes:
        from tfgans.evaluation import Evaluator

        evaluator = Evaluator(args.dataset, args.data_dir, num_samples=10000, metrics=("fid", "kid", "is"))
        print("| source | training minutes | steps | FID | classifier score |")
        print("|---|---|---|---|---|")
        for source, options in (("folder", {"images": folder}), ("tfds", {"dataset": args.dataset})):
            run = tfgans.train(preset, os.path.join(args.out, f"run_{source}"), data_dir=args.data_dir,
                               budget_minutes=args.minutes, epochs=10_000, evaluator=evaluator,
                               eval_every_minutes=args.minutes, verbose=0, **options)
            last = [row for row in run.record.epochs if "fid" in row][-1]
            print(f"| {source} | {last['train_minutes']:.1f} | {last['step']} | {last['fid']:.2f} | "
                  f"{last['is']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
