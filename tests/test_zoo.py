"""The pretrained zoo: shipping a run with its card, and every shipped card's FID against a fresh evaluation."""

import json
import os
import shutil

import numpy as np
import pytest

from tfgans import cli, runs, zoo
from tfgans.callbacks import Checkpoint
from tfgans.evaluation import Evaluator


def test_a_shipped_run_has_a_card_a_grid_a_ranking_row_and_is_found_by_name(tfds_dir, tmp_path, monkeypatch,
                                                                             capsys):
    run, shelf = str(tmp_path / "run"), tmp_path / "zoo"
    shelf.mkdir()
    assert cli.main(["train", "--preset", "dcgan-mnist-fast", "--out", run, "--data-dir", tfds_dir, "--epochs", "1",
                     "--steps-per-epoch", "2", "--batch-size", "8", "--num-samples", "4", "--verbose", "0"]) == 0
    progress = runs.read_json(os.path.join(run, "progress.json"))
    assert progress["machines"] == [runs.machine()] and progress["policies"] == ["float32"]
    runs.write_json(os.path.join(run, "progress.json"), {**progress, "machines": ["the machine it trained on"]})
    assert cli.main(["ship", run, "--train-minutes", "0.5", "--data-dir", tfds_dir, "--zoo", str(shelf),
                     "--num-samples", "1000"]) == 0
    assert "shipped dcgan-fast" in capsys.readouterr().out
    folder = shelf / "dcgan_fast"
    card = zoo.read_card(str(folder))
    assert (card["preset"], card["epochs"], card["steps"], card["batch_size"]) == ("dcgan-fast", 1, 2, 8)
    assert card["command"].endswith("--epochs 1 --batch-size 8") and card["train_minutes"] == 0.5
    assert {"fid", "kid", "is", "precision", "recall", "fid_check"} <= set(card) and card["fid"] > 100
    # Where and how it trained, from its record (not the machine that ships it).
    assert (card["policy"], card["machine"]) == ("float32", "the machine it trained on")
    assert "batch 8, float32)" in (folder / "README.md").read_text()
    assert (folder / "grid.png").exists() and "dcgan-fast" in (folder / "README.md").read_text()
    assert "| 1 | [`dcgan-fast`](dcgan_fast/README.md) | 1 of 25 (early checkpoint) |" in (shelf / "README.md").read_text()

    monkeypatch.setenv("TFGANS_ZOO", str(shelf))
    fresh = Evaluator("mnist", tfds_dir, num_samples=zoo.CHECK_SAMPLES, metrics=("fid",))
    # The preset's earlier name still finds it.
    assert fresh.evaluate_generator("dcgan-mnist-fast")["fid"] == pytest.approx(card["fid_check"], rel=1e-3)
    assert cli.main(["ship", run, "--train-minutes", "1", "--data-dir", tfds_dir, "--zoo", str(shelf)]) == 2
    assert "exists: pass replace=True" in capsys.readouterr().err
    assert zoo.read_card(str(folder))["train_minutes"] == 0.5  # not overwritten
    assert cli.main(["ship", str(tmp_path), "--train-minutes", "1", "--zoo", str(shelf)]) == 2
    assert "has no run.json" in capsys.readouterr().err


@pytest.mark.parametrize("preset", sorted(zoo.cards()))
def test_every_shipped_generator_scores_what_its_card_says(preset, tfds_dir):
    card = zoo.cards()[preset]
    fresh = Evaluator(card["dataset"], tfds_dir, num_samples=zoo.CHECK_SAMPLES, metrics=("fid",))
    fid = fresh.evaluate_generator(card["folder"], seed=card["seed"])["fid"]
    # The same export and seed give the same images; 1 % allows other CPUs' float rounding in the features.
    assert fid == pytest.approx(card["fid_check"], rel=0.01), (preset, fid, card["fid_check"])
    assert os.path.exists(os.path.join(card["folder"], "grid.png"))
    assert np.isfinite(card["fid"]) and card["epochs"] > 0


def test_a_run_stopped_within_an_epoch_ships_its_newest_checkpoint_with_the_fraction_in_float16(tfds_dir,
                                                                                                tmp_path):
    run, shelf = tmp_path / "run", tmp_path / "zoo"
    shelf.mkdir()
    assert cli.main(["train", "--preset", "dcgan-mnist-fast", "--out", str(run), "--data-dir", tfds_dir,
                     "--epochs", "1", "--steps-per-epoch", "4", "--checkpoint-steps", "2", "--batch-size", "8",
                     "--num-samples", "4", "--verbose", "0"]) == 0
    # As if the run had been stopped after 2 of its 4 batches: no export, the newest checkpoint mid-epoch.
    newest = Checkpoint(str(run / "checkpoints")).candidates()[0][1]
    for name in os.listdir(run / "checkpoints"):
        if name.startswith(os.path.basename(newest) + "."):
            os.remove(run / "checkpoints" / name)
    shutil.rmtree(run / "generator")
    assert cli.main(["ship", str(run), "--train-minutes", "0.1", "--data-dir", tfds_dir, "--zoo", str(shelf),
                     "--num-samples", "500", "--weights-dtype", "float16"]) == 0
    card = zoo.read_card(str(shelf / "dcgan_fast"))
    assert (card["epochs"], card["steps"], card["num_samples"]) == (0.5, 2, 500)
    # The float32 weights' FID of the same samples beside the float16 export's: what the halving costs.
    assert card["weights_dtype"] == "float16" and card["fid"] == pytest.approx(card["fid_float32"], rel=0.01)
    assert "Weights stored as float16" in (shelf / "dcgan_fast" / "README.md").read_text()
    assert card["command"].endswith("--epochs 1 --batch-size 8")
    assert card["note"].startswith("Training stopped after 0.5 epochs, within epoch 1 of the command")


def test_a_run_its_budget_stopped_ships_with_the_budget_in_its_command_not_a_session_end(tfds_dir, tmp_path):
    run, shelf = tmp_path / "run", tmp_path / "zoo"
    shelf.mkdir()
    assert cli.main(["train", "--preset", "dcgan-fast", "--out", str(run), "--data-dir", tfds_dir, "--epochs", "1",
                     "--steps-per-epoch", "2", "--batch-size", "8", "--num-samples", "4", "--verbose", "0"]) == 0
    # As if `--epochs 3 --budget-minutes 0.5` had stopped it after its first epoch.
    settings = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**settings, "epochs": 3, "budget_minutes": 0.5}))
    progress = json.loads((run / "progress.json").read_text())
    (run / "progress.json").write_text(json.dumps({**progress, "stopped_by": "budget"}))
    assert cli.main(["ship", str(run), "--train-minutes", "0.5", "--data-dir", tfds_dir, "--zoo", str(shelf),
                     "--num-samples", "500"]) == 0
    card = zoo.read_card(str(shelf / "dcgan_fast"))
    assert card["command"].endswith("--epochs 3 --budget-minutes 0.5 --batch-size 8")
    text = (shelf / "dcgan_fast" / "README.md").read_text()
    assert "session ended" not in text and "not what the full run makes" in text and "the report" not in text


def test_a_reproduce_models_card_command_names_its_model_clock_precision_and_a_stop_short_of_its_length():
    chakkarwar = {"report": "chakkarwar", "clock": "cpu", "budget_minutes": None}
    dcgan = {"preset": "dcgan-mnist-chakkarwar", "epochs": 60, "mixed_precision": True}
    done = {"done": True, "stopped_by": "epochs"}
    assert zoo.reproduce_command(chakkarwar, "runs/chakkarwar/dcgan/", dcgan, done, 60.0) == (
        "tfgans reproduce chakkarwar --models dcgan --clock cpu --mixed-precision --data-dir ../shared/tfds "
        "--out runs/x")
    lstm = {"preset": "lstm-mnist-kapoor", "epochs": 500}
    kapoor = {"report": "kapoor"}
    assert "--models lstm --max-epochs 13 --data-dir" in zoo.reproduce_command(kapoor, "x/lstm", lstm, done, 13.0)
    # Stopped by a session's end (not done), or by its budget: no --max-epochs.
    for progress in ({"done": False}, {"done": True, "stopped_by": "budget"}):
        assert "--max-epochs" not in zoo.reproduce_command(kapoor, "x/lstm", lstm, progress, 13.0)
    # daw's model folders are not its model keys.
    semisup = {"preset": "semisup-mnist-salimans", "epochs": 300}
    assert "--models seed1 " in zoo.reproduce_command({"report": "daw"}, "daw/mnist_100labels_seed1", semisup,
                                                      {"done": False}, 99.0)
