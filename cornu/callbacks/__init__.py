"""Callbacks: hooks into `fit`, `evaluate` and `predict`."""
from cornu.callbacks.backup_and_restore import BackupAndRestore
from cornu.callbacks.basic import (CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler,
                                   ReduceLROnPlateau, TerminateOnNaN)
from cornu.callbacks.callback import Callback, CallbackList
from cornu.callbacks.history import History
from cornu.callbacks.model_checkpoint import ModelCheckpoint
from cornu.callbacks.progbar_logger import ProgbarLogger
from cornu.callbacks.tensorboard import TensorBoard

BaseLogger = Callback  # Keras 1/2: folded into the trainer's own logs

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
           "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger", "LambdaCallback",
           "TerminateOnNaN", "BaseLogger", "ModelCheckpoint", "TensorBoard", "BackupAndRestore"]
