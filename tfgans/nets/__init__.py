"""Architectures as layer tables, one module per source, named by first author.

Reports: ``sun`` (Sun & Yang), ``chakkarwar`` (Chakkarwar, Arya & Jain). Original papers' reference nets:
``goodfellow`` (Goodfellow et al. 2014). Each function returns a ``keras.Sequential`` whose rows mirror the
source's table; its docstring names the table and every deviation. Nets know nothing of losses.
"""

from tfgans.nets import chakkarwar, goodfellow, sun

__all__ = ["chakkarwar", "goodfellow", "sun"]
