"""Multi-worker training through TF_CONFIG, with real worker processes on loopback (127.0.0.1, free ports).

Two workers training the global batches of one process end with its weights; only the chief writes the run
folder; killed and restarted, both resume from the chief's checkpoint; a bad TF_CONFIG is a clear error, and a
cluster that never forms ends in one within the --peer-timeout, never a hang. ``-m "not multiworker"`` skips
these.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import tfgans
from tfgans import callbacks, cli, distribute, runs
from conftest import REPO_ROOT

pytestmark = [pytest.mark.multiworker, pytest.mark.slow]


def _args(preset, out, tfds_dir, epochs):
    return ["train", "--preset", preset, "--out", out, "--data-dir", tfds_dir, "--batch-size", "8",
            "--steps-per-epoch", "3", "--epochs", str(epochs), "--num-samples", "4", "--verbose", "0",
            "--checkpoint-steps", "1", "--peer-timeout", "90"]


def _start_workers(args, n=2, module="tfgans.cli"):
    workers = []
    for tf_config in distribute.loopback_tf_configs(n):
        env = {**os.environ, "TF_CONFIG": tf_config, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
        command = [sys.executable, *(["-m", module] if module else []), *args]
        workers.append(subprocess.Popen(command, env=env, cwd=REPO_ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    return workers


def _finish(workers, timeout=300):
    outputs = [w.communicate(timeout=timeout)[0] for w in workers]
    for w, output in zip(workers, outputs):
        assert w.returncode == 0, output[-3000:]
    return outputs


def _weights(out):
    """The run's weights, but the biases of layers that feed a batch norm and that norm's moving mean (which
    adds the bias up): the bias's gradient is zero up to rounding, which Adam turns into full-size steps of
    either sign, so they differ between any two summation orders."""
    model = tfgans.presets.get(runs.read_json(os.path.join(out, "run.json"))["preset"]).build(seed=0)
    callbacks.Checkpoint(os.path.join(out, "checkpoints")).restore(model)
    weights, skip = [], set()
    for net in (model.generator, model.discriminator):
        for layer, following in zip(net.layers, net.layers[1:] + [None]):
            if isinstance(following, keras.layers.BatchNormalization) and getattr(layer, "use_bias", False):
                skip |= {id(layer.bias), id(following.moving_mean)}
            weights += [w.numpy() for w in layer.weights if id(w) not in skip]
    return weights, int(model.g_optimizer.iterations.numpy())


def _assert_same_weights(out, reference):
    weights, steps = _weights(out)
    expected, expected_steps = _weights(reference)
    assert steps == expected_steps
    for a, b in zip(weights, expected):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_killed_workers_restarted_with_the_same_commands_resume_from_the_chiefs_checkpoint(tfds_dir, tmp_path):
    preset = "dcgan-mnist-chakkarwar"
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    keras.utils.set_random_seed(0)
    assert cli.main(_args(preset, one, tfds_dir, epochs=2)) == 0

    args = _args(preset, two, tfds_dir, epochs=2)
    workers = _start_workers(args)
    third = os.path.join(two, "checkpoints", "ckpt-3.index")
    deadline = time.time() + 240
    while not os.path.exists(third) and all(w.poll() is None for w in workers) and time.time() < deadline:
        time.sleep(0.05)
    workers[1].send_signal(signal.SIGKILL)  # a worker dies; the cluster manager then restarts the job
    workers[0].send_signal(signal.SIGKILL)
    for w in workers:
        w.communicate()
    assert [w.returncode for w in workers] == [-signal.SIGKILL] * 2, "the run ended before it could be killed"

    outputs = _finish(_start_workers(args))
    assert all("resumed from" in output for output in outputs)
    assert "2 replica(s) (CollectiveAllReduceStrategy)" in outputs[0] and "worker done" in outputs[1]
    _assert_same_weights(two, one)  # the weights of one process on one device, killed or not
    assert sorted(os.listdir(two)) == ["checkpoints", "epochs.csv", "final.png", "generator", "logs", "progress.json",
                                      "run.json", "samples", "steps.csv"]  # no worker folder left


# The Python API on every worker, as the README shows it, for the flavors whose step takes more than one batch.
_FLAVORS_SCRIPT = """
import os, sys
import keras, numpy as np
import tfgans
out, tfds_dir = sys.argv[1:3]
strategy = tfgans.distribute.strategy(timeout_seconds=90)  # TF_CONFIG's cluster, or one device without it
flavors = {
    "wgangp-mnist-gulrajani": {},  # n_critic=5 real batches a step, per-example interpolation weights
    "semisup-mnist-salimans": {},  # two unlabeled streams and a labeled one, split across workers
    # CFG-GAN's stage, shortened: T=2 D updates on 2 real batches, then 2 epochs of 2 approximation minibatches
    "cfggan-mnist-zhu": {"num_steps": 2, "num_targets": 16, "approx_epochs": 2, "approx_batch_size": 8},
}
for name, shorter in flavors.items():
    preset = tfgans.presets.get(name)
    preset = preset.replace(flavor_kwargs={**preset.flavor_kwargs, **shorter})
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = preset.build(seed=0)
        if name.startswith("cfggan"):
            # The reference's RMSprop (epsilon 1e-36) steps a full lr / sqrt(1 - rho) of either sign on a gradient
            # that is zero up to rounding (the biases before batch norm), differing between any two summation
            # orders; a usual epsilon keeps the comparison to what distribution changes.
            model.compile(g_optimizer=keras.optimizers.RMSprop(2.5e-4, rho=0.95, epsilon=1e-2),
                          d_optimizer=keras.optimizers.RMSprop(2.5e-4, rho=0.95, epsilon=1e-2))
    model.fit(preset.load_data(tfds_dir, batch_size=8, model=model, start=0), epochs=1, steps_per_epoch=2, verbose=0)
    if tfgans.distribute.is_chief(strategy):
        np.savez(os.path.join(out, name + ".npz"), *model.get_weights())
print("replicas", strategy.num_replicas_in_sync)
"""


def test_wasserstein_semi_supervised_and_cfggan_flavors_train_on_two_workers_what_one_process_trains(tfds_dir,
                                                                                                   tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("TF_CONFIG", None)
    workers = [subprocess.Popen([sys.executable, "-c", _FLAVORS_SCRIPT, str(one), tfds_dir], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)]
    workers += _start_workers(["-c", _FLAVORS_SCRIPT, str(two), tfds_dir], module=None)
    outputs = _finish(workers)
    # TensorFlow may log a coordination-service error after the last print when one worker exits before the
    # other notices (tensorflow/tensorflow#58434); the exit codes, checked above, are what count.
    assert [re.findall(r"^replicas (\d+)$", o, re.M) for o in outputs] == [["1"], ["2"], ["2"]]
    names = ["cfggan-mnist-zhu", "semisup-mnist-salimans", "wgangp-mnist-gulrajani"]
    assert sorted(os.listdir(two)) == [f"{name}.npz" for name in names]  # the chief's only
    for name in names:
        got, want = np.load(two / f"{name}.npz"), np.load(one / f"{name}.npz")
        assert len(got.files) == len(want.files)
        for key in want.files:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-4, atol=2e-5, err_msg=f"{name} {key}")


@pytest.mark.parametrize("tf_config, message", [
    ("{not json", "TF_CONFIG is not valid JSON"),
    ('{"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 2}}',
     "task index 2 is outside the cluster's 2 'worker' task(s)"),
    ('{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "chief", "index": 0}}',
     "task type 'chief' is not in the cluster"),
    ('{"task": {"type": "worker", "index": 0}}', "TF_CONFIG has no 'cluster'"),
])
def test_a_bad_tf_config_is_one_clear_error_before_anything_is_written(tf_config, message, tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("TF_CONFIG", tf_config)
    out = tmp_path / "run"
    assert cli.main(["train", "--preset", "dcgan-mnist-sun", "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_strategy_picks_by_tf_config_and_refuses_multiworker_without_one(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert distribute.read_tf_config() is None and distribute.is_chief()
    with pytest.raises(distribute.TFConfigError, match="needs TF_CONFIG"):
        distribute.strategy("multiworker")
    with pytest.raises(ValueError, match="Unknown strategy 'ring'"):
        distribute.strategy("ring")
    one_task = '{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "worker", "index": 0}}'
    monkeypatch.setenv("TF_CONFIG", one_task)
    assert distribute.strategy().num_replicas_in_sync == 1  # a cluster of one: no multi-worker strategy
    monkeypatch.setenv("TF_CONFIG", one_task.replace('"index": 0', '"index": 0').replace(
        '["127.0.0.1:1"]', '["127.0.0.1:1", "127.0.0.1:2"]').replace('"index": 0', '"index": 1'))
    assert not distribute.is_chief()
    assert distribute.worker_dir("runs/x").startswith(os.path.join("runs/x", ".worker-"))


def test_a_cluster_that_never_forms_ends_in_a_clear_error_within_the_peer_timeout(tfds_dir, tmp_path):
    tf_config = distribute.loopback_tf_configs(2)[0]  # worker 1 is never started
    absent = json.loads(tf_config)["cluster"]["worker"][1]
    env = {**os.environ, "TF_CONFIG": tf_config, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    out = str(tmp_path / "run")
    # Never a hang: a worker that ignored --peer-timeout would wait the default 120 s and hit this limit first.
    process = subprocess.run([sys.executable, "-m", "tfgans.cli", "train", "--preset", "dcgan-mnist-sun", "--out",
                              out, "--data-dir", tfds_dir, "--peer-timeout", "5"], env=env, cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=90)
    # Stopped by the startup watchdog (tfgans.distribute._Startup: its message, then SIGKILL), after the 5 s.
    assert process.returncode == -signal.SIGKILL, (process.returncode, process.stderr[-2000:])
    assert f"did not form within 5 s (nothing answers at {absent})" in process.stderr
    assert not os.path.exists(out)
