"""Neural-network building blocks of the shift models."""

from .encoder import CategoricalEmbedding, GraphEncoder, GaussianHead

__all__ = ["CategoricalEmbedding", "GraphEncoder", "GaussianHead"]
