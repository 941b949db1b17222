"""Kapoor & Orozco, "Experiments with GANs" (Oxford; seed 002): four GAN architectures on MNIST.

The report compares a linear (MLP) GAN, a DCGAN without and one with pooling and an LSTM GAN under one set of
fixed parameters (Table 1), by their losses over steps (Figs. 2-5), training time (sec. 4.3.1) and final
samples (Fig. 6). Its runs had no common budget ("a lack of computational power and a strict deadline");
tfgans gives each the same one.

    tfgans reproduce kapoor --out runs/kapoor --data-dir ../shared/tfds --budget-minutes 10
    tfgans compare --study kapoor --budget-minutes 10 --out runs/kapoor --data-dir ../shared/tfds  # the same
"""

from __future__ import annotations

from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS, Claim, Entry, Report, Verdict

__all__ = ["REPORT", "RANKING", "add_parser"]

#: Fig. 6 / sec. 5, best first: "linear models performed the best ... DCGANs ... were the next best class of
#: model ... DCGANs with pooling performed slightly better than LSTM models".
RANKING = ("linear", "dcgan", "dcgan-pool", "lstm")


def _ms_per_step(result) -> float:
    steps = result.epochs[-1]["step"] if result.epochs else 0
    return 60000 * result.train_minutes / max(steps - 1, 1)


def _linear_fastest(results) -> Verdict:
    times = {key: _ms_per_step(r) for key, r in results.items()}
    fastest = min(times, key=times.get)
    evidence = "ms per step: " + ", ".join(f"{results[k].entry.label} {v:.0f}" for k, v in times.items())
    return Verdict(HOLDS if fastest == "linear" else DOES_NOT_HOLD, evidence)


def _ranking(results) -> Verdict:
    fids = {key: r.final("fid") for key, r in results.items()}
    if any(v is None for v in fids.values()):
        return Verdict(CANNOT_TELL, "no FID was computed")
    order = tuple(sorted(fids, key=fids.get))
    evidence = "final FID: " + ", ".join(f"{results[k].entry.label} {fids[k]:.1f}" for k in order)
    if order == RANKING:
        return Verdict(HOLDS, evidence)
    top = "linear best" + (" (as the report)" if order[0] == "linear" else f", but {order[0]} is")
    return Verdict(DOES_NOT_HOLD, f"{evidence}; {top}")


def add_parser(subparsers):
    """``tfgans compare``: the name this experiment had before ``tfgans reproduce``; the same run."""
    p = subparsers.add_parser(
        "compare", help="Kapoor & Orozco's four architectures for the same budget (= tfgans reproduce kapoor)",
        description="Trains the report's architectures for the same budget each and writes loss plots, "
                    "samples side by side, FID over time and report.md. Same as `tfgans reproduce kapoor`.")
    p.add_argument("--study", default="kapoor", choices=("kapoor",), help="which report's study (kapoor)")
    p.add_argument("--budget-minutes", type=float, help="training minutes per model")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--data-dir", help="tensorflow-datasets directory (default: $TFDS_DATA_DIR)")
    p.add_argument("--models", help="comma-separated subset: linear,dcgan,lstm,dcgan-pool")
    p.add_argument("--seed", type=int, default=0, help="seed of weights, latents and shuffling")
    p.add_argument("--quick", action="store_true", help="a small run for first looks")
    p.set_defaults(func=_compare)
    return p


def _compare(args) -> int:
    from tfgans.experiment import reproduce

    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    reproduce(REPORT, args.out, data_dir=args.data_dir, budget_minutes=args.budget_minutes, quick=args.quick,
              seed=args.seed, models=models)
    return 0


REPORT = Report(
    key="kapoor",
    title="Experiments with GANs",
    authors="Amol Kapoor, Carlos Orozco (Oxford University)",
    source="seed 002",
    reproduces="the four architectures of Table 2 (linear, DCGAN without and with pooling, LSTM) under Table 1's "
               "fixed parameters on MNIST, equal budget each: losses (Figs. 2-5), samples (Fig. 6), time per step",
    datasets=("mnist",),
    entries=(
        Entry("linear", "linear-mnist-kapoor", "Linear", loss_figures="Fig. 2", grid_figures="Fig. 6"),
        Entry("dcgan", "dcgan-mnist-kapoor", "DCGAN", loss_figures="Fig. 3", grid_figures="Fig. 6"),
        Entry("lstm", "lstm-mnist-kapoor", "LSTM", loss_figures="Fig. 4", grid_figures="Fig. 6"),
        Entry("dcgan-pool", "dcgan-pool-mnist-kapoor", "DCGAN + pooling", loss_figures="Fig. 5",
              grid_figures="Fig. 6"),
    ),
    claims=(
        Claim("linear-fastest", "The linear model trains the fastest (sec. 4.3.1, sec. 5)", _linear_fastest,
              "the linear model has the lowest time per step at equal budget"),
        Claim("ranking", "Linear performs best, DCGAN next, DCGAN with pooling slightly better than LSTM "
              "(sec. 5, Fig. 6)", _ranking, "the final FIDs at equal budget rank the four as the report does"),
    ),
    budget_minutes=10.0,
    add_parser=add_parser,
    notes=("Sizes the report does not print are tfgans' guesses, documented in tfgans.nets.kapoor.",),
)
