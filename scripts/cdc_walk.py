"""Walk a Cassandra commit-log segment byte by byte and check every CRC.

An independent reading of the layout in docs/cdc-format.md (stdlib only), used
to verify it on the node before the Rust reader relied on it:

    python3 scripts/cdc_walk.py SEGMENT.log [IDX_OFFSET] [--entries]

Uncompressed (descriptor parameters ``{}``) and LZ4-compressed segments. Prints
the header, each sync section (marker CRC, and for LZ4 the uncompressed length
and the logical position reached) and, with --entries, each entry (size, both
CRCs, the first bytes of the body). Exits 1 on the first bad CRC.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib


def lz4_block(src: bytes, out_len: int) -> bytes:
    """Decode one raw LZ4 block (no frame) of known decoded length."""
    out = bytearray()
    i = 0
    while i < len(src):
        token = src[i]
        i += 1
        literals = token >> 4
        if literals == 15:
            while True:
                b = src[i]
                i += 1
                literals += b
                if b != 255:
                    break
        out += src[i : i + literals]
        i += literals
        if i >= len(src):
            break
        offset = src[i] | (src[i + 1] << 8)
        i += 2
        match = token & 15
        if match == 15:
            while True:
                b = src[i]
                i += 1
                match += b
                if b != 255:
                    break
        for _ in range(match + 4):
            out.append(out[-offset])
    if len(out) != out_len:
        raise ValueError(f"LZ4 block decoded to {len(out)} bytes, expected {out_len}")
    return bytes(out)


def entries(data: bytes, base: int, show: bool) -> int:
    """Check the entries of one section's bytes; base is their (logical) position."""
    p = 0
    n = 0
    while p + 4 <= len(data):
        (size,) = struct.unpack_from(">i", data, p)
        if size == 0:
            print(f"  entry@{base + p}: size 0 (end-of-segment marker)")
            break
        (crc_a,) = struct.unpack_from(">I", data, p + 4)
        a = zlib.crc32(struct.pack(">i", size))
        body = data[p + 8 : p + 8 + size]
        (crc_b,) = struct.unpack_from(">I", data, p + 8 + size)
        b = zlib.crc32(body, a)
        if crc_a != a or crc_b != b:
            print(f"  entry@{base + p}: size={size} BAD CRC (size {crc_a == a}, body {crc_b == b})")
            sys.exit(1)
        if show:
            print(f"  entry@{base + p}: size={size} crcs ok end={base + p + 12 + size} body[:24]={body[:24].hex()}")
        p += 12 + size
        n += 1
    return n


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show = "--entries" in sys.argv
    b = open(args[0], "rb").read()
    limit = int(args[1]) if len(args) > 1 else None
    version, sid, plen = struct.unpack_from(">iqH", b, 0)
    params = b[14 : 14 + plen]
    (stored,) = struct.unpack_from(">I", b, 14 + plen)
    computed = zlib.crc32(struct.pack(">iiii", version, sid & 0xFFFFFFFF, sid >> 32, plen) + params)
    header_len = 14 + plen + 4
    print(
        f"header: version={version} id={sid} params={params.decode()} crc "
        f"{'ok' if stored == computed else 'BAD'} header_len={header_len} file={len(b)}"
    )
    if stored != computed:
        sys.exit(1)
    compressed = json.loads(params).get("compressionClass")
    pos = header_len
    logical = header_len
    total = 0
    sections = 0
    while pos + 8 <= len(b):
        if limit is not None and logical >= limit:
            print(f"stop: reached the idx offset {limit}")
            break
        nxt, crc = struct.unpack_from(">iI", b, pos)
        expected = zlib.crc32(struct.pack(">iii", sid & 0xFFFFFFFF, sid >> 32, pos))
        if crc != expected:
            print(
                f"marker@{pos}: next={nxt} crc={crc:#010x}: {'zero marker (end)' if nxt == 0 and crc == 0 else 'BAD'}"
            )
            if nxt == 0 and crc == 0:
                break
            sys.exit(1)
        sections += 1
        if compressed:
            (ulen,) = struct.unpack_from(">i", b, pos + 8)
            if compressed != "LZ4Compressor" and not compressed.endswith(".LZ4Compressor"):
                print(f"unsupported compressor {compressed}")
                sys.exit(1)
            (prefix,) = struct.unpack_from("<i", b, pos + 12)
            data = lz4_block(b[pos + 16 : nxt], prefix)
            if prefix != ulen:
                print(f"marker@{pos}: uncompressed length {ulen} but LZ4 prefix {prefix}")
                sys.exit(1)
            n = entries(data, logical + 8, show)
            logical += 8 + ulen
            print(
                f"marker@{pos}: next={nxt} crc ok uncompressed={ulen} compressed={nxt - pos - 12} "
                f"entries={n} logical_end={logical}"
            )
        else:
            n = entries(b[pos + 8 : nxt], pos + 8, show)
            logical = nxt
            print(f"marker@{pos}: next={nxt} crc ok entries={n}")
        total += n
        pos = nxt
    print(f"sections={sections} entries={total} file_end={pos} logical_end={logical} file_length={len(b)}")


if __name__ == "__main__":
    main()
