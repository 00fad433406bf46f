"""Recurrent layers: RNN and its cells, SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed."""
from cornu.layers.recurrent.bidirectional import Bidirectional
from cornu.layers.recurrent.gru import GRU, GRUCell
from cornu.layers.recurrent.lstm import LSTM, LSTMCell
from cornu.layers.recurrent.rnn import RNN, StackedRNNCells
from cornu.layers.recurrent.simple_rnn import SimpleRNN, SimpleRNNCell
from cornu.layers.recurrent.time_distributed import TimeDistributed

__all__ = ["RNN", "StackedRNNCells", "SimpleRNN", "SimpleRNNCell", "LSTM", "LSTMCell", "GRU",
           "GRUCell", "Bidirectional", "TimeDistributed"]
