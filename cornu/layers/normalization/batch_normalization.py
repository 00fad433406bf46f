"""BatchNormalization as Keras 3 computes it (momentum 0.99, epsilon 1e-3, biased batch variance)."""
import torch
import torch.distributed as dist
import torch.nn.functional as F

from cornu import constraints, initializers, regularizers
from cornu.backend import layout as layouts
from cornu.layers.layer import Layer, registry
from cornu.utils.validation import check_axis


class _AllReduce(torch.autograd.Function):
    """A sum over processes whose gradient is the sum of the processes' gradients (each
    rank's input feeds every rank's output)."""

    @staticmethod
    def forward(ctx, tensor):
        tensor = tensor.clone()
        dist.all_reduce(tensor)
        return tensor

    @staticmethod
    def backward(ctx, grad):
        grad = grad.clone()
        dist.all_reduce(grad)
        return grad


@registry.register()
class BatchNormalization(Layer):
    """Normalizes along `axis` with batch statistics while training and the moving statistics
    otherwise (also when the layer is frozen with `trainable = False`).

    Moving statistics are non-trainable weights, updated while training as
    `moving = moving * momentum + batch_stat * (1 - momentum)` with the biased batch variance.
    Weights, in Keras's order: gamma, beta, moving_mean, moving_variance.

    `synchronized=True`: when several processes train together (`cornu run --nproc N`), the
    batch statistics are those of the global batch (the shares of all ranks), all-reduced with
    gradients flowing back through the reduction, as torch's SyncBatchNorm does (which runs on
    GPUs only; this runs on gloo too). In one process it changes nothing.
    `renorm=True` (batch renormalization) raises NotImplementedError.
    """
    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        if renorm:
            raise NotImplementedError(f"BatchNormalization {self.name!r}: `renorm=True` (batch "
                                      "renormalization) is not implemented in cornu.")
        self.renorm, self.renorm_clipping = False, renorm_clipping
        self.renorm_momentum = float(renorm_momentum)

    def build(self, input_shape):
        rank = len(input_shape)
        axis = check_axis(self.axis, rank, f"BatchNormalization {self.name!r}")
        if isinstance(axis, list):
            raise ValueError(f"BatchNormalization {self.name!r}: `axis` must be one axis (the "
                             f"channels); received axis={self.axis!r}.")
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"BatchNormalization {self.name!r}: axis {self.axis} of input shape "
                             f"{tuple(input_shape)} must be known.")
        # Inside a model, rank >= 3 channels-last tensors arrive channels-first: channel dim 1.
        self.layout = layouts.CHANNELS_FIRST if axis == rank - 1 and rank >= 3 else layouts.KERAS
        self._channel_dim = 1 if (self.layout == layouts.CHANNELS_FIRST or axis == 1) else axis
        shape = (dim,)
        self.gamma = self._weight("gamma", shape) if self.scale else None
        self.beta = self._weight("beta", shape) if self.center else None
        self.moving_mean = self._weight("moving_mean", shape, trainable=False)
        self.moving_variance = self._weight("moving_variance", shape, trainable=False)

    def call(self, inputs, training=False):
        x = inputs if self._channel_dim == 1 else inputs.movedim(self._channel_dim, 1)
        if training and self.trainable and x.numel() == x.shape[1]:
            return self._single_value_step(x) if self._channel_dim == 1 else \
                self._single_value_step(x).movedim(1, self._channel_dim)
        if training and self.trainable and self.synchronized and dist.is_available() and \
                dist.is_initialized() and dist.get_world_size() > 1:
            out = self._synchronized_step(x)
        elif training and self.trainable:
            # F.batch_norm normalizes with the biased batch variance, as Keras does; with zero
            # buffers and momentum 1 it also hands back the batch mean and *unbiased* variance,
            # which we rescale to the biased one Keras averages into the moving variance.
            mean = torch.zeros_like(self.moving_mean)
            var = torch.zeros_like(self.moving_variance)
            out = F.batch_norm(x, mean, var, self.gamma, self.beta, True, 1.0, self.epsilon)
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                m = self.momentum
                self.moving_mean.mul_(m).add_(mean, alpha=1 - m)
                self.moving_variance.mul_(m).add_(var, alpha=(1 - m) * (n - 1) / max(n, 1))
        else:
            out = F.batch_norm(x, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                               False, 0.0, self.epsilon)
        return out if self._channel_dim == 1 else out.movedim(1, self._channel_dim)

    def _synchronized_step(self, x):
        """Normalizes with the statistics of every rank's batch: the count and sum, then the
        squared deviations from the global mean (two all-reduces, as exact as one process)."""
        dims = [0] + list(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        count = torch.tensor([x.numel() // x.shape[1]], dtype=x.dtype, device=x.device)
        totals = _AllReduce.apply(torch.cat([x.sum(dims), count]))
        n = totals[-1]
        mean = totals[:-1] / n
        centered = x - mean.reshape(shape)
        var = _AllReduce.apply(centered.square().sum(dims)) / n
        out = centered * torch.rsqrt(var + self.epsilon).reshape(shape)
        if self.gamma is not None:
            out = out * self.gamma.reshape(shape)
        if self.beta is not None:
            out = out + self.beta.reshape(shape)
        with torch.no_grad():
            m = self.momentum
            self.moving_mean.mul_(m).add_(mean.detach(), alpha=1 - m)
            self.moving_variance.mul_(m).add_(var.detach(), alpha=1 - m)
        return out

    def _single_value_step(self, x):
        """One value per channel (batch of one, no spatial axes): variance 0, as Keras computes."""
        shape = (1, -1) + (1,) * (x.ndim - 2)
        out = torch.zeros_like(x)
        if self.beta is not None:
            out = out + self.beta.reshape(shape)
        with torch.no_grad():
            m = self.momentum
            self.moving_mean.mul_(m).add_(x.reshape(-1), alpha=1 - m)
            self.moving_variance.mul_(m)
        return out + 0 * x  # keeps the graph connected to the input

    def compute_output_shape(self, input_shape):
        return input_shape
