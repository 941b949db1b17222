"""Chakkarwar, Arya & Jain, "Image Generation Using Generative Adversarial Networks" (seed 001): GAN vs DCGAN.

The report trains a vanilla (MLP) GAN and a DCGAN (Tables 2-3) on MNIST and concludes that "DCGAN turn out
to be a winner in long run". tfgans trains ``gan-mnist-chakkarwar`` (Goodfellow et al.'s MLPs and SGD: the
report gives no table for its GAN) and ``dcgan-mnist-chakkarwar`` to the report's 60 epochs (Figs. 7-8:
"60 Epochs (28020 Batches)"; the GAN as long) and judges the claims of the abstract and secs. V-VI from their
records: losses (Figs. 4-5, 7-8), grids (Figs. 3, 6) and FID. Fig. 3's "epoch 29800" counts iterations (batch
100: epoch 49.7), so the GAN's grid is judged at epoch 50; Fig. 6 is the DCGAN's epoch 54.

    tfgans reproduce chakkarwar --out runs/chakkarwar --data-dir ../shared/tfds
"""

from __future__ import annotations

import math

import numpy as np

from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS, Claim, Entry, Report, Verdict
from tfgans.reports.judges import (FAIR_FID, DIFFERENT, NotRecorded, epoch_values, fid_falls, fid_level, fid_lower,
                                judge, ms_per_step, opposite_moves, timed_verdict)

__all__ = ["REPORT", "AUTHORS", "AFFILIATIONS"]

AUTHORS = ("Amogh Chakkarwar", "Mohit Arya", "Shashank Jain")
AFFILIATIONS = ("Northeastern University",)

_AT = {"gan": 60, "dcgan": 60}
_LENGTH = ("Figs. 7-8: 60 epochs (28,020 batches) for the DCGAN; the GAN's length is not printed (Fig. 3's "
           "'epoch 29800' is iteration 29,800, epoch 49.7): its preset trains the same 60")
#: Epoch-mean losses have "converged" when over the last third of the epochs they spread (std) by at most this
#: fraction of their mean: the report's "bounce around a bit" allows some movement, a drift of a sixth or more
#: over 20 epochs is a trend.
SETTLED = 0.15


@judge
def _dcgan_slower(results):
    gan, dcgan = ms_per_step(results["gan"], 60), ms_per_step(results["dcgan"], 60)
    return timed_verdict(results, ("dcgan", "gan"), dcgan > gan,
                         f"CPU ms per step over 60 epochs: DCGAN {dcgan:.0f} (batch 128), GAN {gan:.0f} (batch 100)")


@judge
def _losses_settle(results):
    parts, unsettled = [], []
    for key in ("gan", "dcgan"):
        label = results[key].entry.label
        for name in ("d_loss", "g_loss"):
            values = epoch_values(results[key], name, 60)
            if len(values) < 6:
                raise NotRecorded(f"{label} has {len(values)} epochs, fewer than 6")
            tail = values[-len(values) // 3:]
            spread = float(tail.std() / abs(tail.mean()))
            parts.append(f"{label} {name} {tail.mean():.3f} ± {spread:.0%}")
            if spread > SETTLED:
                unsettled.append(f"{label} {name}")
    evidence = "last third of the epoch means: " + "; ".join(parts)
    return Verdict(DOES_NOT_HOLD if unsettled else HOLDS, evidence)


_settled_gan, _settled_dcgan = fid_falls("gan", 40, 60, falls=False), fid_falls("dcgan", 40, 60, falls=False)


@judge
def _settled_no_improvement(results):
    verdicts = [_settled_gan(results), _settled_dcgan(results)]
    statuses = {v.status for v in verdicts}
    status = next(s for s in (DOES_NOT_HOLD, CANNOT_TELL, HOLDS) if s in statuses)
    return Verdict(status, "; ".join(v.evidence for v in verdicts))


def _ranks(values):
    return np.argsort(np.argsort(values)).astype(float)


@judge
def _d_loss_rises_as_fid_falls(results):
    rows = [r for r in results["dcgan"].until(60) if r.get("fid") is not None and "d_loss" in r]
    if len(rows) < 4:
        raise NotRecorded(f"DCGAN has {len(rows)} evaluated epochs, fewer than 4")
    fid, d_loss = _ranks([r["fid"] for r in rows]), _ranks([r["d_loss"] for r in rows])
    rho = float(np.corrcoef(fid, d_loss)[0, 1])
    bound = -2.0 / math.sqrt(len(rows) - 1)  # two standard errors of a rank correlation of unrelated series
    return Verdict(HOLDS if rho <= bound else DOES_NOT_HOLD,
                   f"rank correlation of DCGAN's FID and its epoch-mean d_loss over {len(rows)} evaluations: "
                   f"{rho:+.2f} (needs <= {bound:+.2f})")


REPORT = Report(
    key="chakkarwar",
    title="Image Generation Using Generative Adversarial Networks",
    authors=f"{', '.join(AUTHORS)} ({', '.join(AFFILIATIONS)})",
    source="seed 001",
    reproduces="vanilla MLP GAN against the DCGAN of Tables 2-3 on MNIST, each to the report's 60 epochs: loss "
               "curves, grids over training, FID at the epochs of its figures",
    datasets=("mnist",),
    entries=(
        Entry("gan", "gan-mnist-chakkarwar", "GAN", loss_figures="Figs. 4-5", grid_figures="Fig. 3",
              eval_epochs=(40, 50, 60)),
        Entry("dcgan", "dcgan-mnist-chakkarwar", "DCGAN", loss_figures="Figs. 7-8", grid_figures="Fig. 6",
              eval_epochs=(40, 54, 60)),
    ),
    claims=(
        Claim("both-good-to-an-extent", "'both the model can generate good images up to an extent'",
              fid_level(_AT, FAIR_FID), f"the GAN's and the DCGAN's FIDs at epoch 60 are both at most {FAIR_FID:g}",
              where="abstract", at=_AT, length=_LENGTH),
        Claim("dcgan-better-images", "'the images generated by the DCGAN have overall better quality than generated "
              "by GAN'; with its up- and downsampling 'the discriminator could critic generator in a better way and "
              "helps to generate images with better quality'", fid_lower(("dcgan", 54), ("gan", 50)),
              f"the DCGAN's FID at epoch 54 (Fig. 6) is below the GAN's at epoch 50 (Fig. 3) by the factor "
              f"{DIFFERENT:g}", where="secs. V-VI, Figs. 3 and 6", at={"gan": 50, "dcgan": 54},
              length="Fig. 6: DCGAN epoch 54; Fig. 3: GAN 'epoch 29800', iteration 29,800 of batch 100 = epoch 49.7, "
                     "judged at the end of epoch 50"),
        Claim("dcgan-wins", "'DCGAN turn out to be a winner in long run'", fid_lower(("dcgan", 60), ("gan", 60)),
              f"the DCGAN's FID at epoch 60 is below the GAN's at epoch 60 by the factor {DIFFERENT:g}",
              where="abstract; sec. VI", at=_AT, length=_LENGTH),
        Claim("dcgan-slower", "Up- and downsampling 'takes a lot of processing power, consequently taking more time "
              "to generate images'", _dcgan_slower,
              "the DCGAN's CPU time per generator step over its 60 epochs is above the GAN's",
              where="sec. V", at=_AT, length=_LENGTH),
        Claim("losses-settle", "'both discriminator and generator losses are converging to some permanent numbers'; "
              "'The losses sometimes bounce around a bit'", _losses_settle,
              f"over the last third of the 60 epochs, each model's epoch-mean d_loss and g_loss spread (std) by at "
              f"most {SETTLED:.0%} of their mean", where="sec. V, Figs. 4-5, 7-8", at=_AT, length=_LENGTH),
        Claim("settled-no-improvement", "'This loss convergence normally signifies that the GAN model found some "
              "optimum, where it can't improve more'", _settled_no_improvement,
              f"for each model, the FID at epoch 60 is not below its FID at epoch 40 (where the last third of the "
              f"epochs, over which the losses are judged settled, starts) by the factor {DIFFERENT:g}",
              where="sec. V", at=_AT, length=_LENGTH),
        Claim("d-loss-rises-as-dcgan-improves", "'when the generator gets better at generating better images the "
              "loss of discriminator increases'", _d_loss_rises_as_fid_falls,
              "over the DCGAN's evaluations to epoch 60, the rank correlation of its FID and its epoch-mean d_loss "
              "is at most -2/sqrt(n - 1)", where="sec. V, Figs. 6-7", at={"dcgan": 60}, length=_LENGTH),
        Claim("losses-move-oppositely", "'improvement on the one means the higher loss on the other until this "
              "other learn better on the received loss'", opposite_moves(_AT),
              "in each model, the epoch-to-epoch changes of the epoch-mean g_loss and d_loss over 60 epochs "
              "correlate at r <= -2/sqrt(n), n the number of changes", where="sec. V, Figs. 4-5, 7-8", at=_AT,
              length=_LENGTH),
    ),
    notes=("The DCGAN follows the report's text, not Table 3, on batch norm of the output layers: a batch-"
           "normalised logit cannot separate a real from a fake batch (see tfgans.nets.chakkarwar).",
           "The report names no optimizer: the DCGAN uses Radford et al.'s Adam(2e-4, beta_1 0.5); the GAN "
           "Goodfellow et al.'s SGD with momentum 0.5, batch 100, z ~ U(-sqrt 3, sqrt 3) and the reference's "
           "uniform initial weights (irange), as goodfeli/adversarial's mnist.yaml.",
           "Speed is CPU time per generator step; the DCGAN's step takes 128 images, the GAN's 100."),
)
