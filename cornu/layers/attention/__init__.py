"""Attention layers: EinsumDense, MultiHeadAttention, Attention, AdditiveAttention."""
from cornu.layers.attention.attention import AdditiveAttention, Attention
from cornu.layers.attention.einsum_dense import EinsumDense
from cornu.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["EinsumDense", "MultiHeadAttention", "Attention", "AdditiveAttention"]
