"""One test of everything a GAN flavor must do, for every flavor: :func:`run_flavor_test`.

In the manner of keras-hub's ``run_backbone_test``: a flavor's test gives the class, its arguments (with tiny
nets) and one training element, and the helper runs every check a flavor must pass. A new flavor gets all of
them with one call, an entry in ``FLAVORS`` of ``tests/test_flavors.py`` (which calls this for each), or::

    from flavor_checks import run_flavor_test

    def test_my_flavor(two_replicas, tmp_path):  # two_replicas: tests/conftest.py
        run_flavor_test(
            tfgans.MyGAN,
            # The nets as zero-argument functions: each check builds its own (under a strategy, a dtype policy).
            {"generator": tiny_generator, "discriminator": tiny_discriminator, "latent_dim": 4, "seed": 1},
            data=images,  # one element of the training stream, what one train_step takes: here [4, 8, 8, 1]
            compile_kwargs={"d_optimizer": keras.optimizers.Adam(1e-2)},  # of the training check
            config_kwargs={"my_option": 3},  # options other than their defaults, for the config round trip
            falls=("d_loss",),  # logged losses that must fall over a few steps on the element
            strategy=two_replicas, tmp_path=tmp_path)

The checks (:data:`CHECKS`), each named in its failure message:

1. ``training``: ``steps`` steps on the element log every tracker, finite; the losses named in ``falls`` end
   lower than they start; both nets' weights move and stay finite.
2. ``config``: ``get_config()`` holds every constructor argument; ``from_config`` of it (and ``keras.saving``
   serialization, which needs the class registered) gives the same class and config, and the same
   ``generate(n, seed)`` once the weights are copied; ``config_kwargs`` survive the round trip too.
3. ``keras_file``: the trained model saved as ``.keras`` and read by ``keras.models.load_model`` (no compile
   warning) has its config, weights and optimizers' state and samples identically; one more step from it and
   from the original gives the same weights (random layers' seed states included).
4. ``export``: ``tfgans.export.save_generator``'s ``sample`` signature serves, in a process that never imports
   tfgans (:class:`PlainTensorFlow`), the images of ``tfgans.data.to_uint8(model.generate(n, seed))``.
5. ``xla``: a step compiled with ``jit_compile=True`` computes the update the graph step computes.
6. ``bfloat16``: a step under the ``mixed_bfloat16`` policy computes in bfloat16, logs finite losses and moves
   both nets' float32 weights.
7. ``replicas``: two replicas of ``tf.distribute.MirroredStrategy`` (``strategy``) take the step one device
   takes on the same global batch.

Checks 5 and 7 compare single steps from the same weights, weights and logs, with SGD (equal updates mean
equal gradients; :func:`default_step_optimizers`). Run together, the XLA step and the two-replica step are
compared with each other (to agree, both would have to be wrong alike), and a one-device graph step runs only
to name the culprit of a disagreement. The steps run under :func:`fixed_draws`: XLA implements the stateless
random ops with other bit streams than the TensorFlow kernels, so every ``tf.random.stateless_*`` draw
(latents, penalty weights, shuffles, seeds, Keras' random layers) is replaced by a counter-based hash that
computes the same numbers in both. Random layers must draw per example (``tfgans.layers.Dropout``, not
``keras.layers.Dropout``, whose replicas share masks).

Each check prints its time (``pytest -s`` shows them); the whole run of a tiny flavor takes 15-50 s on two
busy cores, most of it the XLA compilation and the two-replica tracing.

Requirements on the element: its global batch splits over the two replicas (an even batch, times the flavor's
``real_batches_per_step``).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
import tensorflow as tf
import keras

import tfgans
from tfgans.models import output_range

__all__ = ["CHECKS", "run_flavor_test", "fixed_draws", "PlainTensorFlow"]

CHECKS = ("training", "config", "keras_file", "export", "xla", "bfloat16", "replicas")
NETS = ("generator", "discriminator")


def run_flavor_test(cls, init_kwargs, data, *, compile_kwargs=None, config_kwargs=None, falls=("d_loss",),
                    steps=4, step_optimizers=None, rtol=1e-4, atol=2e-5, replica_logs=(), num_samples=4,
                    strategy=None, plain_tf=None, tmp_path=None, checks=CHECKS):
    """Runs :data:`CHECKS` on flavor ``cls`` (see the module docstring).

    Args:
        cls: the ``GANModel`` subclass.
        init_kwargs: ``cls``'s arguments; ``generator`` and ``discriminator`` are zero-argument functions
            returning fresh, built nets (tiny ones: every check builds a model).
        data: one element of the training stream, as numpy (images; ``(images, labels)``; a dict).
        compile_kwargs: ``compile`` arguments of the training, ``.keras`` and bfloat16 checks (optimizer
            instances are copied per model); the flavor's default optimizers when None.
        config_kwargs: options, other than their defaults, that a model built with them must keep through
            ``get_config``/``from_config`` (not trained).
        falls: names of logged losses that must be lower after ``steps`` steps on ``data`` than after the first.
        steps: steps of the training check.
        step_optimizers: ``{"g_optimizer": ..., "d_optimizer": ...}`` of the single steps the XLA and
            two-replica checks compare (copied per model); :func:`default_step_optimizers` when None.
        rtol, atol: how close those steps' weights and logs must be.
        replica_logs: logged values that are one replica's own (not a mean over the global batch), which the
            replicas check does not compare.
        num_samples: images drawn by the ``generate`` comparisons.
        strategy: a ``MirroredStrategy`` over two devices (``tests/conftest.py``'s ``two_replicas``).
        plain_tf: a :class:`PlainTensorFlow` to serve exports; one is started (and stopped) for this call if None.
        tmp_path: a directory for the ``.keras`` file and the export.
        checks: the checks to run, a subset of :data:`CHECKS`.
    """
    unknown = set(checks) - set(CHECKS)
    if unknown:
        raise ValueError(f"Unknown checks {sorted(unknown)}; the checks are {CHECKS}.")
    if ("keras_file" in checks or "export" in checks) and tmp_path is None:
        raise ValueError("The .keras and export checks write files: pass tmp_path.")
    if "replicas" in checks and strategy is None:
        raise ValueError("The replicas check needs strategy= (tests/conftest.py's two_replicas fixture).")
    flavor = _Flavor(cls, init_kwargs, data, compile_kwargs or {}, num_samples)
    trained = None
    for name in [check for check in checks if check not in ("xla", "replicas")]:
        with _named(cls, name):
            if name == "training":
                trained = check_training(flavor, steps, falls)
            elif name == "config":
                check_config(flavor, trained or flavor.build(compiled=True), config_kwargs or {})
            elif name == "keras_file":
                check_keras_file(flavor, trained or _trained_once(flavor), str(tmp_path))
            elif name == "export":
                with _plain_tf(plain_tf) as server:
                    check_export(flavor, trained or _trained_once(flavor), str(tmp_path), server)
            elif name == "bfloat16":
                check_bfloat16(flavor)
    steps_to_compare = [name for name in ("xla", "replicas") if name in checks]
    if steps_to_compare:
        with _named(cls, " and ".join(steps_to_compare)):
            check_single_steps(flavor, steps_to_compare, strategy, step_optimizers, rtol, atol, replica_logs)


# --- the flavor under test ------------------------------------------------------------------------------------

class _Flavor:
    def __init__(self, cls, init_kwargs, data, compile_kwargs, num_samples):
        for net in NETS:
            if not callable(init_kwargs.get(net)) or isinstance(init_kwargs[net], keras.Model):
                raise TypeError(f"init_kwargs[{net!r}] must be a zero-argument function returning a fresh net "
                                "(each check builds its own model).")
        self.cls, self.init_kwargs, self.compile_kwargs = cls, dict(init_kwargs), dict(compile_kwargs)
        self.data, self.num_samples = data, num_samples

    def build(self, compiled=False, **extra):
        kwargs = {**self.init_kwargs, **extra}
        for net in NETS:
            kwargs[net] = kwargs[net]()
        model = self.cls(**kwargs)
        if compiled:
            model.compile(**_copied(self.compile_kwargs))
        return model

    def dataset(self):
        """The element once: ``fit(epochs=k)`` takes k steps on it, each logged as its own epoch."""
        return tf.data.Dataset.from_tensors(self.data)

    def generate(self, model, seed=7):
        return model.generate(self.num_samples, seed=seed).numpy()


def _copied(compile_kwargs):
    """``compile_kwargs`` with a fresh copy of each optimizer (an optimizer belongs to one model)."""
    return {key: keras.optimizers.deserialize(keras.optimizers.serialize(value))
            if isinstance(value, keras.optimizers.Optimizer) else value for key, value in compile_kwargs.items()}


def _trained_once(flavor):
    model = flavor.build(compiled=True)
    model.fit(flavor.dataset(), epochs=1, verbose=0)
    return model


@contextlib.contextmanager
def _named(cls, check):
    """Names the flavor and check in a failure; prints the check's time (``pytest -s`` shows it)."""
    start = time.perf_counter()
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"{cls.__name__}, check {check!r}: {error}") from error
    print(f"{cls.__name__} {check}: {time.perf_counter() - start:.1f} s")


def _net_weights(model):
    return {net: [v.numpy().copy() for v in getattr(model, net).trainable_variables] for net in NETS}


def _largest_change(before, after):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(before, after))


def _same_weights(got, want, rtol, atol, what):
    assert len(got) == len(want), f"{what}: {len(got)} weights, expected {len(want)}"
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{what}: weight {i} of {len(want)}")


# --- 1. training -------------------------------------------------------------------------------------------------

def check_training(flavor, steps, falls):
    model = flavor.build(compiled=True)
    before = _net_weights(model)
    history = model.fit(flavor.dataset(), epochs=steps, verbose=0).history
    assert set(history) == set(model.trackers), f"logged {sorted(history)}, trackers {sorted(model.trackers)}"
    for name, values in history.items():
        assert len(values) == steps and np.all(np.isfinite(values)), f"{name}: {values}"
    for name in falls:
        assert history[name][-1] < history[name][0], f"{name} did not fall over {steps} steps: {history[name]}"
    after = _net_weights(model)
    for net in NETS:
        assert all(np.all(np.isfinite(w)) for w in after[net]), f"non-finite {net} weights after {steps} steps"
        assert _largest_change(before[net], after[net]) > 0, f"the {net} did not move in {steps} steps"
    return model


# --- 2. config ----------------------------------------------------------------------------------------------------

def _plain(config):
    """A config as JSON would store it (tuples as lists), for comparisons."""
    return json.loads(json.dumps(config, default=str))


def constructor_arguments(cls):
    """The named arguments of ``cls.__init__`` and of the bases it hands ``**kwargs`` on to."""
    names = set()
    for klass in cls.__mro__:
        if klass is keras.Model:
            break
        if "__init__" in vars(klass):
            parameters = inspect.signature(klass.__init__).parameters.values()
            names |= {p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)} - {"self"}
    return names


def check_config(flavor, model, config_kwargs):
    config = model.get_config()
    missing = constructor_arguments(flavor.cls) - set(config)
    assert not missing, f"get_config() leaves out the arguments {sorted(missing)}: from_config would reset them"
    clone = flavor.cls.from_config(config)
    assert type(clone) is flavor.cls, type(clone)
    assert _plain(clone.get_config()) == _plain(config)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(flavor.generate(clone), flavor.generate(model), err_msg="generate after from_config")
    # What .keras files and keras.saving.deserialize_keras_object go through: the class must be registered.
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))
    assert type(revived) is flavor.cls, f"keras.saving revives a {type(revived).__name__}"
    if config_kwargs:
        options = flavor.build(**config_kwargs).get_config()
        for key, value in config_kwargs.items():
            assert _plain(options.get(key)) == _plain(value), \
                f"get_config()[{key!r}] = {options.get(key)!r}, built with {value!r}"
        assert _plain(flavor.cls.from_config(options).get_config()) == _plain(options)


# --- 3. .keras file -------------------------------------------------------------------------------------------

def check_keras_file(flavor, model, directory):
    import warnings

    path = os.path.join(directory, f"{flavor.cls.__name__}.keras")
    model.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = keras.models.load_model(path)
    assert not [w for w in caught if "compile" in str(w.message)], [str(w.message) for w in caught]
    assert type(loaded) is flavor.cls and _plain(loaded.get_config()) == _plain(model.get_config())
    np.testing.assert_array_equal(flavor.generate(loaded), flavor.generate(model), err_msg="generate after load")
    for name in ("g_optimizer", "d_optimizer"):
        mine, theirs = getattr(model, name), getattr(loaded, name)
        assert type(theirs) is type(mine) and theirs.get_config() == mine.get_config(), name
        _same_weights([v.numpy() for v in theirs.variables], [v.numpy() for v in mine.variables], 0, 0, name)
    _same_weights(loaded.get_weights(), model.get_weights(), 0, 0, "loaded weights")
    model.fit(flavor.dataset(), epochs=1, verbose=0)
    loaded.fit(flavor.dataset(), epochs=1, verbose=0)
    _same_weights(loaded.get_weights(), model.get_weights(), 1e-6, 1e-7, "one more step after the reload")


# --- 4. export ----------------------------------------------------------------------------------------------------

def check_export(flavor, model, directory, server):
    path = tfgans.export.save_generator(model, os.path.join(directory, f"{flavor.cls.__name__}_export"))
    value_range = output_range(model.generator)
    expected = tfgans.data.to_uint8(model.generate(flavor.num_samples, seed=11), value_range).numpy()
    served = server.sample(path, flavor.num_samples, seed=11)
    assert served.dtype == np.uint8 and served.shape == expected.shape, (served.dtype, served.shape)
    np.testing.assert_array_equal(served, expected, err_msg="the export's sample signature")


@contextlib.contextmanager
def _plain_tf(server):
    if server is not None:
        yield server
        return
    with PlainTensorFlow() as own:
        yield own


class PlainTensorFlow:
    """A Python process with TensorFlow and without tfgans that samples exported generators on request.

    One per test module (its start, importing TensorFlow, is most of the cost); every answer checks that the
    process has still not imported tfgans.
    """

    SCRIPT = textwrap.dedent("""
        import json, sys
        import numpy as np
        import tensorflow as tf
        for line in sys.stdin:
            request = json.loads(line)
            try:
                signature = tf.saved_model.load(request["path"]).signatures["sample"]
                images = signature(n=tf.constant(request["n"]), seed=tf.constant(request["seed"], tf.int64))
                np.save(request["out"], images["images"].numpy())
                reply = {"tfgans_modules": sorted(m for m in sys.modules if m.split(".")[0] == "tfgans")}
            except Exception as error:
                reply = {"error": repr(error)}
            print(json.dumps(reply), flush=True)
    """)

    def __init__(self, timeout=120.0):
        self.timeout = timeout
        self.dir = tempfile.mkdtemp(prefix="plain_tf_")
        self.log = open(os.path.join(self.dir, "stderr.txt"), "w+")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        # Run from an empty folder, so that nothing of the repository is on its path.
        self.process = subprocess.Popen([sys.executable, "-c", self.SCRIPT], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, env=env, cwd=self.dir, text=True)
        self.count = 0

    def sample(self, path, n, seed):
        """``n`` images of the export at ``path``'s ``sample`` signature with ``seed``, as numpy."""
        self.count += 1
        out = os.path.join(self.dir, f"images_{self.count}.npy")
        self.process.stdin.write(json.dumps({"path": path, "n": n, "seed": seed, "out": out}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.log.seek(0)
            raise AssertionError(f"the plain TensorFlow process did not answer: {self.log.read()[-2000:]}")
        reply = json.loads(line)
        assert "error" not in reply, f"plain TensorFlow could not sample the export: {reply.get('error')}"
        assert reply["tfgans_modules"] == [], f"the serving process imported {reply['tfgans_modules']}"
        return np.load(out)

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- 6. bfloat16 --------------------------------------------------------------------------------------------------

def check_bfloat16(flavor):
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = flavor.build(compiled=True)
        for net in NETS:
            dtypes = {layer.compute_dtype for layer in getattr(model, net).layers if layer.weights}
            assert "bfloat16" in dtypes, f"the {net} computes in {dtypes}, not bfloat16"
        before = _net_weights(model)
        history = model.fit(flavor.dataset(), epochs=1, verbose=0).history
    finally:
        keras.mixed_precision.set_global_policy(policy)
    assert all(np.isfinite(values[0]) for values in history.values()), history
    assert all(w.dtype == "float32" for w in model.trainable_weights), "non-float32 weights"
    after = _net_weights(model)
    for net in NETS:  # bfloat16 gradients neither vanished nor overflowed
        assert all(np.all(np.isfinite(w)) for w in after[net]), f"non-finite {net} weights"
        assert _largest_change(before[net], after[net]) > 0, f"the {net} did not move"
    images = model.generate(2)
    assert images.dtype in (tf.float32, tf.bfloat16) and np.all(np.isfinite(tf.cast(images, tf.float32)))


# --- 5. and 7. single steps: XLA, two replicas ------------------------------------------------------------------

def default_step_optimizers():
    """The optimizers of the compared single steps: SGD, whose step is proportional to the gradient, so equal
    updates mean equal gradients (Adam's normalized step would hide a gradient off by a factor, e.g. summed
    instead of averaged over replicas). With momentum, so that the optimizers have slots, which must exist
    before the replicated step; the first step is still ``-lr * gradient``."""
    return {"g_optimizer": keras.optimizers.SGD(0.05, momentum=0.5),
            "d_optimizer": keras.optimizers.SGD(0.05, momentum=0.5)}


def _state(model):
    """The weights and the random layers' seed states (not weights: set_weights leaves them)."""
    return model.get_weights(), [s.numpy() for s in model.seed_states()]


def _set_state(model, state):
    weights, seeds = state
    model.set_weights(weights)
    for variable, value in zip(model.seed_states(), seeds):
        variable.assign(value)


def check_single_steps(flavor, which, strategy, step_optimizers, rtol, atol, replica_logs=()):
    """The XLA step and the two-replica step are the one-device graph step.

    With both checks the two steps are compared with each other: to agree, both would have to be wrong in the
    same way. The one-device graph step runs only to name the culprit of a disagreement (or when one check runs
    alone), which saves a compilation per flavor.
    """

    def run(kind, initial=None):
        with strategy.scope() if kind == "replicas" else contextlib.nullcontext():
            model = flavor.build()
            model.compile(**_copied(step_optimizers or default_step_optimizers()), jit_compile=kind == "xla")
            if initial is not None:
                _set_state(model, initial)
        if kind == "xla":
            assert model.jit_compile is True
        if kind == "replicas":
            assert model.distribute_strategy.num_replicas_in_sync == 2
        state = _state(model)
        history = model.fit(flavor.dataset(), epochs=1, verbose=0).history
        return model, history, state

    def compare(name, run, reference_name, reference):
        what = f"the {name} step against the {reference_name} step"
        _same_weights(run[0].get_weights(), reference[0].get_weights(), rtol, atol, what)
        assert set(run[1]) == set(reference[1]), (what, sorted(run[1]), sorted(reference[1]))
        skip = replica_logs if "replicas" in (name, reference_name) else ()
        for key in set(reference[1]) - set(skip):
            np.testing.assert_allclose(run[1][key], reference[1][key], rtol=rtol, atol=atol,
                                       err_msg=f"{what}: log {key}")

    first, *other = which
    with fixed_draws():
        runs = {first: run(first)}
        initial = runs[first][2]
        moved = _largest_change(initial[0], runs[first][0].get_weights())
        assert moved > 1e-4, f"one step moved no weight by more than {moved}: nothing to compare"
        for kind in other:
            runs[kind] = run(kind, initial)
        if not other:
            compare(first, runs[first], "one-device graph", run("graph", initial))
            return
        try:
            compare(other[0], runs[other[0]], first, runs[first])
        except AssertionError as disagreement:
            graph = run("graph", initial)
            for kind in which:  # the culprit's own mismatch
                compare(kind, runs[kind], "one-device graph", graph)
            raise disagreement


# --- fixed draws ------------------------------------------------------------------------------------------------

_M = 2147483647  # 2^31 - 1: every product below stays within int64


def _mix(x):
    for _ in range(3):
        x = tf.math.floormod(x * 48271 + 11, _M)
        x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, tf.constant(7, tf.int64)))
    return x


def _key(seed):
    seed = tf.math.floormod(tf.cast(tf.reshape(seed, [-1])[:2], tf.int64), _M)
    return _mix(tf.math.floormod(_mix(seed[0] + 12345) + 69069 * seed[1], _M))


def _hashes(seed, n, stream=0):
    """``n`` integers in [0, 2^31 - 1) of ``seed`` (a stateless seed [2]): integer ops, equal under XLA."""
    index = tf.range(tf.cast(n, tf.int64), dtype=tf.int64)
    return _mix(tf.math.floormod(_key(seed) + 40503 * index + 7919 * stream, _M))


def _shape(shape):
    return tf.cast(tf.reshape(tf.convert_to_tensor(shape), [-1]), tf.int64)


def _uniform01(seed, shape, stream=0):
    shape = _shape(shape)
    u = (tf.cast(_hashes(seed, tf.reduce_prod(shape), stream), tf.float32) + 0.5) / float(_M)
    return tf.reshape(u, shape)


def _stateless_uniform(shape, seed, minval=0, maxval=None, dtype=tf.float32, name=None, alg=None):
    dtype = tf.as_dtype(dtype)
    if dtype.is_integer:
        shape = _shape(shape)
        bits = _hashes(seed, tf.reduce_prod(shape))
        if minval is None and maxval is None:  # full range: 31 hashed bits and one more
            bits = bits + tf.bitwise.left_shift(tf.bitwise.bitwise_and(_hashes(seed, tf.reduce_prod(shape), 1), 1),
                                                tf.constant(31, tf.int64))
            return tf.reshape(tf.cast(bits, dtype), shape)
        low, high = tf.cast(minval, tf.int64), tf.cast(maxval, tf.int64)
        return tf.reshape(tf.cast(low + tf.math.floormod(bits, high - low), dtype), shape)
    maxval = 1.0 if maxval is None else maxval
    u = _uniform01(seed, shape)
    return tf.cast(tf.cast(minval, tf.float32) + u * tf.cast(tf.cast(maxval, tf.float32) - minval, tf.float32), dtype)


def _stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=tf.float32, name=None, alg=None):
    u1, u2 = _uniform01(seed, shape, 0), _uniform01(seed, shape, 1)
    z = tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos(2.0 * np.pi * u2)  # Box-Muller
    return tf.cast(tf.cast(mean, tf.float32) + tf.cast(stddev, tf.float32) * z, dtype)


def _stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=tf.float32, name=None, alg=None):
    z = tf.clip_by_value(_stateless_normal(shape, seed), -2.0, 2.0)
    return tf.cast(tf.cast(mean, tf.float32) + tf.cast(stddev, tf.float32) * z, dtype)


def _stateless_fold_in(seed, data, alg=None):
    return _hashes(tf.stack([_key(seed), tf.cast(data, tf.int64)]), 2, stream=3)


def _stateless_split(seed, num=2, alg=None):
    return tf.reshape(_hashes(seed, 2 * num, stream=5), [num, 2])


def _stateless_shuffle(value, seed, alg=None, name=None):
    n = tf.shape(value, out_type=tf.int64)[0]
    keys = _hashes(seed, n, stream=9) * n + tf.range(n)  # distinct keys: no ties for the sort to break
    return tf.gather(value, tf.argsort(keys))


_FIXED = {
    (tf.random, "stateless_uniform"): _stateless_uniform,
    (tf.random, "stateless_normal"): _stateless_normal,
    (tf.random, "stateless_truncated_normal"): _stateless_truncated_normal,
    (tf.random.experimental, "stateless_fold_in"): _stateless_fold_in,
    (tf.random.experimental, "stateless_split"): _stateless_split,
    (tf.random.experimental, "stateless_shuffle"): _stateless_shuffle,
}


@contextlib.contextmanager
def fixed_draws():
    """Replaces TensorFlow's stateless random ops (as ``tf.random.*`` names, which tfgans and Keras' TensorFlow
    backend call) by hashes of the seed that XLA and the TensorFlow kernels compute alike. Functions traced
    inside keep them."""
    saved = {(module, name): getattr(module, name) for module, name in _FIXED}
    try:
        for (module, name), replacement in _FIXED.items():
            setattr(module, name, replacement)
        yield
    finally:
        for (module, name), original in saved.items():
            setattr(module, name, original)
