"""png.py - just enough PNG for the sixel test, with numpy and zlib only:
reading 8/16-bit non-interlaced gray, gray+alpha, RGB(A) and palette
images as gray in [0, 1], writing 16-bit gray, and resizing the way
relabel's previews upsample (Catmull-Rom, pixel centres aligned)."""
import struct
import zlib

import numpy as np

SIG = b"\x89PNG\r\n\x1a\n"


def _chunks(data):
    pos = 8
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        yield kind, data[pos + 8:pos + 8 + n]
        pos += 12 + n


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _unfilter(kind, line, prev, bpp):
    cur = line.copy()
    if kind == 1:
        for i in range(bpp, len(cur)):
            cur[i] = (cur[i] + cur[i - bpp]) & 255
    elif kind == 2:
        cur = (cur + prev) & 255
    elif kind == 3:
        for i in range(len(cur)):
            left = cur[i - bpp] if i >= bpp else 0
            cur[i] = (cur[i] + (left + prev[i]) // 2) & 255
    elif kind == 4:
        for i in range(len(cur)):
            left = cur[i - bpp] if i >= bpp else 0
            up_left = prev[i - bpp] if i >= bpp else 0
            cur[i] = (cur[i] + _paeth(left, prev[i], up_left)) & 255
    return cur


def read_gray(path):
    data = open(path, "rb").read()
    assert data[:8] == SIG, path + ": not a PNG"
    idat, plte = b"", None
    for kind, body in _chunks(data):
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB",
                                                                body)
        elif kind == b"PLTE":
            plte = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            idat += body
    assert interlace == 0 and depth in (8, 16), path + ": unsupported PNG"
    chans = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bpp = chans * depth // 8
    stride = w * bpp
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).astype(np.int64)
    rows, prev = [], np.zeros(stride, np.int64)
    for y in range(h):
        start = y * (stride + 1)
        prev = _unfilter(int(raw[start]), raw[start + 1:start + 1 + stride],
                         prev, bpp)
        rows.append(prev)
    px = np.array(rows, np.float64)
    if depth == 16:
        px = px[:, 0::2] * 256 + px[:, 1::2]
    px = px.reshape(h, w, chans) / (65535.0 if depth == 16 else 255.0)
    if ctype == 3:
        px = plte[np.rint(px[..., 0] * 255).astype(np.int64)] / 255.0
    elif ctype in (0, 4):
        return px[..., 0]
    return px[..., :3] @ np.array([0.299, 0.587, 0.114])


def write_gray16(path, gray):
    """gray: 2-D array of 0..65535."""
    h, w = gray.shape
    rows = b"".join(b"\0" + gray[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    with open(path, "wb") as f:
        f.write(SIG + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 0, 0,
                                                 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _cubic_matrix(n_in, n_out):
    """[n_out, n_in] Catmull-Rom weights, edges clamped."""
    m = np.zeros((n_out, n_in))
    for j in range(n_out):
        x = (j + 0.5) * n_in / n_out - 0.5
        x0 = int(np.floor(x))
        for k in range(x0 - 1, x0 + 3):
            t = abs(x - k)
            wgt = (1.5 * t ** 3 - 2.5 * t ** 2 + 1 if t < 1 else
                   -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2 if t < 2 else 0)
            m[j, min(max(k, 0), n_in - 1)] += wgt
    return m


def resize(gray, w, h):
    out = _cubic_matrix(gray.shape[0], h) @ gray @ \
        _cubic_matrix(gray.shape[1], w).T
    return np.clip(out, 0.0, 1.0)
