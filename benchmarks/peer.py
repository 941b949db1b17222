"""The peer: the TensorFlow DCGAN tutorial's training step (https://www.tensorflow.org/tutorials/generative/dcgan),
written here from its public structure: one generator forward shared by both updates, two tapes, Adam 1e-4 for
both nets. ``time_to_fid.py`` trains it for a budget; ``throughput.py --bf16`` times it in both policies."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgans import losses


def tutorial_step(generator, discriminator, latent_dim=100):
    """A ``tf.function`` training both nets on a batch of real images; returns the discriminator's loss."""
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([tf.shape(images)[0], latent_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated, training=True)
            gen_loss = losses.modified_generator_loss(fake_output)
            disc_loss = losses.minimax_discriminator_loss(real_output, fake_output)
        g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, discriminator.trainable_variables),
                                  discriminator.trainable_variables))
        return disc_loss

    return train_step
