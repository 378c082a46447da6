"""Neural-network building blocks: graph encoder, output heads and target scaling (shift models);
room for the 1D convolutional and recurrent blocks of the spectra models."""

from .device import resolve_device
from .encoder import CategoricalEmbedding, GraphEncoder, mlp
from .heads import GaussianHead, TargetScaling

__all__ = ["CategoricalEmbedding", "GraphEncoder", "GaussianHead", "TargetScaling", "mlp", "resolve_device"]
