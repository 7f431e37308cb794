"""Every architecture, registered by importing its module."""

# Imported for their @register side effect, in the order the UI lists them.
# isort: off
from ae_core.architectures import dense  # noqa: F401
from ae_core.architectures import conv  # noqa: F401
from ae_core.architectures import sparse  # noqa: F401
from ae_core.architectures import denoising  # noqa: F401
from ae_core.architectures import contractive  # noqa: F401
from ae_core.architectures import vae  # noqa: F401
from ae_core.architectures import stacked  # noqa: F401

# isort: on
from ae_core.architectures.autoencoder import Autoencoder, LayerInfo, PretrainStage
from ae_core.architectures.registry import Architecture, all_architectures, get_architecture

__all__ = [
    "Architecture",
    "Autoencoder",
    "LayerInfo",
    "PretrainStage",
    "all_architectures",
    "get_architecture",
]
