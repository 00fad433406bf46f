"""Pretrained applications (`keras.applications`)."""
from cornu.applications import imagenet_utils, resnet50
from cornu.applications.resnet50 import ResNet50

resnet = resnet50  # Keras 3's module name

__all__ = ["ResNet50", "resnet50", "resnet", "imagenet_utils"]
