"""One way to train: preset -> strategy -> data -> model -> callbacks -> ``fit`` -> export, resumable.

    run = tfgans.train("dcgan-mnist-fast", "runs/fast", data_dir="../shared/tfds")   # rerun: resumes
    run.model.generate(16)            # the images users sample, see and serve (GANModel.synthesize)
    run.generator                     # runs/fast/generator: the SavedModel, served without tfgans

``tfgans train``, ``tfgans reproduce`` (one call per model), ``tfgans semisup`` (one call per seed), the
notebooks and the benchmarks all train through :func:`train`. It writes one run folder (``tfgans.runs``):

- ``run.json``: the settings (schema in ``tfgans.runs``), recorded once the first checkpoint exists;
- ``checkpoints/``: the nets, optimizers, flavor state and the position reached (``tfgans.checkpoint``),
  after every epoch, every ``checkpoint_minutes`` and on SIGINT/SIGTERM;
- ``steps.csv``, ``epochs.csv``, ``progress.json``: the record (``tfgans.record``);
- ``samples/epoch_0001.png``, ...: a grid of fixed latents per epoch; ``logs/``: TensorBoard;
- ``generator/``: the export (``tfgans.export``), ``final.png``: 64 samples of it.

Before anything is written every argument and the data are checked (finite positive numbers, seeds in range,
a prepared dataset holding one batch), and the folder is locked (``tfgans.files.RunLock``): one writer per run
folder. Rerunning the same call resumes where the run stopped, within an epoch too: the data stream restarts
at the batch the run reached (``tfgans.data.load(start=...)``), so a resumed run trains on the batches the
uninterrupted one would have seen.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence

from tfgans import files, runs

__all__ = ["train", "Run", "run_settings", "FORMAT"]

FORMAT = "tfgans-run/1"
#: Settings a rerun may change; run.json keeps their latest values.
FREE = ("epochs", "budget_minutes", "clock", "eval_samples")
_MAX_SEED = 2**31 - 1


@dataclass
class Run:
    """What :func:`train` returns.

    Attributes:
        folder: the run folder.
        model: the trained flavor (None when a finished run was not rebuilt, ``skip_finished``).
        stopped_by: ``"epochs"`` (trained to the end), ``"budget"`` or ``"nan"``.
        generator: the exported SavedModel's folder (None on a non-chief worker or before the end).
        position: ``{"epoch", "batch", "step"}`` reached.
    """

    folder: str
    model: Any
    stopped_by: str
    generator: Optional[str]
    position: Dict[str, int]

    @property
    def record(self):
        """The run's record (``tfgans.record.Record``)."""
        from tfgans.record import read_record

        return read_record(self.folder)


# --- settings and validation -----------------------------------------------------------------------------------


def _check_number(name: str, value, *, integer: bool = False, allow_zero: bool = False):
    """Refuses a given (not None) value that is not a finite positive number, naming its option."""
    if value is None:
        return
    option = "--" + name.replace("_", "-")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{option} must be a number, got {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"{option} must be a finite number, got {value}.")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{option} must be {'non-negative' if allow_zero else 'positive'}, got {value}.")
    if integer and not float(value).is_integer():
        raise ValueError(f"{option} must be a whole number, got {value}.")


def run_settings(preset, *, batch_size: int, g_lr: float, d_lr: float, seed: int, mixed_precision: bool,
                 steps_per_epoch: Optional[int], chunk_steps: Optional[int], num_labeled: Optional[int],
                 flavor_kwargs: Dict, data: Dict, epochs: int, budget_minutes: Optional[float], clock: str,
                 eval_samples: Optional[int]) -> Dict[str, Any]:
    """The ``run.json`` of a run (schema in ``tfgans.runs``)."""
    settings = {"format": FORMAT, "preset": preset.name, "data": data, "batch_size": batch_size, "g_lr": g_lr,
                "d_lr": d_lr, "seed": seed, "mixed_precision": bool(mixed_precision),
                "steps_per_epoch": steps_per_epoch, "chunk_steps": chunk_steps, "num_labeled": num_labeled,
                "flavor_kwargs": flavor_kwargs, "epochs": epochs, "budget_minutes": budget_minutes, "clock": clock,
                "eval_samples": eval_samples}
    # selfcond-fast's objective changed (AC-GAN's classifier, then Liu et al.'s per-class logits) on the same
    # weights: a run records it, so that one started under the classifier is refused, not resumed under the other.
    conditioning = {**preset.flavor_kwargs, **flavor_kwargs}.get("conditioning")
    if conditioning is not None:
        settings["conditioning"] = conditioning
    return settings


def _legacy_settings(preset):
    """Reads the settings files of earlier tfgans versions into :func:`run_settings`' schema."""

    def translate(old: Dict, name: str) -> Dict:
        new: Dict[str, Any] = {}
        if name == "settings.json" and "dataset" in old and "preset" not in old:  # a seed of `tfgans semisup`
            from tfgans.presets import SEMISUP_PRESETS

            new["preset"] = SEMISUP_PRESETS.get(old["dataset"], old["dataset"])
            new.update({k: old[k] for k in ("num_labeled", "seed", "batch_size", "steps_per_epoch") if k in old})
            new["mixed_precision"] = False  # `tfgans semisup` trained in float32
            return new
        from tfgans.presets import canonical

        for key in ("preset", "batch_size", "g_lr", "d_lr", "seed", "mixed_precision", "steps_per_epoch"):
            if key in old:
                new[key] = old[key]
        new.setdefault("mixed_precision", False)  # a file that does not say so was written by a float32 run
        if "preset" in new:  # an earlier name of the preset (dcgan-mnist-fast for dcgan-fast)
            new["preset"] = canonical(new["preset"])
        if "split" in old:  # a model of `tfgans reproduce`
            new["data"] = {"dataset": preset.dataset, "split": old["split"]}
        return new
    return translate


# --- data -------------------------------------------------------------------------------------------------------


@dataclass
class _Data:
    """The training stream of a run: ``stream(model, start)`` is endless from batch ``start``.

    Attributes:
        preset: the preset, with nets built for the data's shape (``Preset.for_shape``).
        settings: ``run.json``'s ``data`` entry.
        batches_per_epoch: steps in one pass over the data.
        stream: ``(model, start) -> tf.data.Dataset``.
        evaluator: ``(num_samples) -> (Evaluator or None, reason)`` against data training never saw.
    """

    preset: Any
    settings: Dict
    batches_per_epoch: int
    stream: Callable
    evaluator: Callable
    validation: Callable


def _tfds_data(preset, *, dataset, resolution, data_dir, download, split, batch_size, num_labeled, seed) -> _Data:
    """A tensorflow-datasets dataset (the preset's, or ``dataset`` by name), checked: prepared, one step's worth."""
    from tfgans import data as data_lib

    if dataset is not None or resolution is not None:
        info = data_lib.dataset_info(dataset or preset.dataset, data_dir=data_dir)
        h, w, c = info.image_shape
        if resolution is None and (h is None or h != w):
            raise ValueError(f"{info.name}'s images are not square of one size; pass --resolution 28, 32 or 64.")
        size = resolution or h
        preset = preset.replace(dataset=info.name, data_kwargs={
            **{k: v for k, v in preset.data_kwargs.items() if k != "pad_to"},
            **({"resolution": size} if size != h or w != h else {})})
        preset = preset.for_shape((size, size, c), info.num_classes if preset.needs_labels else None)
    kwargs: Dict[str, Any] = {"data_dir": data_dir, "download": download}
    if num_labeled is not None:
        kwargs["num_labeled"] = num_labeled
    if split != "train":
        kwargs["split"] = split
    per_step = preset.real_batches_per_step()
    per_epoch = preset.batches_per_epoch(batch_size, data_dir=data_dir, split=split, download=download)
    if per_epoch < 1:
        raise ValueError(f"The {split!r} split of {preset.dataset} holds fewer examples than one step takes "
                         f"({batch_size} x {per_step}): lower --batch-size.")
    _check_clusters(preset, per_epoch * batch_size * per_step, f"the {split!r} split of {preset.dataset}")
    settings = {"dataset": preset.dataset, "split": split}
    if "resolution" in preset.data_kwargs:
        settings["resolution"] = preset.data_kwargs["resolution"]

    def stream(model, start):
        return preset.load_data(batch_size=batch_size, model=model, seed=seed, start=start, **kwargs)

    def evaluator(num_samples):
        if "resolution" in preset.data_kwargs:
            return None, f"the test split of {preset.dataset} is not resized to {preset.data_kwargs['resolution']}"
        from tfgans.evaluation import evaluator_for

        return evaluator_for(preset.dataset, data_dir, num_samples)

    def validation():
        return preset.validation_data(batch_size=batch_size, **kwargs)

    return _Data(preset, settings, per_epoch, stream, evaluator, validation)


def _check_clusters(preset, count: int, where: str):
    """Refuses data with fewer training images than the self-conditioned recipe's clusters."""
    k = preset.data_kwargs.get("cluster_labels")
    if k and count < k:
        raise ValueError(f"{preset.name} conditions on {k} clusters of the training images, but {where} holds "
                         f"{count} images: train dcgan-fast on it, or add images (a few per cluster at least).")


def _folder_data(preset, *, images, resolution, holdout, batch_size, seed, evaluate) -> _Data:
    """A folder of images (``tfgans.data.image_folder``), scanned and checked before anything is written."""
    from tfgans import data as data_lib

    if not os.path.isdir(images):
        raise ValueError(f"--images {images} is not a folder: pass a folder of PNG/JPEG/BMP/GIF images.")
    holdout = float(holdout if holdout is not None else (0.1 if evaluate else 0.0))
    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"--holdout must be at least 0 and below 1, got {holdout}.")
    per_step = preset.real_batches_per_step()
    with_labels = preset.needs_labels
    info = data_lib.scan_folder(images, resolution=resolution, batch_size=batch_size * per_step, holdout=holdout,
                                with_labels=with_labels)
    preset = preset.for_shape(info.image_shape, info.num_classes if with_labels else None)
    r, c = info.resolution, info.channels
    print(f"tfgans: {info.summary()}", flush=True)
    per_epoch = data_lib.folder_batches_per_epoch(images, batch_size * per_step, holdout=holdout,
                                                  with_labels=with_labels)
    _check_clusters(preset, len(info.select("train", holdout, with_labels)[0]), images)
    settings = {"images": os.path.abspath(images), "resolution": r, "channels": c, "holdout": holdout}

    def stream(model, start):
        return data_lib.image_folder(images, batch_size * per_step, resolution=r, channels=c,
                                     value_range=preset.value_range, seed=seed, start=start,
                                     with_labels=with_labels, holdout=holdout,
                                     cluster_labels=preset.data_kwargs.get("cluster_labels"))

    def evaluator(num_samples):
        from tfgans.evaluation import Evaluator

        if not holdout:
            return None, "no images are held out to evaluate on (--holdout)"
        try:
            return Evaluator.for_folder(images, holdout=holdout, resolution=r, channels=c,
                                        num_samples=num_samples, metrics=("fid", "kid", "is")), ""
        except (OSError, ValueError) as e:
            return None, f"no feature extractor for {r}x{r}x{c} images ({str(e).split('. ')[0]})"

    return _Data(preset, settings, per_epoch, stream, evaluator, lambda: None)


def _set_policy(mixed_precision: bool) -> str:
    """Sets the global dtype policy; returns how the training line names it."""
    import keras
    import tensorflow as tf

    if not mixed_precision:
        keras.mixed_precision.set_global_policy("float32")
        return "float32"
    if tf.config.list_physical_devices("GPU"):
        keras.mixed_precision.set_global_policy("mixed_float16")
        return "mixed_float16"
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    support = bf16_support()
    return f"mixed_bfloat16 ({support})" if support else "mixed_bfloat16 (emulated: no avx512_bf16/amx_bf16 here)"


def bf16_support() -> Optional[str]:
    """The CPU's bfloat16 instructions (``"amx_bf16"``, ``"avx512_bf16"``) from ``/proc/cpuinfo``, or None:
    without them oneDNN emulates bf16 matmuls and convolutions in float32, and ``mixed_bfloat16`` only adds
    casts."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return None
    return next((flag for flag in ("amx_bf16", "avx512_bf16") if flag in flags), None)


# --- the driver ---------------------------------------------------------------------------------------------------


def train(preset, out: str, *, epochs: Optional[int] = None, batch_size: Optional[int] = None,
          g_lr: Optional[float] = None, d_lr: Optional[float] = None, seed: int = 0,
          data_dir: Optional[str] = None, download: bool = False, split: str = "train",
          dataset: Optional[str] = None, images: Optional[str] = None, resolution: Optional[int] = None,
          holdout: Optional[float] = None,
          num_labeled: Optional[int] = None, steps_per_epoch: Optional[int] = None,
          chunk_steps: Optional[int] = None, flavor_kwargs: Optional[Dict] = None, mixed_precision: bool = False,
          strategy: str = "auto", peer_timeout: float = 120.0, budget_minutes: Optional[float] = None,
          clock: str = "wall", evaluator=None, evaluate: bool = False, eval_samples: int = 10000,
          eval_every_minutes: float = 5.0, eval_epochs: Sequence[int] = (), num_samples: int = 64,
          checkpoint_minutes: float = 5.0, checkpoint_steps: Optional[int] = None, restart: bool = False,
          skip_finished: bool = False, stop_epochs: Optional[int] = None, callbacks: Sequence = (),
          verbose="auto") -> Run:
    """Trains ``preset`` into the run folder ``out`` (or resumes it) and exports the generator.

    Args:
        preset: a ``tfgans.presets`` name or ``Preset``.
        out: the run folder.
        epochs: passes over the data in all (default the preset's, the report's); a rerun with more trains on.
        batch_size, g_lr, d_lr: default the preset's.
        seed: seeds weights, latents, shuffles (and the labeled subset of a semi-supervised preset).
        data_dir, download: the tensorflow-datasets directory, and whether it may download.
        split: the training split (a tfds split string, e.g. ``"train[:3000]"`` for quick runs).
        dataset: train on this tensorflow-datasets image dataset instead of the preset's.
        images: train on a folder of images (``tfgans.data.image_folder``: decoded, center-cropped, resized).
        resolution: with ``dataset``/``images``, the side (28, 32 or 64) to crop and resize to; default the data's.
        holdout: with ``images``, the share held out for evaluation (default 0.1 with ``evaluate``, else 0).
        num_labeled: labeled examples of a semi-supervised preset (default its own).
        steps_per_epoch: make an epoch this many steps (quick runs); the record counts them as epochs.
        chunk_steps: ``fit`` epochs of this many steps over the endless stream, so that a model whose pass over
            the data takes long is recorded, scored and checkpointed every few minutes; the record still counts
            passes over the data.
        flavor_kwargs: flavor arguments overriding the preset's.
        mixed_precision: ``mixed_bfloat16`` on CPU, ``mixed_float16`` with loss scaling on GPU.
        strategy, peer_timeout: see ``tfgans.distribute.strategy``.
        budget_minutes, clock: stop after this many training minutes (``clock`` ``"wall"`` or ``"cpu"``); None
            for no limit.
        evaluator, evaluate, eval_samples, eval_every_minutes, eval_epochs: score the model as it trains (an
            ``Evaluator``, or ``evaluate=True`` for one against the dataset's test split with ``eval_samples``
            images), every ``eval_every_minutes`` and after ``eval_epochs``; the scores go into the record.
        num_samples: images in each epoch's sample grid.
        checkpoint_minutes, checkpoint_steps: also checkpoint within epochs this often.
        restart: move an earlier run in ``out`` aside (into ``out/previous-<time>/``) and start over.
        skip_finished: return a finished run's record without rebuilding its model (``Run.model`` is None).
        stop_epochs: stop this call after this many epochs (a piece of a long run; the same call without it
            trains on to ``epochs``, and learning-rate schedules span ``epochs`` either way).
        callbacks: more Keras callbacks, run after tfgans' own.
        verbose: Keras verbosity.

    Raises:
        ValueError: a bad argument or missing data (before anything is written);
            ``tfgans.runs.SettingsMismatchError``: ``out`` holds a run of other settings;
            ``tfgans.files.RunLockedError``: another process trains in ``out``;
            ``tfgans.checkpoint.TrainingInterrupted``: SIGINT/SIGTERM stopped it after a checkpoint;
            ``tfgans.callbacks.NaNLossError``: a loss became NaN (the last good checkpoint is kept).
    """
    from tfgans import distribute, presets

    preset = presets.get(preset) if isinstance(preset, str) else preset
    for name, value in dict(epochs=epochs, stop_epochs=stop_epochs, batch_size=batch_size, steps_per_epoch=steps_per_epoch,
                            chunk_steps=chunk_steps, num_samples=num_samples, checkpoint_steps=checkpoint_steps,
                            eval_samples=eval_samples, num_labeled=num_labeled).items():
        _check_number(name, value, integer=True)
    for name, value in dict(g_lr=g_lr, d_lr=d_lr, budget_minutes=budget_minutes, peer_timeout=peer_timeout,
                            checkpoint_minutes=checkpoint_minutes, eval_every_minutes=eval_every_minutes).items():
        _check_number(name, value)
    _check_number("seed", seed, integer=True, allow_zero=True)
    if seed > _MAX_SEED:
        raise ValueError(f"--seed must be at most {_MAX_SEED}, got {seed}.")
    if clock not in ("wall", "cpu"):
        raise ValueError(f"--clock must be 'wall' or 'cpu', got {clock!r}.")
    if strategy not in distribute.STRATEGIES:
        raise ValueError(f"--strategy must be one of {', '.join(distribute.STRATEGIES)}, got {strategy!r}.")
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out} is a file: pass a writable folder for the run.")
    if flavor_kwargs:
        preset = preset.replace(flavor_kwargs={**preset.flavor_kwargs, **flavor_kwargs})
    batch_size = int(batch_size or preset.batch_size)
    seed, epochs = int(seed), int(epochs or preset.epochs)
    g_lr = float(preset.g_lr if g_lr is None else g_lr)
    d_lr = float(preset.d_lr if d_lr is None else d_lr)
    num_labeled = int(num_labeled) if num_labeled is not None else getattr(preset, "num_labeled", None)
    if images is not None and dataset is not None:
        raise ValueError("Pass --images (a folder) or --dataset (a tensorflow-datasets name), not both.")
    if resolution is not None and resolution not in (28, 32, 64):
        raise ValueError(f"--resolution must be 28, 32 or 64 (what the nets make), got {resolution}.")
    distribute.read_tf_config()  # a bad TF_CONFIG is refused before anything is written
    # MultiWorkerMirroredStrategy must exist before TensorFlow runs anything else (the data checks do).
    strategy = distribute.strategy(strategy, timeout_seconds=peer_timeout)
    if images is not None:
        data = _folder_data(preset, images=images, resolution=resolution, holdout=holdout, batch_size=batch_size,
                            seed=seed, evaluate=evaluate)
    else:
        data = _tfds_data(preset, dataset=dataset, resolution=resolution, data_dir=data_dir, download=download,
                          split=split, batch_size=batch_size,
                          num_labeled=num_labeled if hasattr(preset, "num_labeled") else None, seed=seed)
    preset = data.preset
    settings = run_settings(preset, batch_size=batch_size, g_lr=g_lr, d_lr=d_lr, seed=seed,
                            mixed_precision=mixed_precision, steps_per_epoch=steps_per_epoch,
                            chunk_steps=chunk_steps, num_labeled=num_labeled,
                            flavor_kwargs=flavor_kwargs or {}, data=data.settings,
                            epochs=epochs, budget_minutes=budget_minutes, clock=clock,
                            eval_samples=eval_samples if (evaluate or evaluator is not None) else None)
    chief = distribute.is_chief(strategy)
    written = distribute.worker_dir(out, strategy)  # out, or a non-chief worker's temporary folder
    with files.RunLock(written):
        return _train_locked(preset, out, written, chief, strategy, data, settings, restart=restart,
                             evaluator=evaluator, evaluate=evaluate, eval_samples=eval_samples,
                             eval_every_minutes=eval_every_minutes, eval_epochs=eval_epochs,
                             num_samples=num_samples, checkpoint_minutes=checkpoint_minutes,
                             checkpoint_steps=checkpoint_steps, skip_finished=skip_finished,
                             stop_epochs=stop_epochs, user_callbacks=callbacks, verbose=verbose)


def _train_locked(preset, out, written, chief, strategy, data: _Data, settings, *, restart, evaluator, evaluate,
                  eval_samples, eval_every_minutes, eval_epochs, num_samples, checkpoint_minutes,
                  checkpoint_steps, skip_finished, stop_epochs, user_callbacks, verbose) -> Run:
    import keras

    from tfgans import callbacks, distribute, export
    from tfgans.checkpoint import Checkpoint
    from tfgans.record import PROGRESS_FILE, RunRecord

    if restart and chief:
        moved = runs.move_aside(out)
        if moved:
            print(f"tfgans: --restart: moved the earlier run in {out} to {moved}")
    ckpt_dir = os.path.join(out, "checkpoints")
    trained_before = bool(Checkpoint(ckpt_dir).candidates()) or bool(runs.trained_artifacts(out))
    # A run whose learning rates decay over its epochs cannot change them; any other can train on.
    free = tuple(k for k in FREE if not (k == "epochs" and preset.schedule_spans_epochs))
    progress_path = os.path.join(out, PROGRESS_FILE)
    progress = files.read_json(progress_path, expect=dict) or {}
    epochs = settings["epochs"]
    per_epoch = settings["steps_per_epoch"] or data.batches_per_epoch
    chunk = settings["chunk_steps"]
    fit_steps = chunk or per_epoch  # batches in one fit epoch
    fit_epochs = -(-epochs * per_epoch // chunk) if chunk else epochs
    # This call's stop: the run's length, or fewer epochs (stop_epochs) of a run that goes on later.
    stop = min(fit_epochs, -(-stop_epochs * per_epoch // chunk) if chunk else stop_epochs) if stop_epochs else fit_epochs
    finished = skip_finished and _finished(progress, out, settings, stop, fit_steps)
    if chief and trained_before:  # a folder without a checkpoint yet accepts a corrected command
        # A finished run is only read back, whatever precision this call would train in (`tfgans reproduce
        # --mixed-precision` over an experiment whose float32 models are done).
        runs.check_settings(out, settings, free=free + (("mixed_precision",) if finished else ()),
                            legacy=_legacy_settings(preset), write=False,
                            hint="Use a new --out folder, or repeat the original options to resume.")
    if chief:
        files.clean_leftovers(out)
    # The machines a run trained on (a long run may resume elsewhere): the record says where its clocks ran.
    machines = list(progress.get("machines", []))
    if runs.machine() not in machines:
        machines.append(runs.machine())
    if finished:
        return Run(out, None, progress.get("stopped_by", "epochs"), os.path.join(out, "generator"),
                   {"epoch": stop, "batch": 0, "step": stop * fit_steps})

    previous_policy = keras.mixed_precision.global_policy()
    policy = _set_policy(settings["mixed_precision"])
    # The policies it trained in: the flag is mixed_bfloat16 on a CPU and mixed_float16 on a GPU.
    policies = list(progress.get("policies", []))
    if policies[-1:] != [keras.mixed_precision.global_policy().name]:
        policies.append(keras.mixed_precision.global_policy().name)
    try:
        keras.utils.set_random_seed(settings["seed"])
        with strategy.scope():
            model = preset.build(seed=settings["seed"], g_lr=settings["g_lr"], d_lr=settings["d_lr"],
                                 epochs=epochs, steps_per_epoch=per_epoch)
        checkpoint = Checkpoint(ckpt_dir, every_n_minutes=checkpoint_minutes, every_n_steps=checkpoint_steps,
                                save_on_signal=True, restore_on_train_begin=False, run_dir=out,
                                write_directory=os.path.join(written, "checkpoints"), batches_per_epoch=fit_steps)
        with strategy.scope():
            checkpoint.restore(model)
        if checkpoint.restored_from is None:
            checkpoint.save()  # from here on the folder always holds a checkpoint of its run
        if chief and trained_before:  # the latest free settings; an earlier version's file becomes run.json
            runs.check_settings(out, settings, free=free, legacy=_legacy_settings(preset))
        elif chief:
            runs.record_settings(out, settings)
        if chief:  # a run in progress (or stopped by a kill) names the machines it trains on, as a finished one
            files.write_json(progress_path, {"done": False, "machines": machines, "policies": policies})
        position = dict(checkpoint.position)
        if position["batch"] >= fit_steps:  # stopped after an epoch's last batch, before its end was recorded
            position.update(epoch=position["epoch"] + 1, batch=0)
            checkpoint.position.update(position)
        value_range = preset.data_range
        if evaluator is None and evaluate and chief:
            evaluator, reason = data.evaluator(eval_samples)
            if evaluator is None:
                print(f"tfgans: {preset.name}: trains without scores: {reason}", flush=True)
        record = RunRecord(written if chief else None, position, batches_per_epoch=per_epoch,
                           budget_seconds=60.0 * settings["budget_minutes"] if settings["budget_minutes"] else None,
                           clock=settings["clock"], evaluator=evaluator if chief else None,
                           eval_every_seconds=60.0 * eval_every_minutes, eval_epochs=(stop,) + _fit_epochs(eval_epochs, per_epoch,
                                                                                                chunk),
                           eval_seed=settings["seed"], epochs=fit_epochs)
        checkpoint.before_save = record.flush_steps
        cbs = callbacks.run_callbacks(written, seed=settings["seed"], value_range=value_range,
                                      num_samples=num_samples, checkpoint=checkpoint, record=record)
        cbs += list(user_callbacks or ())
        grid = next(cb for cb in cbs if isinstance(cb, callbacks.SampleGrid))
        validation = data.validation()
        grid.redraw_missing(model, position)
        source = data.settings.get("images") or preset.dataset
        print(f"tfgans: training {preset.name} ({preset.source}, {preset.table}) on {source} for "
              f"{epochs} epochs of {per_epoch} steps" + (f" (fit epochs of {chunk})" if chunk else "")
              + f", batch {settings['batch_size']}, {policy}, {strategy.num_replicas_in_sync} replica(s) "
              f"({type(strategy).__name__})"
              + (f", budget {settings['budget_minutes']:g} {settings['clock']}-clock min" if settings['budget_minutes']
                 else "") + f"; output in {written}", flush=True)
        stopped = "epochs"
        try:
            stream = data.stream(model, position["step"])
            if position["batch"] and position["epoch"] < stop:
                # The rest of the epoch the run was stopped in, then whole epochs from the next one.
                model.fit(stream, initial_epoch=position["epoch"], epochs=position["epoch"] + 1,
                          steps_per_epoch=fit_steps - position["batch"], callbacks=cbs, verbose=verbose,
                          validation_data=validation)
            if position["epoch"] < stop and not record.stopped_by:
                start = checkpoint.position["step"]
                model.fit(data.stream(model, start) if start != position["step"] else stream,
                          initial_epoch=checkpoint.position["epoch"], epochs=stop, steps_per_epoch=fit_steps,
                          callbacks=cbs, verbose=verbose, validation_data=validation)
        except callbacks.NaNLossError:
            if chief:
                files.write_json(progress_path, {"done": True, "stopped_by": "nan", "machines": machines,
                                                 "policies": policies,
                                                 "first_step_seconds": record.first_step_seconds})
            raise
        finally:
            checkpoint.remove_signal_handlers()
        stopped = record.stopped_by or stopped
        generator = None
        if chief:
            files.write_json(progress_path, {"done": True, "stopped_by": stopped, "machines": machines,
                                             "policies": policies, "first_step_seconds": record.first_step_seconds})
            generator = export.save_generator(model, os.path.join(out, "generator"), value_range=value_range)
            from tfgans.images import save_grid
            from tfgans.sampling import sample_generator

            save_grid(sample_generator(model, 64, settings["seed"], check_finite=False), os.path.join(out, "final.png"))
        else:
            distribute.cleanup(out, written)
        return Run(out, model, stopped, generator, dict(checkpoint.position))
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _fit_epochs(eval_epochs, per_epoch: int, chunk: Optional[int]):
    """The ``fit`` epochs that end the passes ``eval_epochs`` (the same numbers without chunks)."""
    if not chunk:
        return tuple(eval_epochs)
    return tuple(-(-e * per_epoch // chunk) for e in eval_epochs)


def _finished(progress: Dict, out: str, settings: Dict, fit_epochs: int, fit_steps: int) -> bool:
    """Whether a run folder holds a finished run that these settings would not train further."""
    from tfgans.record import read_record

    if not progress.get("done"):
        return False
    if progress.get("stopped_by") == "nan":
        return True
    record = read_record(out)
    if not record.epochs or not os.path.isfile(os.path.join(out, "generator", "saved_model.pb")):
        return False
    last = record.epochs[-1]
    if last["step"] >= fit_epochs * fit_steps:
        return True
    budget = settings["budget_minutes"]
    used = last.get("cpu_minutes" if settings["clock"] == "cpu" else "train_minutes") or 0.0
    return progress.get("stopped_by") == "budget" and budget is not None and used >= budget
