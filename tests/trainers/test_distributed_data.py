"""The sharding rules of trainers/distributed_data.py, checked in one process with a stand-in
session: the ranks' shares of each batch put together are the batch one process would use."""
import numpy as np
import pytest
import torch
import torch.utils.data as tud

from cornu.trainers import data_adapters as adapters
from cornu.trainers.distributed_data import shard


class FakeSession:
    def __init__(self, rank, world):
        self.rank, self.world = rank, world
        self.batch_scale, self.batch_empty = 1.0, False

    def shared_permutation(self, n, device):
        return torch.randperm(n, generator=torch.Generator().manual_seed(3))


def _adapter(n, batch_size, shuffle=False, steps=None):
    x = torch.arange(n, dtype=torch.float32).reshape(n, 1)
    return adapters.ArrayAdapter(x, x.clone(), None, batch_size, shuffle=shuffle,
                                 steps_per_epoch=steps)


def _shares(n, batch_size, world, training=True, shuffle=False, steps=None):
    per_rank = []
    for rank in range(world):
        session = FakeSession(rank, world)
        sharded = shard(_adapter(n, batch_size, shuffle, steps), session, training)
        rows = []
        for xb, yb, _ in sharded.batches():
            rows.append((xb[:, 0].long().tolist(), session.batch_scale, session.batch_empty))
        per_rank.append(rows)
    return per_rank


def test_shares_make_up_the_global_batches():
    n, bs, world = 203, 64, 2
    one = [xb[:, 0].long().tolist() for xb, _, _ in _adapter(n, bs).batches()]
    shares = _shares(n, bs, world)
    for step, batch in enumerate(one):
        parts = [shares[r][step][0] for r in range(world)]
        assert sum(parts, []) == batch
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
        for r in range(world):  # the loss scale weights a share by its count
            assert shares[r][step][1] == len(parts[r]) * world / len(batch)


def test_shuffled_shares_follow_rank_zeros_permutation():
    order = torch.randperm(100, generator=torch.Generator().manual_seed(3)).tolist()
    shares = _shares(100, 32, 3, shuffle=True)
    together = [sum((shares[r][s][0] for r in range(3)), []) for s in range(4)]
    assert sum(together, []) == order


def test_last_batch_smaller_than_the_ranks():
    shares = _shares(65, 64, 2)  # the last batch has one sample for two ranks
    assert shares[0][1] == ([64], 2.0, False)
    assert shares[1][1][1:] == (0.0, True)  # a stand-in with no weight
    evaluation = _shares(65, 64, 2, training=False)
    assert len(evaluation[1]) == 1  # evaluation skips it


def test_global_batch_smaller_than_ranks_is_an_error():
    with pytest.raises(ValueError, match="batch_size=2 is the global batch, split across 4"):
        shard(_adapter(10, 2), FakeSession(0, 4), True)


def test_dataloader_gets_a_distributed_sampler():
    data = tud.TensorDataset(torch.arange(10.0).reshape(10, 1), torch.zeros(10))
    loader = tud.DataLoader(data, batch_size=2)
    seen = []
    for rank in range(2):
        adapter = adapters.IteratorAdapter(loader, None, lambda x, y, sw, cw: (x, y, sw))
        sharded = shard(adapter, FakeSession(rank, 2), True)
        assert sharded.steps_per_epoch == 3
        seen.append(sorted(int(v) for xb, _, _ in sharded.batches() for v in xb[:, 0]))
    assert sorted(seen[0] + seen[1]) == list(range(10))  # as DistributedSampler deals them


def test_sequence_batches_dealt_round_robin():
    class Batches:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full((2, 1), i, "float32"), np.zeros(2)

    dealt = []
    for rank in range(2):
        adapter = adapters.PyDatasetAdapter(Batches(), None,
                                            prepare=lambda x, y, sw, cw: (x, y, sw))
        sharded = shard(adapter, FakeSession(rank, 2), True)
        dealt.append([int(xb[0, 0]) for xb, _, _ in sharded.batches()])
    assert dealt == [[0, 2, 4], [1, 3, 0]]  # equal step counts: the last round wraps


def test_generators_are_not_split_and_say_so():
    def batches():
        while True:
            yield np.zeros((2, 1), "float32"), np.zeros(2)

    adapter = adapters.IteratorAdapter(batches(), 3, lambda x, y, sw, cw: (x, y, sw))
    with pytest.warns(UserWarning, match="cannot be split across processes"):
        assert shard(adapter, FakeSession(1, 2), True) is adapter
