#!/usr/bin/python3
"""gen_npy.py — writes the .npy test files of tests/unit/test_npy.c with Debian's numpy.

Every dtype the decoder supports (float64, float32, int8..int64, uint8..uint64, bool),
in both byte orders where the dtype has one, in format versions 1.0, 2.0 and 3.0
(numpy.lib.format.write_array), as 0-D, 1-D, 2-D C-order and 2-D Fortran-order arrays;
a few edge shapes (empty, one row / one column declared Fortran); and malformed files
(bad magic, version, header, dtype, shape, truncated, trailing, bad bool byte, a shape
whose size overflows, a huge shape with no data). tests/data/npy/MANIFEST lists each
file with what it must decode to: the row-major values as C99 hex floats (exact), or
the error the decoder must report. Deterministic (fixed values, no randomness); run
from the repository root: /usr/bin/python3 tests/data/gen/gen_npy.py
"""
import io
import os
import struct

import numpy as np
from numpy.lib import format as npf

OUT = os.path.join("tests", "data", "npy")

# Values per kind (row-major order for 2-D); chosen to hit the edges of each type.
F8 = [0.1, -2.5, 1e300, 5e-324, -0.0, float("inf"), float("-inf"), float("nan"),
      2.0 ** -1022, 1.0 + 2.0 ** -52, -123456.789, 3.0]
F4 = [np.float32(x) for x in [0.1, -2.5, 3.4e38, 1e-45, -0.0, float("inf"),
                              float("nan"), 1.5, -7.25, 2.0 ** -126, 1e10, 3.0]]
INTS = {
    "i1": [-128, 127, 0, -1, 5, 100, -100, 1, 2, 3, 4, 6],
    "u1": [0, 255, 1, 128, 7, 200, 3, 4, 5, 6, 8, 9],
    "i2": [-32768, 32767, 0, -1, 258, -258, 1000, 1, 2, 3, 4, 5],
    "u2": [0, 65535, 1, 258, 40000, 3, 4, 5, 6, 7, 8, 9],
    "i4": [-2 ** 31, 2 ** 31 - 1, 0, -1, 16909060, -16909060, 1, 2, 3, 4, 5, 6],
    "u4": [0, 2 ** 32 - 1, 1, 16909060, 3000000000, 3, 4, 5, 6, 7, 8, 9],
    # 2^53 + 1 and 2^63 - 1 have no exact double: the decoder must say 'inexact'
    "i8": [-2 ** 63, 2 ** 53, -2 ** 53, 0, -1, 72623859790382856, 1, 2, 3, 4, 5, 6],
    "u8": [0, 2 ** 53, 1, 72623859790382856, 2 ** 63, 3, 4, 5, 6, 7, 8, 9],
}
INEXACT_EXTRA = {"i8": [2 ** 53 + 1, 2 ** 63 - 1], "u8": [2 ** 64 - 1, 2 ** 53 + 1]}
BOOL = [True, False, False, True, True, True, False, True, False, False, True, False]

SHAPES = {"0d": (), "5": (5,), "3x4": (3, 4)}


def dtypes():
    """(file stem, numpy dtype) for every supported dtype and byte order."""
    out = [("f8le", "<f8"), ("f8be", ">f8"), ("f4le", "<f4"), ("f4be", ">f4")]
    for k in ["i2", "u2", "i4", "u4", "i8", "u8"]:
        out += [(k + "le", "<" + k), (k + "be", ">" + k)]
    out += [("i1", "|i1"), ("u1", "|u1"), ("b1", "|b1")]
    return out


def values_for(descr, n, variant=0):
    kind = descr[1:]
    if kind == "f8":
        base = F8
    elif kind == "f4":
        base = F4
    elif kind == "b1":
        base = BOOL
    else:
        base = INTS[kind]
        if variant and kind in INEXACT_EXTRA:
            base = INEXACT_EXTRA[kind] + base
    return [base[i % len(base)] for i in range(n)]


def make(descr, shape, variant=0):
    n = int(np.prod(shape)) if shape else 1
    a = np.array(values_for(descr, n, variant), dtype=np.dtype(descr))
    return a.reshape(shape)


def hexf(x):
    x = float(x)
    if x != x:
        return "nan"
    return x.hex()


def save(name, arr, version):
    buf = io.BytesIO()
    npf.write_array(buf, arr, version=version, allow_pickle=False)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(buf.getvalue())
    return buf.getvalue()


def manifest_ok(name, arr, data):
    # What numpy itself reads back, as row-major float64: the reference.
    back = np.load(io.BytesIO(data), allow_pickle=False)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    fortran = b"'fortran_order': True" in data[:200]
    flat = np.ascontiguousarray(back).reshape(-1)
    inexact = 0
    if back.dtype.kind in "iu":
        inexact = int(any(int(v) != int(float(v)) for v in flat.tolist()))
    vals = " ".join(hexf(v) for v in flat.astype(np.float64).tolist())
    shape = ",".join(str(d) for d in back.shape) or "-"
    return (f"ok {name} {back.dtype.str} {int(fortran)} {len(back.shape)} {shape} "
            f"{inexact} {flat.size} {vals}".rstrip())


def raw_header(d, version=(1, 0)):
    """A header block written by numpy's own helper for an explicit dict."""
    buf = io.BytesIO()
    npf._write_array_header(buf, d, version)
    return buf.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    lines = []
    for stem, descr in dtypes():
        for version in [(1, 0), (2, 0), (3, 0)]:
            v = f"v{version[0]}"
            for sname, shape in SHAPES.items():
                arr = make(descr, shape)
                name = f"{stem}_c_{sname}_{v}.npy"
                lines.append(manifest_ok(name, arr, save(name, arr, version)))
            arr = np.asfortranarray(make(descr, (3, 4)))
            name = f"{stem}_f_3x4_{v}.npy"
            lines.append(manifest_ok(name, arr, save(name, arr, version)))
    # Integers beyond 2^53 (inexact), C and Fortran.
    for descr in ["<i8", ">i8", "<u8", ">u8"]:
        stem = descr[1:] + ("le" if descr[0] == "<" else "be")
        arr = make(descr, (4,), variant=1)
        name = f"{stem}_inexact_v1.npy"
        lines.append(manifest_ok(name, arr, save(name, arr, (1, 0))))
    # Edge shapes.
    edges = [("f8le_c_0_v1.npy", make("<f8", (0,))),
             ("f8le_c_2x0_v1.npy", make("<f8", (2, 0))),
             ("f8le_f_0x3_v1.npy", np.asfortranarray(make("<f8", (0, 3)))),
             ("i2be_c_1x4_v1.npy", make(">i2", (1, 4))),
             ("f8le_c_4x1_v1.npy", make("<f8", (4, 1))),
             ("f8le_c_1000_v1.npy", np.arange(1000, dtype="<f8") / 7),
             ("f4be_f_7x5_v2.npy", np.asfortranarray(make(">f4", (7, 5))))]
    for name, arr in edges:
        ver = (2, 0) if name.endswith("_v2.npy") else (1, 0)
        lines.append(manifest_ok(name, arr, save(name, arr, ver)))
    # Declared Fortran order on a one-row / one-column array (numpy never writes it,
    # but it is a valid file: the layout is the same either way).
    for name, shape, descr in [("f8le_f_1x4_hand_v1.npy", (1, 4), "<f8"),
                               ("u2le_f_4x1_hand_v1.npy", (4, 1), "<u2")]:
        arr = make(descr, shape)
        data = raw_header({"descr": descr, "fortran_order": True, "shape": shape})
        data += arr.tobytes(order="F")
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        lines.append(manifest_ok(name, arr, data))

    # Malformed files: name, bytes, the status the decoder must report.
    good = save("tmp.npy", make("<f8", (5,)), (1, 0))
    os.remove(os.path.join(OUT, "tmp.npy"))
    hdr = lambda d, ver=(1, 0): raw_header(d, ver)
    bad = [
        ("bad_magic.npy", b"\x93NUMPZ" + good[6:], "bad_magic"),
        ("bad_magic_text.npy", b"[1, 2, 3]", "bad_magic"),
        ("bad_version_4.npy", good[:6] + b"\x04\x00" + good[8:], "bad_version"),
        ("bad_version_1_1.npy", good[:6] + b"\x01\x01" + good[8:], "bad_version"),
        ("bad_dtype_c16.npy", save_tmp(make_c16()), "bad_dtype"),
        ("bad_dtype_str.npy", save_tmp(np.array(["ab", "cd"])), "bad_dtype"),
        ("bad_dtype_struct.npy",
         save_tmp(np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")])), "bad_dtype"),
        ("bad_dtype_f2.npy", save_tmp(np.ones(3, dtype="<f2")), "bad_dtype"),
        ("bad_shape_3d.npy", save_tmp(np.zeros((2, 2, 2))), "bad_shape"),
        ("bad_truncated_data.npy", good[:-3], "truncated"),
        ("bad_truncated_header.npy", good[:40], "truncated"),
        ("bad_truncated_prefix.npy", good[:9], "truncated"),
        ("bad_trailing.npy", good + b"\x00", "trailing"),
        ("bad_header_nokey.npy",
         hand_header(b"{'descr': '<f8', 'fortran_order': False, }") + b"\0" * 8,
         "bad_header"),
        ("bad_huge_overflow.npy",
         hdr({"descr": "<f8", "fortran_order": False, "shape": (2 ** 40, 2 ** 40)}),
         "too_large"),
        ("bad_huge_nodata.npy",
         hdr({"descr": "<f8", "fortran_order": False, "shape": (2 ** 40,)}),
         "truncated"),
        ("bad_bool_byte.npy",
         hdr({"descr": "|b1", "fortran_order": False, "shape": (3,)}) + b"\x01\x02\x00",
         "bad_value"),
        ("bad_header_text.npy", hand_header(b"{'descr': '<f8', 'fortran_order': False, "
                                            b"'shape': (3)}"), "bad_header"),
        ("bad_header_notdict.npy", hand_header(b"['<f8', False, (3,)]"), "bad_header"),
        ("bad_header_extra_key.npy",
         hand_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), "
                     b"'x': 1}") + b"\0" * 8, "bad_header"),
        ("bad_header_order.npy",
         hand_header(b"{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}")
         + b"\0" * 8, "bad_header"),
        ("bad_header_long.npy", good[:8] + struct.pack("<H", 60000) + b" " * 100,
         "bad_header"),
    ]
    for name, data, want in bad:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        lines.append(f"bad {name} {want}")
    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("# made by tests/data/gen/gen_npy.py with numpy " + np.__version__ + "\n")
        f.write("# ok NAME DESCR FORTRAN NDIM SHAPE(-|d,d) INEXACT COUNT VALUES(row-major "
                "hex floats)...\n# bad NAME STATUS\n")
        f.write("\n".join(lines) + "\n")
    print(f"gen_npy: {len(lines)} files in {OUT}")


def save_tmp(arr):
    buf = io.BytesIO()
    npf.write_array(buf, arr, version=(1, 0), allow_pickle=False)
    return buf.getvalue()


def make_c16():
    return np.array([1 + 2j, 3 - 4j], dtype="<c16")


def hand_header(text):
    """A 1.0 prefix + the given header text, padded as numpy pads (to 64, '\\n')."""
    total = 10 + len(text) + 1
    pad = (64 - total % 64) % 64
    body = text + b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(body)) + body


if __name__ == "__main__":
    main()
