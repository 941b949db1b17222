"""XLA: on a GPU, Keras' default ``jit_compile="auto"`` compiles the train step with XLA, which this CPU-only
machine never does by default. That every flavor's step compiles with XLA and computes the update it computes
without XLA is tests/test_flavors.py's ``xla`` check (flavor_checks.run_flavor_test)."""

import pytest
import tensorflow as tf

import tfgans


def test_no_preset_compiles_with_xla_on_a_cpu():
    """XLA made a DCGAN step about 8x slower on the 2-core CPU: every preset's model, as ``tfgans train`` and
    ``tfgans reproduce`` build it, leaves Keras' "auto", which means no XLA without an accelerator."""
    if any(d.device_type != "CPU" for d in tf.config.list_physical_devices()):
        pytest.skip("an accelerator is present: 'auto' compiles with XLA there, as intended")
    for name in tfgans.presets.names():
        model = tfgans.presets.get(name).build(seed=0)
        assert model.jit_compile is False, name
