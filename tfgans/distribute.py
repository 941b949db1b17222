"""The ``tf.distribute`` strategy for this machine and cluster, and where each worker writes.

    strategy = tfgans.distribute.strategy()      # before building anything
    with strategy.scope():
        gan = tfgans.presets.get("dcgan-mnist-sun").build()
    gan.fit(...)

``auto`` picks ``MultiWorkerMirroredStrategy`` when ``TF_CONFIG`` names a cluster of more than one task (the way
Kubernetes' TFJob and other cluster managers configure TensorFlow), ``MirroredStrategy`` on a machine with
several GPUs, and the default (one device) otherwise. Under several workers, the chief (worker 0, or the task
of type ``chief``) alone writes checkpoints, grids, logs and the export into the run folder; the others write
into a temporary folder beside it that :func:`worker_dir` names and :func:`cleanup` removes, the convention of
Keras' multi-worker tutorial (https://www.tensorflow.org/tutorials/distribute/multi_worker_with_keras).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from typing import Optional

__all__ = ["STRATEGIES", "TFConfigError", "read_tf_config", "strategy", "is_chief", "worker_dir", "cleanup",
           "loopback_tf_configs", "replica_slice",
           "global_batch_mean"]

STRATEGIES = ("auto", "default", "mirrored", "multiworker")


class TFConfigError(ValueError):
    """TF_CONFIG is not a cluster TensorFlow can run."""


def read_tf_config(text: Optional[str] = None) -> Optional[dict]:
    """``TF_CONFIG`` (or ``text``) checked: its cluster, task type and index; None when it is unset or empty.

    Raises:
        TFConfigError: malformed JSON, no ``cluster``, a task type the cluster does not have, or an index
            outside it; the message says what a valid one looks like.
    """
    text = os.environ.get("TF_CONFIG", "") if text is None else text
    if not text.strip():
        return None
    example = ('e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
               '"task": {"type": "worker", "index": 0}}')
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise TFConfigError(f"TF_CONFIG is not valid JSON ({error}); {example}.") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not cluster:
        raise TFConfigError(f"TF_CONFIG has no 'cluster' of task types and addresses; {example}.")
    for kind, addresses in cluster.items():
        if not isinstance(addresses, list) or not all(isinstance(a, str) and ":" in a for a in addresses):
            raise TFConfigError(f"TF_CONFIG cluster {kind!r} must be a list of 'host:port' addresses, got "
                                f"{addresses!r}.")
    task = config.get("task") or {}
    kind, index = task.get("type"), task.get("index")
    if kind not in cluster:
        raise TFConfigError(f"TF_CONFIG task type {kind!r} is not in the cluster ({', '.join(cluster)}); {example}.")
    if not isinstance(index, int) or not 0 <= index < len(cluster[kind]):
        raise TFConfigError(f"TF_CONFIG task index {index!r} is outside the cluster's {len(cluster[kind])} "
                            f"{kind!r} task(s) (0 to {len(cluster[kind]) - 1}).")
    return config


def _num_tasks(config: Optional[dict]) -> int:
    return sum(len(v) for k, v in config["cluster"].items() if k in ("chief", "worker")) if config else 1


def strategy(kind: str = "auto", timeout_seconds: float = 120.0):
    """The strategy for this machine and ``TF_CONFIG``; call it before building models (TensorFlow requires
    ``MultiWorkerMirroredStrategy`` to exist before other ops run).

    Args:
        kind: ``auto``, ``default`` (one device), ``mirrored`` (all local GPUs, or the CPU) or ``multiworker``
            (``TF_CONFIG``'s cluster).
        timeout_seconds: how long a collective op waits for the other workers before failing (a peer that
            never comes up ends in an error, not a hang).

    Raises:
        TFConfigError: a bad ``TF_CONFIG``, or ``multiworker`` without one.
        ValueError: an unknown ``kind``.
    """
    import tensorflow as tf

    if kind not in STRATEGIES:
        raise ValueError(f"Unknown strategy {kind!r}; use one of {', '.join(STRATEGIES)}.")
    config = read_tf_config()
    if kind == "multiworker" and config is None:
        raise TFConfigError("--strategy multiworker needs TF_CONFIG naming the cluster and this task; e.g. "
                            'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                            '"task": {"type": "worker", "index": 0}}\'.')
    if kind == "multiworker" or (kind == "auto" and _num_tasks(config) > 1):
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout_seconds)
        # TensorFlow waits for every task to connect, without a time limit, while it creates the strategy.
        joined = _Startup(config, timeout_seconds)
        created = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        joined.set()
        return created
    gpus = tf.config.list_logical_devices("GPU")
    if kind == "mirrored" or (kind == "auto" and len(gpus) > 1):
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


_WATCHDOG = """
import os, select, signal, socket, sys
parent, seconds, peers = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
if select.select([sys.stdin], [], [], seconds)[0]:
    sys.exit(0)  # the parent closed the pipe: the cluster formed
def answers(address):
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1.0).close()
        return True
    except OSError:
        return False
missing = [a for a in peers if not answers(a)]
detail = ("nothing answers at " + ", ".join(missing)) if missing else "every address answers, but not every task joined"
print("tfgans: error: the cluster of TF_CONFIG did not form within %g s (%s). Run the same command on every worker "
      "of TF_CONFIG's cluster, each with its own task index, and check the addresses and ports (--peer-timeout sets "
      "the wait). Stopping this worker." % (seconds, detail), file=sys.stderr, flush=True)
os.kill(parent, signal.SIGKILL)
"""


class _Startup:
    """Ends this process with a clear error if the cluster has not formed within ``timeout_seconds``.

    ``MultiWorkerMirroredStrategy()`` blocks in C++ until every task of ``TF_CONFIG`` has connected, with no
    time limit, holding the GIL (no Python thread runs) and deaf to SIGINT/SIGTERM; a small watchdog process is
    what can still report and stop it (SIGKILL). Closing its stdin tells it the cluster formed.
    """

    def __init__(self, config: dict, timeout_seconds: float):
        import subprocess

        task = config["task"]
        me = config["cluster"][task["type"]][task["index"]]
        peers = [a for kind in config["cluster"].values() for a in kind if a != me]
        self._process = subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(timeout_seconds),
                                          *peers], stdin=subprocess.PIPE)

    def set(self):
        self._process.stdin.close()
        self._process.wait()


def is_chief(strategy=None) -> bool:
    """Whether this task writes the run's files: the ``chief`` task, or worker 0 of a cluster without one."""
    extended = getattr(strategy, "extended", None)
    if extended is not None and hasattr(extended, "should_checkpoint"):
        return bool(extended.should_checkpoint)
    config = read_tf_config()
    if config is None:
        return True
    task = config["task"]
    has_chief = "chief" in config["cluster"]
    return task["type"] == "chief" or (not has_chief and task["type"] == "worker" and task["index"] == 0)


def worker_dir(out: str, strategy=None) -> str:
    """Where this task writes: ``out`` for the chief, a temporary ``out/.worker-<type>-<index>`` for the others."""
    if is_chief(strategy):
        return out
    task = read_tf_config()["task"]
    return os.path.join(out, f".worker-{task['type']}-{task['index']}")


def cleanup(out: str, written: str):
    """Removes a non-chief task's temporary folder (``written`` != ``out``)."""
    if os.path.normpath(written) != os.path.normpath(out) and os.path.isdir(written):
        shutil.rmtree(written, ignore_errors=True)


def loopback_tf_configs(num_workers: int) -> list:
    """``TF_CONFIG`` values (JSON) for a cluster of ``num_workers`` on 127.0.0.1 at free ports, one per worker:
    multi-worker training tried on one machine (the tests and ``benchmarks/multiworker.py`` use it)."""
    import socket

    sockets = [socket.socket() for _ in range(num_workers)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    cluster = {"worker": [f"127.0.0.1:{s.getsockname()[1]}" for s in sockets]}
    for s in sockets:
        s.close()
    return [json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}) for i in range(num_workers)]


def replica_slice(draw, batch_size):
    """This replica's ``batch_size`` rows of ``draw(batch_size * replicas)``, one draw for the global batch.

    Replica ``r`` takes rows ``r * batch_size ...``, the examples tf.distribute hands it from a global batch, so
    two replicas draw for their examples what one device draws for the same global batch (and a run on two
    workers matches one on one device). Outside a replicated step, ``draw(batch_size)``.
    """
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas == 1:
        return draw(batch_size)
    start = tf.cast(context.replica_id_in_sync_group, tf.int32) * tf.cast(batch_size, tf.int32)
    return draw(batch_size * replicas)[start:start + batch_size]


def global_batch_mean(x, axis=0):
    """The mean of ``x`` over ``axis``, the batch: inside a replicated step, over the global batch (each replica's
    mean all-reduced; all replicas hold equal batch sizes). Differentiable: a loss that is non-linear in a batch
    mean (feature matching) then has the gradient it has on one device."""
    import tensorflow as tf

    mean = tf.reduce_mean(x, axis=axis)
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return mean
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, mean)
