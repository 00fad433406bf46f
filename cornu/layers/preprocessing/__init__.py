"""Preprocessing layers that are plain tensor math: Rescaling, Normalization."""
