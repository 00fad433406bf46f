"""Keras's string hashes, in NumPy: FarmHash's Fingerprint64 and keyed SipHash-2-4.

Keras's `Hashing` layer (and the out-of-vocabulary buckets of its lookups) buckets strings by
TensorFlow's `to_hash_bucket_fast` (FarmHash Fingerprint64, the `farmhashna` variant, modulo
the bucket count) or, with a salt, `to_hash_bucket_strong` (SipHash-2-4 keyed by two 64-bit
words). Both are written here from the published algorithms, vectorised over a batch: strings
are laid out as rows of a zero-padded byte matrix and grouped by the length class that picks
the code path, so each path runs once per class on all its rows with 64-bit wrapping
arithmetic.
"""
import numpy as np

_U64 = np.uint64
_K0, _K1, _K2 = _U64(0xc3a5c85c97cb3127), _U64(0xb492b66fbe98f273), _U64(0x9ae16a3b2f90404f)
_SEED = _U64(81)


def _rot(v, shift):
    """64-bit rotate right."""
    return (v >> _U64(shift)) | (v << _U64(64 - shift))


def _rotl(v, shift):
    return (v << _U64(shift)) | (v >> _U64(64 - shift))


def _shift_mix(v):
    return v ^ (v >> _U64(47))


def _fetch(buf, offsets, width=8):
    """Little-endian words of `width` bytes at per-row byte `offsets` of `buf` (rows, W)."""
    cols = offsets.astype(np.int64)[:, None] + np.arange(width)
    raw = np.ascontiguousarray(np.take_along_axis(buf, cols, axis=1))
    return raw.view("<u8" if width == 8 else "<u4").ravel().astype(_U64)


def _len16(u, v, mul):
    a = (u ^ v) * mul
    a ^= a >> _U64(47)
    b = (v ^ a) * mul
    b ^= b >> _U64(47)
    return b * mul


def _len0to16(buf, n):
    out = np.full(n.shape, _K2, dtype=_U64)
    mul = _K2 + n * _U64(2)
    zero = np.zeros_like(n)
    big = n >= 8
    if big.any():
        b, m, ln = buf[big], mul[big], n[big]
        a = _fetch(b, zero[big]) + _K2
        bb = _fetch(b, ln - _U64(8))
        c = _rot(bb, 37) * m + a
        d = (_rot(a, 25) + bb) * m
        out[big] = _len16(c, d, m)
    mid = (n >= 4) & (n < 8)
    if mid.any():
        b, m, ln = buf[mid], mul[mid], n[mid]
        a = _fetch(b, zero[mid], 4)
        out[mid] = _len16(ln + (a << _U64(3)), _fetch(b, ln - _U64(4), 4), m)
    small = (n > 0) & (n < 4)
    if small.any():
        b, ln = buf[small], n[small].astype(np.int64)
        rows = np.arange(len(ln))
        a = b[:, 0].astype(_U64)
        bb = b[rows, ln >> 1].astype(_U64)
        c = b[rows, ln - 1].astype(_U64)
        y = a + (bb << _U64(8))
        z = n[small] + (c << _U64(2))
        out[small] = _shift_mix(y * _K2 ^ z * _K0) * _K2
    return out


def _len17to32(buf, n):
    mul = _K2 + n * _U64(2)
    zero = np.zeros_like(n)
    a = _fetch(buf, zero) * _K1
    b = _fetch(buf, zero + _U64(8))
    c = _fetch(buf, n - _U64(8)) * mul
    d = _fetch(buf, n - _U64(16)) * _K2
    return _len16(_rot(a + b, 43) + _rot(c, 30) + d, a + _rot(b + _K2, 18) + c, mul)


def _len33to64(buf, n):
    mul = _K2 + n * _U64(2)
    zero = np.zeros_like(n)
    a = _fetch(buf, zero) * _K2
    b = _fetch(buf, zero + _U64(8))
    c = _fetch(buf, n - _U64(8)) * mul
    d = _fetch(buf, n - _U64(16)) * _K2
    y = _rot(a + b, 43) + _rot(c, 30) + d
    z = _len16(y, a + _rot(b + _K2, 18) + c, mul)
    e = _fetch(buf, zero + _U64(16)) * mul
    f = _fetch(buf, zero + _U64(24))
    g = (y + _fetch(buf, n - _U64(32))) * mul
    h = (z + _fetch(buf, n - _U64(24))) * mul
    return _len16(_rot(e + f, 43) + _rot(g, 30) + h, e + _rot(f + a, 18) + g, mul)


def _weak32(buf, off, a, b):
    w, x = _fetch(buf, off), _fetch(buf, off + _U64(8))
    y, z = _fetch(buf, off + _U64(16)), _fetch(buf, off + _U64(24))
    a = a + w
    b = _rot(b + a + z, 21)
    c = a
    a = a + x + y
    b = b + _rot(a, 44)
    return a + z, b + c


def _len_over64(buf, n):
    rows = len(n)
    x = np.full(rows, _SEED, _U64)
    y = x * _K1 + _U64(113)
    z = _shift_mix(y * _K2 + _U64(113)) * _K2
    v0 = v1 = w0 = w1 = np.zeros(rows, _U64)
    x = x * _K2 + _fetch(buf, np.zeros_like(n))
    blocks = (n - _U64(1)) // _U64(64)  # 64-byte blocks before the last 1..64 bytes
    for i in range(int(blocks.max())):
        live = blocks > _U64(i)
        s = np.full(rows, i * 64, _U64)
        nx = _rot(x + y + v0 + _fetch(buf, s + _U64(8)), 37) * _K1
        ny = _rot(y + v1 + _fetch(buf, s + _U64(48)), 42) * _K1
        nx ^= w1
        ny += v0 + _fetch(buf, s + _U64(40))
        nz = _rot(z + w0, 33) * _K1
        nv0, nv1 = _weak32(buf, s, v1 * _K1, nx + w0)
        nw0, nw1 = _weak32(buf, s + _U64(32), nz + w1, ny + _fetch(buf, s + _U64(16)))
        nx, nz = nz, nx
        x, y, z = np.where(live, nx, x), np.where(live, ny, y), np.where(live, nz, z)
        v0, v1 = np.where(live, nv0, v0), np.where(live, nv1, v1)
        w0, w1 = np.where(live, nw0, w0), np.where(live, nw1, w1)
    mul = _K1 + ((z & _U64(0xff)) << _U64(1))
    s = n - _U64(64)
    w0 = w0 + ((n - _U64(1)) & _U64(63))
    v0 = v0 + w0
    w0 = w0 + v0
    x = _rot(x + y + v0 + _fetch(buf, s + _U64(8)), 37) * mul
    y = _rot(y + v1 + _fetch(buf, s + _U64(48)), 42) * mul
    x ^= w1 * _U64(9)
    y += v0 * _U64(9) + _fetch(buf, s + _U64(40))
    z = _rot(z + w0, 33) * mul
    v0, v1 = _weak32(buf, s, v1 * mul, x + w0)
    w0, w1 = _weak32(buf, s + _U64(32), z + w1, y + _fetch(buf, s + _U64(16)))
    x, z = z, x
    return _len16(_len16(v0, w0, mul) + _shift_mix(y) * _K0 + z, _len16(v1, w1, mul) + x, mul)


def _byte_matrix(strings):
    """(rows, W) uint8 zero-padded bytes (W a multiple of 8 with room past the longest) and
    the lengths as uint64."""
    data = [s if isinstance(s, bytes) else str(s).encode("utf-8") for s in strings]
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    width = (int(lengths.max(initial=0)) // 8 + 2) * 8
    buf = np.frombuffer(b"".join(d.ljust(width, b"\0") for d in data), np.uint8)
    return buf.reshape(len(data), width), lengths.astype(_U64)


def fingerprint64(strings):
    """FarmHash Fingerprint64 of each string (`str` as UTF-8, or `bytes`): a uint64 array.

    >>> int(fingerprint64(["hello"])[0]) == 13009744463427800296
    True
    """
    buf, n = _byte_matrix(strings)
    out = np.empty(len(n), _U64)
    with np.errstate(over="ignore"):
        for lo, hi, path in ((0, 16, _len0to16), (17, 32, _len17to32), (33, 64, _len33to64),
                             (65, None, _len_over64)):
            rows = (n >= _U64(lo)) & (n <= _U64(hi)) if hi is not None else n >= _U64(lo)
            if rows.any():
                out[rows] = path(buf[rows], n[rows])
    return out


def _sip_round(v0, v1, v2, v3):
    v0 = v0 + v1
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = v2 + v3
    v3 = _rotl(v3, 16) ^ v2
    v0 = v0 + v3
    v3 = _rotl(v3, 21) ^ v0
    v2 = v2 + v1
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash64(strings, key):
    """SipHash-2-4 of each string under `key`, two unsigned 64-bit words (TensorFlow's
    `StrongKeyedHash`, the 16-byte key read as two little-endian words): a uint64 array."""
    k0, k1 = (_U64(int(k) & 0xFFFFFFFFFFFFFFFF) for k in key)
    buf, n = _byte_matrix(strings)
    rows = len(n)
    with np.errstate(over="ignore"):
        v0 = np.full(rows, _U64(0x736f6d6570736575) ^ k0, _U64)
        v1 = np.full(rows, _U64(0x646f72616e646f6d) ^ k1, _U64)
        v2 = np.full(rows, _U64(0x6c7967656e657261) ^ k0, _U64)
        v3 = np.full(rows, _U64(0x7465646279746573) ^ k1, _U64)
        full = n // _U64(8)
        for i in range(int(full.max(initial=0)) + 1):
            # block i is a whole word while i < full; at i == full, the tail bytes (zero
            # padded) with the length in the top byte; past it, nothing
            live = full >= _U64(i)
            m = _fetch(buf, np.full(rows, 8 * i, _U64))
            m = np.where(full == _U64(i), m | (n << _U64(56)), m)
            s = _sip_round(*_sip_round(v0, v1, v2, v3 ^ m))
            nv0, nv1, nv2, nv3 = s[0] ^ m, s[1], s[2], s[3]
            v0, v1 = np.where(live, nv0, v0), np.where(live, nv1, v1)
            v2, v3 = np.where(live, nv2, v2), np.where(live, nv3, v3)
        state = (v0, v1, v2 ^ _U64(0xff), v3)
        for _ in range(4):
            state = _sip_round(*state)
    return state[0] ^ state[1] ^ state[2] ^ state[3]
