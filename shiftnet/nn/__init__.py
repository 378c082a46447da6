"""Neural-network building blocks of the shift models."""

from .encoder import CategoricalEmbedding, GaussianHead, GraphEncoder, mlp

__all__ = ["CategoricalEmbedding", "GraphEncoder", "GaussianHead", "mlp"]
