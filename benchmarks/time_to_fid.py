"""Minutes of training to FID 50, 20 and 10 on MNIST: tfgans' fast presets (``dcgan-mnist-fast``, ``selfcond-fast``
(conditioned on k-means clusters of the images, no labels; its clustering counts as training time) and
``acgan-mnist-fast``, which also learns from MNIST's labels), ``dcgan-mnist-sun`` (float32 and bf16) and the peer
loop, each for the same wall-clock budget, one after the other on an otherwise idle machine.

    python benchmarks/time_to_fid.py --data-dir ../shared/tfds --minutes 10 --out time_to_fid

The peer is the TensorFlow DCGAN tutorial's training step (``peer.py``: one generator forward shared by both
updates, two tapes, Adam 1e-4 for both nets), batch 256, on Sun & Yang's nets (seed 004's, ``tfgans.nets.sun``).
The tfgans contenders run ``model.fit`` on ``tfgans.data.load``. The clock counts training only: every
``--every`` minutes it stops, the FID of ``--eval-samples`` generated images (``tfgans evaluate``'s MNIST
classifier features, against as many test images) is taken, and the clock resumes. The last point uses
``--final-samples`` (10,000: the figure the cards quote). Prints the table, writes ``<out>/time_to_fid.csv``
and ``<out>/time_to_fid.png`` (FID against minutes). A run of some contenders (``--only``) replaces their rows
of an earlier record in ``--out`` and keeps the others', so the plot shows every contender measured there.
The levers (``--lr``, ``--r1-gamma``, ...) change ``fast`` only.
"""

from __future__ import annotations

import argparse
import csv
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

import tfgans  # noqa: E402
from tfgans import data as data_lib  # noqa: E402
from tfgans.evaluation import Evaluator  # noqa: E402
from tfgans.schedules import LinearDecayLastThird  # noqa: E402
from peer import tutorial_step  # noqa: E402

TARGETS = (50.0, 20.0, 10.0)
CONTENDERS = ("fast", "selfcond-fast", "acgan-fast", "sun", "sun-bf16", "peer")


class Clock:
    """Training time, paused while evaluating; evaluates every ``every`` minutes until ``budget`` minutes, or,
    with ``in_steps``, every ``every`` steps until ``budget`` steps (a budget a shared machine does not bend)."""

    def __init__(self, name, budget, every, evaluate, in_steps=False):
        scale = 1 if in_steps else 60.0
        self.name, self.budget, self.every, self.evaluate = name, budget * scale, every * scale, evaluate
        self.in_steps = in_steps
        self.trained, self.last, self.next_eval, self.steps, self.points = 0.0, None, self.every, 0, []

    def start(self):
        self.last = time.perf_counter()

    def tick(self) -> bool:
        """After one step: False once the budget is spent."""
        now = time.perf_counter()
        self.trained += now - self.last
        self.steps += 1
        spent = self.steps if self.in_steps else self.trained
        if spent >= self.next_eval or spent >= self.budget:
            final = spent >= self.budget
            fid = self.evaluate(final)
            self.points.append({"contender": self.name, "minutes": round(self.trained / 60, 3),
                                "steps": self.steps, "fid": round(fid, 3), "final": final})
            print(f"  {self.name}: {self.trained / 60:5.2f} min, {self.steps} steps, FID {fid:.2f}", flush=True)
            self.next_eval += self.every
            if final:
                return False
        self.last = time.perf_counter()  # evaluation time is not training time
        return True


class _ClockCallback(keras.callbacks.Callback):
    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def on_train_begin(self, logs=None):
        self.clock.start()

    def on_train_batch_end(self, batch, logs=None):
        if not self.clock.tick():
            self.model.stop_training = True


def _evaluator(args, num_samples):
    return Evaluator("mnist", data_dir=args.data_dir, num_samples=num_samples, metrics=("fid",))


def fid_of(evaluators, sample):
    """``sample(n, seed) -> uint8 images``'s FID with the interim or the final evaluator."""
    def evaluate(final):
        evaluator = evaluators["final" if final else "interim"]
        return evaluator.evaluate_images(sample(evaluator.num_samples, 0))["fid"]
    return evaluate


def _with_live(average, live):
    def evaluate(final):
        print(f"    live weights: FID {live(final):.2f}", flush=True)
        return average(final)
    return evaluate


class _ExtraAverages(keras.callbacks.Callback):
    """More generator averages beside the model's own (``--extra-ema RATE:RAMPUP``), updated after every step,
    so one run measures several averages' rates. Listed before the clock: a point sees this step's update."""

    def __init__(self, model, specs):
        super().__init__()
        from tfgans.averaging import ParameterEMA

        generator = model.generator
        weights = list(generator.trainable_variables) + list(generator.non_trainable_variables)
        self.specs = specs
        self.averages = [ParameterEMA(weights, rate, rampup, name=f"extra_ema_{i}")
                         for i, (rate, rampup) in enumerate(specs)]
        self.generator, self.trainable = generator, len(generator.trainable_variables)
        self._update = tf.function(lambda: [average.update() for average in self.averages])

    def on_train_batch_end(self, batch, logs=None):
        self._update()

    def sampler(self, i, latent):
        average = self.averages[i]

        @tf.function
        def images(z):
            values = average.values()
            return self.generator.stateless_call(values[:self.trainable], values[self.trainable:], z,
                                                 training=False)[0]

        def sample(n, seed):
            z = latent(n, seed)
            return data_lib.to_uint8(tf.concat([images(z[k:k + 500]) for k in range(0, n, 500)], 0)).numpy()
        return sample


def _with_extra(evaluate, extras, evaluators, latent):
    def evaluate_all(final):
        for i, (rate, rampup) in enumerate(extras.specs):
            fid = fid_of(evaluators, extras.sampler(i, latent))(final)
            print(f"    average rate {rate:g}, ramp-up {rampup}: FID {fid:.2f}", flush=True)
        return evaluate(final)
    return evaluate_all


def run_fit(name, preset_name, policy, args, evaluators, changes=None, **flavor_kwargs):
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(args.seed)
        preset = tfgans.presets.get(preset_name)
        preset = preset.replace(flavor_kwargs={**preset.flavor_kwargs, **flavor_kwargs}, **(changes or {}))
        model = preset.build(seed=args.seed)
        prepared = time.perf_counter()
        ds = preset.load_data(args.data_dir, model=model, seed=args.seed, start=0)
        prepared = time.perf_counter() - prepared  # selfcond-fast's clustering; the others' is lazy
        to_uint8 = lambda n, seed: data_lib.to_uint8(model.generate(n, seed=seed)).numpy()  # noqa: E731
        evaluate = fid_of(evaluators, to_uint8)
        latent = lambda n, seed: model.sample_latent(n, tf.constant([seed, 0], tf.int64))  # noqa: E731
        if model.g_ema is not None:  # the live weights' FID beside the average's: the lever in one run
            def live(n, seed):
                return data_lib.to_uint8(model.generator.predict(latent(n, seed), batch_size=500,
                                                                 verbose=0)).numpy()
            evaluate = _with_live(evaluate, fid_of(evaluators, live))
        callbacks = []
        if name in ("fast", "selfcond-fast") and args.extra_ema:
            callbacks.append(_ExtraAverages(model, args.extra_ema))
            evaluate = _with_extra(evaluate, callbacks[-1], evaluators, latent)
        if args.steps:
            clock = Clock(name, args.steps, args.every_steps or args.steps, evaluate, in_steps=True)
        else:
            clock = Clock(name, args.minutes, args.every, evaluate)
        clock.trained = prepared  # the data's preparation is part of the budget
        if prepared > 1:
            print(f"  {name}: data prepared in {prepared:.1f} s (counted as training time)", flush=True)
        callbacks.append(_ClockCallback(clock))
        per_epoch = data_lib.batches_per_epoch("mnist", preset.batch_size, data_dir=args.data_dir)
        model.fit(ds, epochs=10**6, steps_per_epoch=per_epoch, verbose=0, callbacks=callbacks)
        return clock.points
    finally:
        keras.mixed_precision.set_global_policy("float32")


def run_peer(args, evaluators, batch_size=256, latent_dim=100):
    """The TensorFlow DCGAN tutorial's loop on Sun & Yang's nets."""
    keras.utils.set_random_seed(args.seed)
    generator, discriminator = tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator()
    train_step = tutorial_step(generator, discriminator, latent_dim)

    def sample(n, seed):
        z = tf.random.stateless_normal([n, latent_dim], seed=[seed, 0])
        return data_lib.to_uint8(generator(z, training=False)).numpy()

    if args.steps:
        clock = Clock("peer", args.steps, args.every_steps or args.steps, fid_of(evaluators, sample), in_steps=True)
    else:
        clock = Clock("peer", args.minutes, args.every, fid_of(evaluators, sample))
    ds = data_lib.load("mnist", batch_size, data_dir=args.data_dir, seed=args.seed, start=0)
    clock.start()
    for images in ds:
        train_step(images)
        if not clock.tick():
            break
    return clock.points


def _rate_rampup(text):
    rate, _, rampup = text.partition(":")
    return float(rate), (float(rampup) or None) if rampup else None


def minutes_to(points, target):
    hit = [p["minutes"] for p in points if p["fid"] <= target]
    return f"{hit[0]:.1f}" if hit else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("TFDS_DATA_DIR"))
    parser.add_argument("--minutes", type=float, default=10.0, help="training budget of each contender")
    parser.add_argument("--every", type=float, default=1.0, help="minutes between FID points")
    parser.add_argument("--steps", type=int, default=None,
                        help="a budget of training steps instead of --minutes (to compare levers on a shared machine)")
    parser.add_argument("--every-steps", type=int, default=None, help="with --steps: steps between FID points")
    parser.add_argument("--eval-samples", type=int, default=2000)
    parser.add_argument("--final-samples", type=int, default=10000)
    parser.add_argument("--only", nargs="*", choices=CONTENDERS, default=list(CONTENDERS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=int, default=None, help="the fast preset's net width (a lever; 32)")
    parser.add_argument("--batch-size", type=int, default=None, help="the fast preset's batch (a lever; 32)")
    parser.add_argument("--lr", type=float, default=None, help="the fast preset's Adam rate, both nets (1.6e-3)")
    parser.add_argument("--d-lr", type=float, default=None, help="the fast preset's discriminator rate (--lr)")
    parser.add_argument("--g-width", type=int, default=None, help="the fast generator's width alone (a lever)")
    parser.add_argument("--d-width", type=int, default=None, help="the fast discriminator's width alone (a lever)")
    parser.add_argument("--lr-decay-steps", type=int, default=None,
                        help="decay both rates linearly to 0 over the last third of this many steps (a lever)")
    parser.add_argument("--simultaneous", action="store_true",
                        help="both updates from one generator forward (GAN(simultaneous=True), a lever)")
    parser.add_argument("--label-smoothing", type=float, default=None, help="one-sided, of the real target")
    parser.add_argument("--g-ema-rate", type=float, default=None,
                        help="the fast preset's generator average rate (a lever to measure; 0: none)")
    parser.add_argument("--g-ema-rampup", type=float, default=None,
                        help="the average's half-life bound as a fraction of the steps so far (with --g-ema-rate)")
    parser.add_argument("--r1-gamma", type=float, default=None,
                        help="the fast preset's R1 weight (GAN(r1_gamma=...), a lever; 0: none)")
    parser.add_argument("--r1-every", type=int, default=None, help="lazy R1: every k-th step, weighted k (a lever)")
    parser.add_argument("--lr-schedule", choices=("linear", "cosine"), default=None,
                        help="decay both rates to 0 over the last --lr-decay-fraction of --steps (a lever)")
    parser.add_argument("--lr-decay-fraction", type=float, default=1.0, help="with --lr-schedule (1: all of it)")
    parser.add_argument("--beta-2", type=float, default=None, help="the fast preset's Adam beta_2 (0.99)")
    parser.add_argument("--augment", default=None,
                        help="DiffAugment of D's inputs, e.g. translation,cutout (GAN(augment=...), a lever)")
    parser.add_argument("--extra-ema", nargs="*", default=[], type=_rate_rampup, metavar="RATE:RAMPUP",
                        help="more generator averages to score beside the preset's (RAMPUP 0: none)")
    parser.add_argument("--info-classes", type=int, default=0,
                        help="InfoGAN's categorical code of K classes, no labels (ACGAN(real_class_loss=False))")
    parser.add_argument("--info-weight", type=float, default=1.0, help="with --info-classes: class_weight")
    parser.add_argument("--clusters", type=int, default=0, help="selfcond-fast's clusters (a lever; 50)")
    parser.add_argument("--class-weight", type=float, default=None,
                        help="selfcond-fast's class_weight, of the cluster loss (a lever; 1)")
    parser.add_argument("--conditioning", choices=("auxiliary", "mask"), default=None,
                        help="selfcond-fast's discriminator: AC-GAN's classifier or Liu et al.'s class logits")
    parser.add_argument("--out", default="time_to_fid")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    evaluators = {"interim": _evaluator(args, args.eval_samples), "final": _evaluator(args, args.final_samples)}
    for evaluator in evaluators.values():
        evaluator.reference()  # before any clock runs
    print(f"bf16 in hardware: {tfgans.training.bf16_support()}; {os.cpu_count()} CPUs; budget "
          + (f"{args.steps} steps" if args.steps else f"{args.minutes} min") + " each")

    fast_kwargs = {} if args.g_ema_rate is None else {"g_ema_rate": args.g_ema_rate or None}
    if args.g_ema_rampup is not None:
        fast_kwargs["g_ema_rampup"] = args.g_ema_rampup or None
    changes = {}
    if args.label_smoothing is not None:
        fast_kwargs["label_smoothing"] = args.label_smoothing
    if args.simultaneous:
        fast_kwargs["simultaneous"] = True
    if args.r1_gamma is not None:
        fast_kwargs["r1_gamma"] = args.r1_gamma
    if args.r1_every is not None:
        fast_kwargs["r1_every"] = args.r1_every
    if args.width or args.g_width:
        changes["generator"] = lambda: tfgans.nets.fast.mnist_generator(width=args.g_width or args.width)
    if args.width or args.d_width:
        changes["discriminator"] = lambda: tfgans.nets.fast.mnist_discriminator(width=args.d_width or args.width)
    if args.batch_size:
        changes["batch_size"] = args.batch_size
    if args.lr:
        changes.update(g_lr=args.lr, d_lr=args.lr)
    if args.d_lr:
        changes.update(d_lr=args.d_lr)
    if args.beta_2 is not None:
        fast = tfgans.presets.get("dcgan-mnist-fast")
        changes["optimizer_kwargs"] = {**fast.optimizer_kwargs, "beta_2": args.beta_2}
    if args.augment:
        fast_kwargs["augment"] = args.augment
    if args.info_classes:
        k, gw, dw = args.info_classes, args.g_width or args.width or 32, args.d_width or args.width or 32
        changes.update(flavor="ACGAN",
                       generator=lambda: tfgans.nets.fast.generator(width=gw, num_classes=k),
                       discriminator=lambda: tfgans.nets.fast.discriminator(width=dw, num_classes=k))
        fast_kwargs.update(num_classes=k, real_class_loss=False, class_weight=args.info_weight)
    if args.lr_schedule:
        if not args.steps:
            parser.error("--lr-schedule decays over the --steps budget: pass --steps")
        from tfgans.schedules import DecayToZero

        fast = tfgans.presets.get("dcgan-mnist-fast")
        changes.update({net: DecayToZero(changes.get(net, getattr(fast, net)), args.steps,
                                         args.lr_decay_fraction, args.lr_schedule) for net in ("g_lr", "d_lr")})
    if args.lr_decay_steps:  # Salimans et al.'s schedule, with one step an "epoch"
        fast = tfgans.presets.get("dcgan-mnist-fast")
        changes.update({net: LinearDecayLastThird(changes.get(net, getattr(fast, net)), args.lr_decay_steps, 1)
                        for net in ("g_lr", "d_lr")})
    # The levers that keep the nets apply to selfcond-fast too; --clusters and --class-weight are its own.
    selfcond_changes = {k: v for k, v in changes.items() if k not in ("generator", "discriminator", "flavor")}
    selfcond_kwargs = {k: v for k, v in fast_kwargs.items() if k not in ("num_classes", "real_class_loss")}
    if args.class_weight is not None:
        selfcond_kwargs["class_weight"] = args.class_weight
    if args.conditioning:
        selfcond_kwargs["conditioning"] = args.conditioning
    if args.clusters:
        k = args.clusters
        selfcond_kwargs["num_classes"] = k
        selfcond_changes.update(generator=lambda: tfgans.nets.fast.generator(num_classes=k),
                                discriminator=lambda: tfgans.nets.fast.discriminator(num_classes=k),
                                data_kwargs={"cluster_labels": k})
    runs = {"fast": lambda: run_fit("fast", "dcgan-mnist-fast", "float32", args, evaluators, changes,
                                    **fast_kwargs),
            "selfcond-fast": lambda: run_fit("selfcond-fast", "selfcond-fast", "float32", args, evaluators,
                                             selfcond_changes, **selfcond_kwargs),
            "acgan-fast": lambda: run_fit("acgan-fast", "acgan-mnist-fast", "float32", args, evaluators),
            "sun": lambda: run_fit("sun", "dcgan-mnist-sun", "float32", args, evaluators),
            "sun-bf16": lambda: run_fit("sun-bf16", "dcgan-mnist-sun", "mixed_bfloat16", args, evaluators),
            "peer": lambda: run_peer(args, evaluators)}
    points = []
    for name in args.only:
        print(f"{name}:", flush=True)
        points += runs[name]()

    record = os.path.join(args.out, "time_to_fid.csv")
    earlier = _earlier_rows(record, args.only)
    with open(record, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(points[0]))
        writer.writeheader()
        writer.writerows(earlier + points)
    print(f"\n| contender | steps | final FID ({args.final_samples}) | "
          + " | ".join(f"min to FID {t:g}" for t in TARGETS) + " |")
    print("|---|---|---|" + "---|" * len(TARGETS))
    for name in args.only:
        mine = [p for p in points if p["contender"] == name]
        print(f"| {name} | {mine[-1]['steps']} | {mine[-1]['fid']:.1f} | "
              + " | ".join(minutes_to(mine, t) for t in TARGETS) + " |")
    _plot(earlier + points, args)


def _earlier_rows(record, replaced):
    """The rows of ``record`` (an earlier run's CSV) whose contenders this run does not measure again."""
    if not os.path.exists(record):
        return []
    with open(record, newline="") as f:
        rows = [{**row, "minutes": float(row["minutes"]), "steps": int(row["steps"]), "fid": float(row["fid"]),
                 "final": row["final"] == "True"} for row in csv.DictReader(f)]
    kept = [row for row in rows if row["contender"] not in replaced]
    if kept:
        print(f"kept the earlier rows of {sorted({row['contender'] for row in kept})} in {record}")
    return kept


def _plot(points, args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4))
    for name in dict.fromkeys(p["contender"] for p in points):
        mine = [p for p in points if p["contender"] == name]
        ax.plot([p["minutes"] for p in mine], [p["fid"] for p in mine], marker="o", label=name)
    for target in TARGETS:
        ax.axhline(target, color="grey", lw=0.5, ls=":")
    ax.set_yscale("log")
    ax.set_xlabel("training minutes (wall clock, evaluation excluded)")
    ax.set_ylabel(f"FID (MNIST classifier, {args.eval_samples} samples)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the curves, not on them
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "time_to_fid.png"), dpi=100)
    print(f"wrote {os.path.join(args.out, 'time_to_fid.png')}")


if __name__ == "__main__":
    main()
