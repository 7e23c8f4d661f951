#!/usr/bin/python3
# make_images.py - writes the small images the image unit tests read.
# Only zlib and struct, so the bytes are exact and the values known:
#   gray8.png    4x3 8-bit gray, values GRAY8 row by row
#   gray16.png   3x2 16-bit gray, values GRAY16
#   rgb8.png     2x2 8-bit RGB: red, green, blue, white
#   rgba8.png    2x1 8-bit RGBA: opaque and transparent gray 200
#   rgb16.png    1x1 16-bit RGB (65535, 0, 0)
#   const.png    7x5 8-bit gray, every pixel 100
#   gray8.pgm    P5, the same pixels as gray8.png
#   gray16.pgm   P5 with maxval 65535, the same pixels as gray16.png
#   rgb8.ppm     P6, the same pixels as rgb8.png
#   rgb24.bmp    24-bit BMP, the same pixels as rgb8.png
#   huge.png     signature and IHDR only, claiming 100000 x 100000
#   truncated.png gray8.png cut inside its IDAT chunk
#   notimage.txt a line of text
import os
import struct
import zlib

GRAY8 = [0, 64, 128, 255, 10, 20, 30, 40, 200, 210, 220, 230]
GRAY16 = [0, 1, 257, 32768, 65534, 65535]
RGB = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + \
        struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(w, h, depth, ctype, rows, idat=True):
    head = b"\x89PNG\r\n\x1a\n" + chunk(
        b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
    if not idat:
        return head
    raw = b"".join(b"\x00" + r for r in rows)
    return head + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def rows8(vals, w, comp=1):
    return [bytes(vals[i:i + w * comp]) for i in range(0, len(vals), w * comp)]


def rows16(vals, w, comp=1):
    n = w * comp
    return [b"".join(struct.pack(">H", v) for v in vals[i:i + n])
            for i in range(0, len(vals), n)]


def bmp24(w, h, pix):
    stride = (w * 3 + 3) & ~3
    data = b""
    for y in range(h - 1, -1, -1):
        row = b"".join(bytes((b, g, r)) for r, g, b in pix[y * w:(y + 1) * w])
        data += row + b"\x00" * (stride - len(row))
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(data),
                       2835, 2835, 0, 0)
    head = struct.pack("<2sIHHI", b"BM", 14 + 40 + len(data), 0, 0, 54)
    return head + info + data


def main():
    out = os.path.dirname(os.path.abspath(__file__))
    flat = [c for p in RGB for c in p]
    files = {
        "gray8.png": png(4, 3, 8, 0, rows8(GRAY8, 4)),
        "gray16.png": png(3, 2, 16, 0, rows16(GRAY16, 3)),
        "rgb8.png": png(2, 2, 8, 2, rows8(flat, 2, 3)),
        "rgba8.png": png(2, 1, 8, 6, [bytes((200, 200, 200, 255,
                                             200, 200, 200, 0))]),
        "rgb16.png": png(1, 1, 16, 2, rows16([65535, 0, 0], 1, 3)),
        "const.png": png(7, 5, 8, 0, rows8([100] * 35, 7)),
        "gray8.pgm": b"P5\n4 3\n255\n" + bytes(GRAY8),
        "gray16.pgm": b"P5\n3 2\n65535\n" +
        b"".join(struct.pack(">H", v) for v in GRAY16),
        "rgb8.ppm": b"P6\n2 2\n255\n" + bytes(flat),
        "rgb24.bmp": bmp24(2, 2, RGB),
        "huge.png": png(100000, 100000, 8, 0, [], idat=False),
        "notimage.txt": b"this is a text file, not an image\n",
    }
    files["truncated.png"] = files["gray8.png"][:45]
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


main()
