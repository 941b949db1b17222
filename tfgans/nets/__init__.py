"""Architectures as layer tables, one module per source, named by first author.

Reports: ``sun`` (Sun & Yang), ``chakkarwar`` (Chakkarwar, Arya & Jain), ``kapoor`` (Kapoor & Orozco),
``zhu`` (Zhu, Gu & Liu). Original papers' reference nets: ``goodfellow`` (Goodfellow et al. 2014),
``salimans`` (Salimans et al. 2016), ``gulrajani`` (Gulrajani et al. 2017, WGAN-GP), ``johnson`` (Johnson &
Zhang 2018, CFG-GAN). tfgans' own: ``fast`` (preset ``dcgan-mnist-fast``). Each function returns a ``keras.Sequential`` whose
rows mirror the source's table; its docstring names the table and every deviation. Nets know nothing of
losses.
"""

from tfgans.nets import chakkarwar, fast, goodfellow, gulrajani, johnson, kapoor, salimans, sun, zhu

__all__ = ["chakkarwar", "fast", "goodfellow", "gulrajani", "johnson", "kapoor", "salimans", "sun", "zhu"]
