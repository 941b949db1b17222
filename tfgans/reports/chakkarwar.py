"""Chakkarwar, Arya & Jain, "Image Generation Using Generative Adversarial Networks" (seed 001): GAN vs DCGAN.

The report trains a vanilla (MLP) GAN and a DCGAN (Tables 2-3) on MNIST and concludes that "DCGAN turn out
to be a winner in long run". tfgans trains ``gan-mnist-chakkarwar`` (Goodfellow et al.'s MLPs and SGD: the
report gives no table for its GAN) and ``dcgan-mnist-chakkarwar`` for the same budget each: loss curves
(Figs. 4-5, 7-8), grids (Figs. 3, 6) and FID over time.

    tfgans reproduce chakkarwar --out runs/chakkarwar --data-dir ../shared/tfds --budget-minutes 30
"""

from __future__ import annotations

import numpy as np

from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS, Claim, Entry, Report, Verdict

__all__ = ["REPORT"]


def _dcgan_wins(results) -> Verdict:
    gan, dcgan = results["gan"].evaluations("fid"), results["dcgan"].evaluations("fid")
    if not gan or not dcgan:
        return Verdict(CANNOT_TELL, "no FID was computed")
    g, d = gan[-1]["fid"], dcgan[-1]["fid"]
    evidence = (f"final FID: DCGAN {d:.1f} (epoch {dcgan[-1]['epochs']:.1f}), GAN {g:.1f} "
                f"(epoch {gan[-1]['epochs']:.1f})")
    # "In the long run": the second half of each run's evaluations must agree with the final one.
    half = lambda rows: np.mean([r["fid"] for r in rows[len(rows) // 2:]])  # noqa: E731
    if (d < g) != (half(dcgan) < half(gan)):
        return Verdict(CANNOT_TELL, evidence + f"; over the second half of the runs the mean FIDs ({half(dcgan):.1f}"
                                               f" vs {half(gan):.1f}) rank them the other way")
    return Verdict(HOLDS if d < g else DOES_NOT_HOLD, evidence)


def _losses_settle(results) -> Verdict:
    parts, unsettled = [], []
    for key in ("gan", "dcgan"):
        rows = results[key].epochs
        if len(rows) < 6:
            return Verdict(CANNOT_TELL, f"{results[key].entry.label} finished {len(rows)} epochs, fewer than 6")
        tail = rows[-max(3, len(rows) // 3):]
        for name in ("d_loss", "g_loss"):
            values = np.array([r[name] for r in tail])
            spread = float(values.std() / abs(values.mean()))
            parts.append(f"{results[key].entry.label} {name} {values.mean():.3f} ± {spread:.0%}")
            if spread > 0.15:
                unsettled.append(f"{results[key].entry.label} {name}")
    evidence = "last third of the epoch means: " + "; ".join(parts)
    return Verdict(DOES_NOT_HOLD if unsettled else HOLDS, evidence)


REPORT = Report(
    key="chakkarwar",
    title="Image Generation Using Generative Adversarial Networks",
    authors="Amogh Chakkarwar, Mohit Arya, Shashank Jain (Northeastern University)",
    source="seed 001",
    reproduces="vanilla MLP GAN against the DCGAN of Tables 2-3 on MNIST: loss curves, grids over training, "
               "FID per few minutes, equal budget each",
    datasets=("mnist",),
    entries=(
        Entry("gan", "gan-mnist-chakkarwar", "GAN", loss_figures="Figs. 4-5", grid_figures="Fig. 3"),
        Entry("dcgan", "dcgan-mnist-chakkarwar", "DCGAN", loss_figures="Figs. 7-8", grid_figures="Fig. 6",
              eval_epochs=(54,)),
    ),
    claims=(
        Claim("dcgan-wins", "DCGAN turns out the winner in the long run (abstract; sec. VI)", _dcgan_wins,
              "DCGAN's final FID at equal budget is lower than the GAN's, and the mean FID over the second half "
              "of the evaluations ranks them the same way (otherwise cannot tell)"),
        Claim("losses-settle", "Both models' losses converge to steady values that bounce around "
              "(sec. V, Figs. 4-5, 7-8)", _losses_settle,
              "over the last third of the epochs (at least 6), each epoch-mean loss varies by at most 15% "
              "of its mean"),
    ),
    budget_minutes=30.0,
    notes=("The DCGAN follows the report's text, not Table 3, on batch norm of the output layers: a batch-"
           "normalised logit cannot separate a real from a fake batch (see tfgans.nets.chakkarwar).",
           "The report names no optimizer: the DCGAN uses Radford et al.'s Adam(2e-4, beta_1 0.5); the GAN "
           "Goodfellow et al.'s SGD with momentum 0.5, batch 100, z ~ U(-sqrt 3, sqrt 3) and the reference's "
           "uniform initial weights (irange), as goodfeli/adversarial's mnist.yaml."),
)
