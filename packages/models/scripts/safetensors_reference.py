#!/usr/bin/env python3
"""Cross-checks symfuse's safetensors reader/writer against the reference implementation.

The reference is the `safetensors` Python package (Rust core) plus `huggingface_hub`'s shard splitter,
with numpy and ml_dtypes for bfloat16/float8. Debian has no python3-safetensors, so install them into
a virtual environment from the local package index:

    python3 -m venv /tmp/symfuse-py
    /tmp/symfuse-py/bin/pip install safetensors==0.8.0 huggingface_hub numpy ml_dtypes

Commands (run from the repository root):

    # 1. Regenerate the committed fixtures read by packages/models/test/safetensors-reference.test.ts
    /tmp/symfuse-py/bin/python packages/models/scripts/safetensors_reference.py fixtures \
        packages/models/test/fixtures/safetensors

    # 2. Verify files written by symfuse's writer with the reference reader
    node --import tsx packages/models/scripts/write-safetensors-samples.ts /tmp/symfuse-st
    /tmp/symfuse-py/bin/python packages/models/scripts/safetensors_reference.py verify /tmp/symfuse-st

The test suite itself never needs Python: it reads the committed fixtures.
"""
import json
import math
import os
import struct
import sys

import ml_dtypes
import numpy as np
import safetensors
from safetensors import TensorSpec, deserialize, safe_open, serialize

NP_DTYPES = {
    "BOOL": np.bool_,
    "U8": np.uint8,
    "I8": np.int8,
    "F8_E5M2": ml_dtypes.float8_e5m2,
    "F8_E4M3": ml_dtypes.float8_e4m3fn,
    "I16": np.int16,
    "U16": np.uint16,
    "F16": np.float16,
    "BF16": ml_dtypes.bfloat16,
    "I32": np.int32,
    "U32": np.uint32,
    "F32": np.float32,
    "F64": np.float64,
    "I64": np.int64,
    "U64": np.uint64,
}
INT64 = {"I64", "U64"}


def to_json_values(dtype, arr):
    """Values as JSON: floats widened to float64 (exact), NaN/Inf as strings, 64-bit ints as strings."""
    flat = np.asarray(arr).reshape(-1)
    out = []
    for v in flat.tolist() if dtype not in ("BF16", "F8_E4M3", "F8_E5M2") else flat.astype(np.float64).tolist():
        if dtype in INT64:
            out.append(str(int(v)))
        elif isinstance(v, bool):
            out.append(1 if v else 0)
        elif isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            out.append("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
        else:
            out.append(v)
    return out


def spec_dict(arrays):
    return {
        k: TensorSpec(dtype=a.dtype.name, shape=a.shape, data_ptr=a.ctypes.data, data_len=a.nbytes)
        for k, a in arrays.items()
    }


def reference_tensors():
    rng = np.random.default_rng(20240601)
    f16_special = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 5.96e-8, np.inf, -np.inf, np.nan], dtype=np.float16)
    return {
        "encoder.layer.0.attention.self.query.weight": rng.standard_normal((3, 4)).astype(np.float32),
        "f16.special": f16_special,
        "bf16.values": np.array([1.0, -3.140625, 1e-3, 3.0e38, -0.0, np.inf, np.nan], dtype=ml_dtypes.bfloat16),
        "f64.values": np.array([[1.0 / 3.0, -1e300], [5e-324, 2.0]], dtype=np.float64),
        "i64.ids": np.array([0, -1, 2**40, -(2**53) + 1, 2**62], dtype=np.int64),
        "u64.values": np.array([0, 2**64 - 1], dtype=np.uint64),
        "i32.values": np.array([[-(2**31), 2**31 - 1, 0]], dtype=np.int32),
        "u32.values": np.array([0, 2**32 - 1], dtype=np.uint32),
        "i16.values": np.array([-32768, 32767], dtype=np.int16),
        "u16.values": np.array([0, 65535], dtype=np.uint16),
        "i8.values": np.array([-128, 127, 0], dtype=np.int8),
        "u8.values": np.array([0, 255, 7], dtype=np.uint8),
        "bool.mask": np.array([[True, False], [False, True]], dtype=np.bool_),
        "f8e4m3.values": np.array([0.0, 1.0, -448.0, 0.001953125, np.nan], dtype=ml_dtypes.float8_e4m3fn),
        "f8e5m2.values": np.array([0.0, 1.5, -57344.0, np.inf], dtype=ml_dtypes.float8_e5m2),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "ünïcödé/层.weight ✓": np.array([1.0, 2.0], dtype=np.float32),
    }


def write_fixtures(out):
    os.makedirs(out, exist_ok=True)
    tensors = {k: np.ascontiguousarray(v) for k, v in reference_tensors().items()}
    dtype_of = {v: k for k, v in {d: np.dtype(t).name for d, t in NP_DTYPES.items()}.items()}
    data = serialize(spec_dict(tensors), {"format": "pt"})
    with open(os.path.join(out, "reference.safetensors"), "wb") as f:
        f.write(data)
    expected = {
        k: {"dtype": dtype_of[a.dtype.name], "shape": list(a.shape), "values": to_json_values(dtype_of[a.dtype.name], a)}
        for k, a in tensors.items()
    }
    # Only the reader's own view: check that the reference reads its file back identically.
    with safe_open(os.path.join(out, "reference.safetensors"), "numpy") as f:
        assert f.metadata() == {"format": "pt"}
        for k in f.keys():
            if expected[k]["dtype"] not in ("BF16", "F8_E4M3", "F8_E5M2"):
                np.testing.assert_array_equal(f.get_tensor(k), tensors[k])
    write_json(os.path.join(out, "reference.expected.json"), {"metadata": {"format": "pt"}, "tensors": expected})

    # A byte-exact writer check: simple F32/I64 tensors, one metadata key (the reference orders a
    # multi-key metadata map by hash, so only a single key is byte-stable).
    simple = {
        "b.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 8,
        "a.ids": np.array([1, 2, 3], dtype=np.int64),
        "c.half": np.array([0.5, -1.0, 2.0], dtype=np.float16),
        "d.mask": np.array([1, 0, 1], dtype=np.uint8),
    }
    with open(os.path.join(out, "byte-exact.safetensors"), "wb") as f:
        f.write(serialize(spec_dict(simple), {"source": "symfuse"}))

    # Sharding as huggingface_hub splits it (sizes 24, 80, 8, 40, 160 bytes with a 100-byte limit).
    from huggingface_hub import split_state_dict_into_shards_factory

    sharded = {
        "emb.weight": np.arange(6, dtype=np.float32),
        "big.weight": np.arange(20, dtype=np.float32),
        "small.bias": np.arange(2, dtype=np.float32),
        "mid.weight": np.arange(10, dtype=np.float32),
        "huge.weight": np.arange(40, dtype=np.float32),
    }
    split = split_state_dict_into_shards_factory(
        sharded,
        get_storage_size=lambda t: t.nbytes,
        filename_pattern="model{suffix}.safetensors",
        max_shard_size=100,
    )
    sdir = os.path.join(out, "sharded")
    os.makedirs(sdir, exist_ok=True)
    for name in os.listdir(sdir):
        os.remove(os.path.join(sdir, name))
    for filename, keys in split.filename_to_tensors.items():
        with open(os.path.join(sdir, filename), "wb") as f:
            f.write(serialize(spec_dict({k: sharded[k] for k in keys}), {"format": "pt"}))
    index = {"metadata": split.metadata, "weight_map": split.tensor_to_filename}
    with open(os.path.join(sdir, "model.safetensors.index.json"), "w") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    write_json(
        os.path.join(out, "sharded.expected.json"),
        {
            "max_shard_size": 100,
            "order": list(sharded.keys()),
            "filename_to_tensors": split.filename_to_tensors,
            "values": {k: v.tolist() for k, v in sharded.items()},
        },
    )

    write_malformed(os.path.join(out, "malformed"))
    print(f"wrote fixtures to {out}")


def raw_file(header, data=b"", header_len=None, pad=True):
    h = header if isinstance(header, bytes) else header.encode("utf-8")
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    n = len(h) if header_len is None else header_len
    return struct.pack("<Q", n) + h + data


def write_malformed(mdir):
    """Malformed files and whether the reference reader accepts them; the TS test must reject them all."""
    os.makedirs(mdir, exist_ok=True)
    for name in os.listdir(mdir):
        os.remove(os.path.join(mdir, name))
    e = lambda dt, shape, b, en: {"dtype": dt, "shape": shape, "data_offsets": [b, en]}
    cases = {
        "too-short": b"\x01\x02\x03",
        "header-too-large": struct.pack("<Q", 100_000_001) + b"{}",
        "header-past-eof": struct.pack("<Q", 64) + b"{}      ",
        "not-utf8": raw_file(b'{"\xff\xfe":1}'),
        "not-json": raw_file("{not json}"),
        "not-object": raw_file('["a"]'),
        "duplicate-name": raw_file('{"w":' + json.dumps(e("F32", [1], 0, 4)) + ',"w":' + json.dumps(e("F32", [1], 4, 8)) + "}", b"\0" * 8),
        "unknown-dtype": raw_file(json.dumps({"w": e("Q7", [1], 0, 4)}), b"\0" * 4),
        "negative-dim": raw_file(json.dumps({"w": e("F32", [-1], 0, 4)}), b"\0" * 4),
        "fractional-dim": raw_file('{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', b"\0" * 4),
        "huge-offset": raw_file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,18446744073709551616]}}', b"\0"),
        "gap": raw_file(json.dumps({"w": e("F32", [1], 4, 8)}), b"\0" * 8),
        "overlap": raw_file(json.dumps({"a": e("F32", [2], 0, 8), "b": e("F32", [1], 4, 8)}), b"\0" * 8),
        "trailing-bytes": raw_file(json.dumps({"w": e("F32", [1], 0, 4)}), b"\0" * 8),
        "past-end": raw_file(json.dumps({"w": e("F32", [2], 0, 8)}), b"\0" * 4),
        "shape-mismatch": raw_file(json.dumps({"w": e("F32", [3], 0, 8)}), b"\0" * 8),
        "metadata-not-string": raw_file(json.dumps({"__metadata__": {"k": 1}}), b""),
        "end-before-begin": raw_file(json.dumps({"w": e("F32", [0], 4, 0)}), b"\0" * 4),
    }
    report = {}
    for name, data in cases.items():
        path = os.path.join(mdir, name + ".safetensors")
        with open(path, "wb") as f:
            f.write(data)
        try:
            with safe_open(path, "numpy") as f:
                for k in f.keys():
                    f.get_slice(k)
            report[name] = {"reference_accepts": True}
        except Exception as ex:  # noqa: BLE001 - we record whatever the reference says
            report[name] = {"reference_accepts": False, "reference_error": str(ex)[:200]}
    write_json(os.path.join(mdir, "report.json"), report)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def from_json_values(values):
    return [float(v) if isinstance(v, str) and v in ("nan", "inf", "-inf") else v for v in values]


def verify(dirname):
    """Reads every file listed in DIR/expected.json with the reference and compares values."""
    with open(os.path.join(dirname, "expected.json"), encoding="utf-8") as f:
        expected = json.load(f)
    passed = failed = 0
    for filename, spec in expected["files"].items():
        path = os.path.join(dirname, filename)
        raw = open(path, "rb").read()
        problems = []
        try:
            # deserialize() handles every dtype as bytes, so BF16/F8 are checked without a framework.
            decoded = dict(deserialize(raw))
            with safe_open(path, "numpy") as f:
                if (f.metadata() or {}) != spec.get("metadata", {}):
                    problems.append(f"metadata {f.metadata()} != {spec.get('metadata')}")
            if set(decoded) != set(spec["tensors"]):
                problems.append(f"names {sorted(decoded)} != {sorted(spec['tensors'])}")
            for name, t in spec["tensors"].items():
                d = decoded[name]
                if d["dtype"] != t["dtype"] or list(d["shape"]) != t["shape"]:
                    problems.append(f"{name}: {d['dtype']}{d['shape']} != {t['dtype']}{t['shape']}")
                    continue
                arr = np.frombuffer(bytes(d["data"]), dtype=NP_DTYPES[t["dtype"]])
                if t["dtype"] in INT64:
                    got = [str(int(v)) for v in arr.tolist()]
                    ok = got == t["values"]
                else:
                    got = arr.astype(np.float64) if t["dtype"] not in ("BOOL",) else arr.astype(np.int64)
                    want = np.array(from_json_values(t["values"]), dtype=np.float64)
                    if t.get("rounded_from") == "F32":
                        # The writer narrowed float32 input: round it here with numpy/ml_dtypes (ties to even).
                        with np.errstate(over="ignore"):  # overflow to ±Inf is the expected rounding
                            want = want.astype(np.float32).astype(NP_DTYPES[t["dtype"]]).astype(np.float64)
                    ok = got.shape == want.shape and np.array_equal(got, want, equal_nan=True)
                if not ok:
                    problems.append(f"{name}: values differ")
            # Alignment as the reference writes it: header padded so data starts at a multiple of 8.
            (n,) = struct.unpack("<Q", raw[:8])
            if n % 8 != 0:
                problems.append(f"header length {n} is not a multiple of 8")
            if spec.get("byte_exact"):
                arrays = {k: np.frombuffer(bytes(v["data"]), dtype=NP_DTYPES[v["dtype"]]).reshape(v["shape"]) for k, v in decoded.items()}
                again = serialize(spec_dict(arrays), spec.get("metadata") or None)
                if bytes(again) != raw:
                    problems.append("bytes differ from the reference writer's for the same tensors")
        except Exception as ex:  # noqa: BLE001
            problems.append(f"reference rejected the file: {ex}")
        if problems:
            failed += 1
            print(f"FAIL {filename}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok   {filename}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("fixtures", "verify"):
        print(__doc__)
        sys.exit(2)
    print(f"safetensors {safetensors.__version__}", file=sys.stderr)
    sys.exit(write_fixtures(sys.argv[2]) or 0 if sys.argv[1] == "fixtures" else verify(sys.argv[2]))
