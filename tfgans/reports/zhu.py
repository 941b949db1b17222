"""Zhu, Gu & Liu, "Generating Images via Generative Mode" (seed 000): CFG-GAN against WGAN-GP on MNIST.

The report reproduces Johnson & Zhang's CFG-GAN ("GradientBoosting GAN", "GB-GAN") and claims that with
DCGAN-style nets it beats WGAN-GP on MNIST and CIFAR-10: a higher Inception score and non-collapsed images;
with ResNet nets it is unstable. tfgans trains ``cfggan-mnist-zhu`` and ``wgangp-mnist-zhu`` (the same nets:
the reference's dcganx without batch norm in D, Kaiming init) and scores them with FID and the MNIST
classifier's score, the report's "Inception Score" for MNIST, on the 28x28 centre of their 32x32 images.

The report states no training length ("The hyper-parameter is set as used in the code"): the reference code's
10,000 stages are 160 MNIST epochs (``../shared/specs/cfggan.md``), and WGAN-GP trains as many epochs. CIFAR-10,
ResNet nets and the training tips (ablations and learning-rate balances tfgans does not run) are listed with
what they need.

    tfgans reproduce zhu --out runs/zhu --data-dir ../shared/tfds
"""

from __future__ import annotations

from tfgans.reports import DOES_NOT_HOLD, HOLDS, Claim, Entry, Report, Verdict
from tfgans.reports.judges import (GOOD_FID, DIFFERENT, NotRecorded, fid_level, judge, stopped_by_nan, value_at)

__all__ = ["REPORT", "AUTHORS", "AFFILIATIONS"]

AUTHORS = ("Weizhi ZHU", "Hanlin Gu", "Song Liu")
AFFILIATIONS = ()  # the report prints none

#: --quick: a small stage (3 copies, 64 targets, 2 approximation epochs) so that a first look takes a minute.
_QUICK = {"num_steps": 3, "num_targets": 64, "approx_epochs": 2}

_AT = {"cfggan": 160, "wgangp": 160}
_LENGTH = ("none stated ('The hyper-parameter is set as used in the code'): the reference code's 10,000 stages, "
           "160 MNIST epochs; WGAN-GP as many epochs")
#: The report's log of a breakdown (Results): the score fell from 5.5 to 3.0 (x0.55) in 25 stages while D's loss
#: fell from 1.37 to 0.017. A breakdown here: a score below this fraction of the best before it, once that best
#: reached the level the report's run broke down from.
BREAKDOWN, BREAKDOWN_FROM = 0.6, 5.0


@judge
def _cfg_beats_wgangp(results):
    (cf, cs), (wf, ws) = ((value_at(results[k], 160), value_at(results[k], 160, "is")) for k in ("cfggan", "wgangp"))
    ok = cs > ws and cf * DIFFERENT <= wf
    return Verdict(HOLDS if ok else DOES_NOT_HOLD,
                   f"at epoch 160: CFG-GAN score {cs:.2f}, FID {cf:.1f}; WGAN-GP score {ws:.2f}, FID {wf:.1f}")


@judge
def _no_breakdown(results):
    result = results["cfggan"]
    if stopped_by_nan(result):
        return Verdict(DOES_NOT_HOLD, f"CFG-GAN stopped on a NaN loss at epoch {result.epochs_done:g}")
    rows = [r for r in result.until(160) if r.get("is") is not None]
    if not rows:
        raise NotRecorded("CFG-GAN has no score")
    falls, best = [], 0.0
    for row in rows:
        if best >= BREAKDOWN_FROM and row["is"] < BREAKDOWN * best:
            falls.append(f"score {row['is']:.2f} at epoch {row['epochs']:g} after {best:.2f}"
                         + (f" (d_loss {row['d_loss']:.3f})" if "d_loss" in row else ""))
        best = max(best, row["is"])
    return Verdict(DOES_NOT_HOLD if falls else HOLDS,
                   ("broke down: " + "; ".join(falls)) if falls else
                   f"no score below x{BREAKDOWN:g} its best before it in {len(rows)} evaluations (best {best:.2f})")


_CIFAR = ("CIFAR-10 prepared (tensorflow-datasets cifar10) and InceptionV3's ImageNet weights in the Keras cache "
          "for its scores; `tfgans reproduce zhu --dataset cifar10 --out runs/zhu-cifar10 --data-dir "
          "../shared/tfds` trains CFG-GAN and WGAN-GP on it and records their scores and grids, but no judge "
          "reads that record: read it by hand")
_RESNET = ("CFG-GAN with ResNet nets on CIFAR-10, which nothing in tfgans trains (tfgans.nets.johnson.resnet4_* "
           "are the reference's 64x64 LSUN nets and no preset uses them)")
_TIPS = "an ablation of the tip on CFG-GAN"

REPORT = Report(
    key="zhu",
    title="Generating Images via Generative Mode",
    authors=", ".join(AUTHORS),
    source="seed 000",
    reproduces="CFG-GAN (Johnson & Zhang 2018) against WGAN-GP on MNIST with the same DCGAN-style nets, each "
               "160 epochs (the reference code's 10,000 stages): FID and classifier score over training, sample "
               "grids side by side",
    datasets=("mnist", "cifar10"),
    entries=(
        Entry("cfggan", "cfggan-mnist-zhu", "CFG-GAN", loss_figures="the report's log", grid_figures="its grids",
              steps_per_epoch=5, quick_kwargs=_QUICK, eval_epochs=(160,)),
        Entry("wgangp", "wgangp-mnist-zhu", "WGAN-GP", loss_figures="the report's log", grid_figures="its grids",
              steps_per_epoch=100, eval_epochs=(160,)),
        Entry("cfggan-cifar10", "cfggan-cifar10-zhu", "CFG-GAN", steps_per_epoch=5, quick_kwargs=_QUICK),
        Entry("wgangp-cifar10", "wgangp-cifar10-zhu", "WGAN-GP", steps_per_epoch=100),
    ),
    claims=(
        Claim("cfg-beats-wgangp", "'DCGAN: using DeConvolution GAN structure ..., GradientBoosting GAN will "
              "outperform WGAN-GP and achieve higher inception score and (non-collapsed) images in both MNIST and "
              "CIFAR10' (MNIST)", _cfg_beats_wgangp,
              f"at epoch 160 CFG-GAN's classifier score is above WGAN-GP's and its FID below WGAN-GP's by the factor "
              f"{DIFFERENT:g}", where="Training Tips", at=_AT, length=_LENGTH),
        Claim("both-perform-well", "'For MNIST dataset, weak GANs will tend to collapse ... However, both WGAN-GP "
              "and GB-GAN performs well in our experiment.'", fid_level(_AT, GOOD_FID),
              f"CFG-GAN's and WGAN-GP's FIDs at epoch 160 are both at most {GOOD_FID:g} (no collapse: clean digits "
              "of every class)", where="Results and Discussion", at=_AT, length=_LENGTH),
        Claim("cfg-dcgan-no-breakdown", "With DCGAN nets CFG-GAN trains without the sudden breakdown seen with "
              "ResNet nets ('I haven't make it as successful as DCGAN'; 'the inception score will suddenly dropped "
              "and the whole network will soon break down')", _no_breakdown,
              f"CFG-GAN trains 160 epochs without a NaN loss, and once its score reached {BREAKDOWN_FROM:g} no later "
              f"score falls below x{BREAKDOWN:g} the best before it (the report's log: 5.5 -> 3.0)",
              where="Training Tips; Results and Discussion", at={"cfggan": 160}, length=_LENGTH),
        Claim("weak-gans-collapse", "'weak GANs will tend to collapse to 'bold' front and for some particular number, "
              "they will collapse to one (or few) mode(s)'", where="Results and Discussion", length=_LENGTH,
              needs="the 'weak GANs' the report means, which it does not name; nothing in tfgans can pick them"),
        Claim("cifar10-cfg-beats-wgangp", "CFG-GAN outperforms WGAN-GP on CIFAR-10 with DCGAN nets: higher "
              "Inception score, non-collapsed images", where="Training Tips", length=_LENGTH, needs=_CIFAR),
        Claim("cifar10-dcgan-not-clear", "'For CIFAR-10 dataset, DCGAN is not enough to produce clear images due to "
              "its limitation in complexity'", where="Results and Discussion", length=_LENGTH, needs=_CIFAR),
        Claim("cifar10-classes", "'With same structure GBGAN could generate visually better images, especially in "
              "horse class(8th line), ship class(9th line) and truck class (10th line)'",
              where="Results and Discussion", length=_LENGTH,
              needs="per-class CIFAR-10 samples, which the unconditional models do not draw, judged by eye; "
                    "nothing in tfgans scores them per class; " + _CIFAR),
        Claim("cifar10-wgangp-colour-collapse", "'images generated from WGAN-GP could not be identified easily and "
              "collapse in terms of color'", where="Results and Discussion", length=_LENGTH,
              needs="a colour analysis of the samples, which nothing in tfgans computes (the grids show it); "
                    + _CIFAR),
        Claim("resnet-unstable", "With ResNet nets GB-GAN is 'unstable in training process comparing with same "
              "structure network for WGAN-GP, which has stable and progressive growing in Inception Score'; 'the "
              "network breaks down suddenly, frequently'", where="Training Tips; Results and Discussion",
              length="not stated (the log shows a breakdown at stage 1,400)",
              needs=_RESNET + "; `tfgans train --preset wgangp-cifar10-resnet-gulrajani` trains only a WGAN-GP "
                    "ResNet (Gulrajani et al.'s, not the same nets)"),
        Claim("resnet-d-dominates", "'when this failure happens, the discriminator dominates suddenly' (log: D "
              "loss 1.3683 -> 0.0172, G loss 0.7343 -> 8.4761, Inception Score 5.5165 -> 3.0413)",
              where="Results and Discussion (log)", length="the log's stages 1,350-1,450", needs=_RESNET),
        Claim("no-bn-in-d", "'No batch normalization in discriminator'", where="Training Tips for My Experience",
              length=_LENGTH,
              needs=_TIPS + ": CFG-GAN with batch norm in D and otherwise the same; nothing in tfgans isolates it "
                    "(`tfgans train --preset cfggan-mnist-johnson` trains the reference nets, which also differ "
                    "in their initialisation, so it tests both tips at once)"),
        Claim("kaiming-init", "'Kaiming Initialization seems work better'", where="Training Tips for My Experience",
              length=_LENGTH,
              needs=_TIPS + ": CFG-GAN with the reference's initialisation and otherwise the same; nothing "
                    "in tfgans isolates it (`tfgans train --preset cfggan-mnist-johnson` also has batch norm in D)"),
        Claim("lr-decay-useful", "'Learning rate decay is useful: Decay learning rate of disc and η. Decay of "
              "learning rate for approximating in compressing.'", where="Training Tips for My Experience",
              length=_LENGTH,
              needs=_TIPS + ": runs with and without the decays; tfgans' CFG-GAN decays only the approximation's "
                    "learning rate (the reference's per-stage rule) and nothing in tfgans decays D's rate or eta"),
        Claim("balance-lr-eta", "'Balance discriminator learning rate and η is like to balance discriminator and "
              "Generator.'", where="Training Tips for My Experience", length=_LENGTH,
              needs="a sweep of D's learning rate against eta; nothing in tfgans runs it (`tfgans train` sets "
                    "--d-lr but not eta)"),
        Claim("comparable-to-paper", "'we reproduced the current state-of-art generative model introduced by (Rie "
              "Johnson and Tong Zhang, 2018) and achieved comparable performance'", where="Introduction & Objectives",
              length=_LENGTH,
              needs="Johnson & Zhang's published scores measured the same way; their classifier is not tfgans', "
                    "and nothing in tfgans compares with their figures"),
    ),
    notes=("CFG-GAN: one step is one stage (15 D updates on 64-image batches, then the approximation of 640 "
           "targets); its 'epochs' of 5 stages and WGAN-GP's of 100 generator steps only set how often the run "
           "is scored and checkpointed. The epochs column counts passes over the data; a claim at epoch 160 reads "
           "the chunk that completes the 160th pass.",
           "CIFAR-10 (`--dataset cifar10`) needs the prepared dataset and InceptionV3's ImageNet weights for "
           "scores."),
)
