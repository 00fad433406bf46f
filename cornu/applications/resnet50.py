"""ResNet50 (He et al., 2015) with Keras's layer names, so Keras's ImageNet weight files load.

`ResNet50(weights='imagenet')` downloads Keras's weights (`~/.keras/models`, MD5 checked);
`weights=None` gives a randomly initialized network; a path loads that file.
"""
from cornu import layers
from cornu.applications.imagenet_utils import decode_predictions  # noqa: F401
from cornu.applications.imagenet_utils import preprocess_input as _preprocess_input
from cornu.backend.config import image_data_format
from cornu.datasets.download import get_file

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
WEIGHTS_HASHES = {"resnet50": ("2cb95161c43110f7111970584f804107",
                               "4d473c1dd8becc155b73f8504c6f6626")}


def _block(x, filters, axis, stride=1, conv_shortcut=True, name=None):
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=axis, epsilon=1.001e-5, name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1.001e-5, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1.001e-5, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1.001e-5, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def _stack(x, filters, blocks, axis, stride1=2, name=None):
    x = _block(x, filters, axis, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = _block(x, filters, axis, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="resnet50"):
    from cornu.models import Model
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("With `weights='imagenet'` and `include_top=True`, `classes` must be "
                         f"1000; received classes={classes}.")
    channels_first = image_data_format() == "channels_first"
    if input_shape is None:
        input_shape = (3, 224, 224) if channels_first else (224, 224, 3)
        if not include_top:
            input_shape = (3, None, None) if channels_first else (None, None, 3)
    img_input = input_tensor if input_tensor is not None else layers.Input(shape=input_shape)
    axis = 1 if channels_first else 3
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1.001e-5, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = _stack(x, 64, 3, axis, stride1=1, name="conv2")
    x = _stack(x, 128, 4, axis, name="conv3")
    x = _stack(x, 256, 6, axis, name="conv4")
    x = _stack(x, 512, 3, axis, name="conv5")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Model(img_input, x, name=name)
    if weights == "imagenet":
        file_name = ("resnet50_weights_tf_dim_ordering_tf_kernels.h5" if include_top else
                     "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")
        file_hash = WEIGHTS_HASHES["resnet50"][0 if include_top else 1]
        path = get_file(file_name, BASE_WEIGHTS_PATH + file_name, cache_subdir="models",
                        file_hash=file_hash)
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
    return model


def preprocess_input(x, data_format=None):
    """ResNet50's preprocessing: 'caffe' mode (RGB → BGR, ImageNet means subtracted)."""
    return _preprocess_input(x, data_format=data_format, mode="caffe")
