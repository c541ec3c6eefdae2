#!/usr/bin/python3
"""make_corpus_multipart.py — the seed corpus of fuzz_multipart.c in fuzz/corpus/multipart/.

Input layout (see fuzz/fuzz_multipart.c): flags byte, 2-byte chunking seed, then a
Content-Type line and the body; flag 0x80: the rest is fed to the .npy decoder alone.
Uses the committed .npy test files (tests/data/npy/, made by tests/data/gen/gen_npy.py).
Run from the repository root: /usr/bin/python3 fuzz/make_corpus_multipart.py
"""
import hashlib
import os
import struct

NPY = os.path.join("tests", "data", "npy")
OUT = os.path.join("fuzz", "corpus", "multipart")


def npy(name):
    with open(os.path.join(NPY, name), "rb") as f:
        return f.read()


def part(b, headers, data):
    return b"--" + b + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + data + b"\r\n"


def body(b, parts, close=True):
    return b"".join(part(b, h, d) for h, d in parts) + (b"--" + b + b"--\r\n" if close else b"")


def seed(flags, s, ct, data):
    return bytes([flags]) + struct.pack(">H", s) + ct + b"\n" + data


def main():
    os.makedirs(OUT, exist_ok=True)
    b = b"------------------------d74496d66958873e"
    ct = b"multipart/form-data; boundary=" + b
    seeds = []
    seeds.append(seed(0, 1, ct, body(b, [
        ([b'Content-Disposition: form-data; name="p"; filename="p.npy"',
          b"Content-Type: application/octet-stream"], npy("f8le_c_3x4_v1.npy")),
        ([b'Content-Disposition: form-data; name="base"'], b"2"),
        ([b'Content-Disposition: form-data; name="q"',
          b"Content-Type: application/octet-stream"], struct.pack("<3d", 0.25, 0.25, 0.5)),
    ])))
    seeds.append(seed(0, 77, b'multipart/form-data; boundary="x y"', body(b"x y", [
        ([b'Content-Disposition: form-data; name="/p/mean"; filename="m.npy"'],
         npy("i2be_f_3x4_v2.npy")),
        ([b"content-disposition: form-data;", b' name="q"', b"Content-Type: application/x-npy"],
         npy("b1_c_5_v3.npy")[:-2]),
        ([b"Content-Disposition: form-data; name=normalize"], b"true"),
    ])))
    seeds.append(seed(1, 5, b"multipart/form-data; boundary=b",
                      b"preamble\r\n--bX\r\n--b \t\r\n"
                      b"Content-Disposition: form-data; name=\"a\\\"b\"; filename=x\r\n\r\n"
                      b"\r\n--b-\r\n--bb\r\n--b--epilogue\r\n--b\r\n"))
    seeds.append(seed(2, 9, b"multipart/form-data; boundary=b", body(b"b", [
        ([b"Content-Disposition: form-data; name=p%d" % i], b"[1,2]") for i in range(5)
    ], close=False)))
    seeds.append(seed(0, 3, b"multipart/form-data; charset=utf-8; boundary=\"abc", b"--abc--"))
    for name in ["f4be_f_3x4_v2.npy", "u8le_inexact_v1.npy", "bad_bool_byte.npy",
                 "bad_huge_nodata.npy", "i1_c_0d_v3.npy"]:
        seeds.append(bytes([0x80, 0, 42]) + npy(name))
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    for s in seeds:
        with open(os.path.join(OUT, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
    print(f"make_corpus_multipart: {len(seeds)} seeds in {OUT}")


if __name__ == "__main__":
    main()
