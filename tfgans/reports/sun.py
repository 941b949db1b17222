"""Sun & Yang, "Implementing GAN on MNIST and SVHN" (Columbia; seed 004): DCGAN against WGAN.

The report trains its DCGAN (sec. 2.1, 100 epochs) and a WGAN on the same nets with the same optimizers
(sec. 4, 50 epochs) and shows TensorBoard loss curves (Figs. 1, 3, 5, 7) and sample grids (Figs. 2, 4, 6, 8).
tfgans trains ``dcgan-mnist-sun`` and ``wgan-mnist-sun`` for the same budget each and scores them as they
train. SVHN (Figs. 3-4, 7-8), ``--dataset svhn_cropped``, needs the prepared dataset and, at the report's
epochs, a GPU.

    tfgans reproduce sun --out runs/sun --data-dir ../shared/tfds --budget-minutes 30
"""

from __future__ import annotations

from tfgans.reports import CANNOT_TELL, DOES_NOT_HOLD, HOLDS, Claim, Entry, Report, Verdict

__all__ = ["REPORT", "GOOD_FID"]

#: FID (tfgans' MNIST classifier, 10,000 samples) at or below which MNIST samples count as "good": the
#: level where grids show clean digits of every class (real train vs test: 0.5; 5-epoch DCGAN: 151).
GOOD_FID = 20.0


def _good_after_30(results) -> Verdict:
    rows = results["dcgan"].evaluations("fid")
    if not rows:
        return Verdict(CANNOT_TELL, "no FID was computed")
    good = [r for r in rows if r["fid"] <= GOOD_FID]
    last = rows[-1]
    if good and good[0]["epochs"] <= 35:
        return Verdict(HOLDS, f"FID {good[0]['fid']:.1f} at epoch {good[0]['epochs']:.1f}")
    if last["epochs"] >= 30:
        return Verdict(DOES_NOT_HOLD, f"FID {min(r['fid'] for r in rows if r['epochs'] <= 35):.1f} at best by "
                                      f"epoch 35 (threshold {GOOD_FID:g})")
    return Verdict(CANNOT_TELL, f"reached epoch {last['epochs']:.1f} of 30, FID {last['fid']:.1f} "
                                f"(threshold {GOOD_FID:g})")


def _wgan_g_loss_below_zero(results) -> Verdict:
    rows = [r for r in results["wgan"].epochs if "g_loss" in r]
    below = [r for r in rows if r["g_loss"] < 0]
    if not below:
        if rows and rows[-1]["epochs"] >= 10:
            return Verdict(DOES_NOT_HOLD, f"epoch-mean g_loss never below 0 in {rows[-1]['epochs']:.1f} epochs "
                                          f"(last {rows[-1]['g_loss']:.3f})")
        return Verdict(CANNOT_TELL, f"g_loss still {rows[-1]['g_loss']:.3f} at epoch {rows[-1]['epochs']:.1f} of 10"
                       if rows else "no epoch finished")
    first = below[0]
    after = rows[rows.index(first):]
    share = sum(r["g_loss"] < 0 for r in after) / len(after)
    if first["epochs"] > 10:
        return Verdict(DOES_NOT_HOLD, f"first below 0 at epoch {first['epochs']:.1f}")
    evidence = (f"below 0 from epoch {first['epochs']:.1f} ({first['g_loss']:.3f}); below 0 in {share:.0%} of the "
                f"{len(after)} epochs since, last {after[-1]['g_loss']:.3f}")
    if len(after) < 3:
        return Verdict(CANNOT_TELL, evidence + "; too few epochs since to judge 'remains low'")
    return Verdict(HOLDS if share >= 0.9 else DOES_NOT_HOLD, evidence)


def _no_difference(results) -> Verdict:
    dcgan, wgan = results["dcgan"].final("fid"), results["wgan"].final("fid")
    if dcgan is None or wgan is None:
        return Verdict(CANNOT_TELL, "no FID was computed")
    ratio = max(dcgan, wgan) / min(dcgan, wgan)
    better = "DCGAN" if dcgan < wgan else "WGAN"
    evidence = f"final FID: DCGAN {dcgan:.1f}, WGAN {wgan:.1f} ({better} better by x{ratio:.2f})"
    if min(dcgan, wgan) > 3 * GOOD_FID and ratio <= 1.5:
        return Verdict(CANNOT_TELL, evidence + "; neither is near good samples yet")
    return Verdict(HOLDS if ratio <= 1.5 else DOES_NOT_HOLD, evidence)


REPORT = Report(
    key="sun",
    title="Implementing GAN on MNIST and SVHN",
    authors="Shengjie Sun, Zeyu Yang (Columbia University)",
    source="seed 004",
    reproduces="DCGAN (sec. 2) and WGAN (sec. 4) on MNIST with the report's nets and hyperparameters: loss "
               "curves, sample grids over training, FID per few minutes, equal budget each",
    datasets=("mnist", "svhn_cropped"),
    entries=(
        Entry("dcgan", "dcgan-mnist-sun", "DCGAN", loss_figures="Fig. 1", grid_figures="Fig. 2",
              eval_epochs=(10, 30, 50)),
        Entry("wgan", "wgan-mnist-sun", "WGAN", loss_figures="Fig. 5", grid_figures="Fig. 6", eval_epochs=(10,)),
        Entry("dcgan-svhn", "dcgan-svhn-sun", "DCGAN", loss_figures="Fig. 3", grid_figures="Fig. 4"),
        Entry("wgan-svhn", "wgan-svhn-sun", "WGAN", loss_figures="Fig. 7", grid_figures="Fig. 8"),
    ),
    claims=(
        Claim("good-after-30-epochs", "DCGAN: good samples after about 30 epochs (sec. 2.2.2)", _good_after_30,
              f"holds when DCGAN's FID is at most {GOOD_FID:g} by epoch 35, does not hold when it is not by "
              "then; before epoch 30 without reaching it, cannot tell"),
        Claim("wgan-g-loss-below-0", "WGAN: the generator loss drops below 0 within 10 epochs and stays low "
              "(sec. 4.1)", _wgan_g_loss_below_zero,
              "the epoch mean of WGAN's g_loss (-mean D(G(z))) is below 0 by epoch 10 and in at least 90% of the "
              "epochs after it"),
        Claim("no-quality-difference", "No significant difference in sample quality between DCGAN and WGAN "
              "(sec. 4.1)", _no_difference,
              "the final FIDs at equal budget are within a factor 1.5 of each other (the report trained DCGAN "
              "100 and WGAN 50 epochs)"),
    ),
    budget_minutes=30.0,
    notes=("The report's WGAN keeps the DCGAN's Adam (G 1e-3, D 1e-4: 'the hyperparameters are the same') "
           "with Arjovsky et al.'s clipping at 0.01 and 5 critic steps per generator step; one WGAN epoch is a "
           "fifth as many generator steps as a DCGAN epoch.",
           "SVHN (secs. 3, 4.2): `--dataset svhn_cropped` trains the SVHN presets (the data prepared, or "
           "--download with internet); the report's claims are about MNIST, so their verdicts need the MNIST run. "
           "Without InceptionV3's ImageNet weights on the machine the SVHN run has no FID."),
)
