"""Train and compare fully-connected networks, NumPy from scratch and Keras.

Load the extension in IPython or Jupyter::

    %load_ext fcnet_magic

then train one configuration, with a live progress bar and cost curve::

    %%fcnet_train -o run
    layers        = 100-20-5-1
    learning_rate = 0.1
    iterations    = 250
    engine        = both

or compare engines on identical work, over a sweep of settings::

    %fcnet_compare --layers 100-20-5-1 --lr 0.1 1 --repeat 3

``%%fcnet_train?`` and ``%fcnet_compare?`` list every option. Loading is
cheap: TensorFlow is imported the first time a Keras run is asked for.
"""

from __future__ import annotations

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:
    """Register the magics and make them configurable with ``%config``."""
    from .magics import FCNetMagics

    # A parent lets ``%config`` and profile settings reach the magics; IPython
    # lists registered magics among the shell's configurables itself.
    ipython.register_magics(FCNetMagics(shell=ipython, parent=ipython))


def unload_ipython_extension(ipython) -> None:
    """Remove everything :func:`load_ipython_extension` registered."""
    manager = ipython.magics_manager
    for kind in ("line", "cell"):
        table = manager.magics[kind]
        for name, function in list(table.items()):
            if _is_ours(getattr(function, "__self__", None)):
                del table[name]
    manager.registry.pop("FCNetMagics", None)
    ipython.configurables[:] = [
        item for item in ipython.configurables if not _is_ours(item)
    ]


def _is_ours(instance: object) -> bool:
    """Whether ``instance`` is our magics object, also from before a reload.

    ``%reload_ext`` re-imports the module, so the class is compared by name.
    """
    kind = type(instance)
    return kind.__module__ == "fcnet_magic.magics" and kind.__name__ == "FCNetMagics"
