"""Where the values of named initializers lie in the bytes of an ONNX file: a minimal walk of its protobuf
encoding (ModelProto.graph -> GraphProto.initializer -> TensorProto name, dims, data_type, raw_data), so that a copy
of the file can carry other values of the same size (a personal voice's changes in a model's slots) without the
onnx package."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

MODEL_GRAPH, GRAPH_INITIALIZER = 7, 5  # field numbers (onnx.proto)
TENSOR_DIMS, TENSOR_TYPE, TENSOR_NAME, TENSOR_RAW = 1, 2, 8, 9
FLOAT16 = 10  # TensorProto.DataType
VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5  # wire types


@dataclass
class Span:
    """An initializer's raw little-endian values: data[start:end], of `data_type` and shape `dims`."""

    start: int
    end: int
    data_type: int
    dims: tuple[int, ...]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, start, end) of each field in data[start:end]; for a varint, end is its value."""
    pos = start
    while pos < end:
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            value, pos = _varint(data, pos)
            yield number, wire, pos, value
        elif wire == BYTES:
            length, pos = _varint(data, pos)
            yield number, wire, pos, pos + length
            pos += length
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            yield number, wire, pos, pos + size
            pos += size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")


def _tensor(data: bytes, start: int, end: int) -> tuple[str, Span | None]:
    name, dims, data_type, raw = "", [], 0, None
    for number, wire, a, b in _fields(data, start, end):
        if number == TENSOR_NAME:
            name = data[a:b].decode("utf-8")
        elif number == TENSOR_TYPE and wire == VARINT:
            data_type = b
        elif number == TENSOR_DIMS and wire == VARINT:
            dims.append(b)
        elif number == TENSOR_DIMS and wire == BYTES:  # packed
            pos = a
            while pos < b:
                value, pos = _varint(data, pos)
                dims.append(value)
        elif number == TENSOR_RAW:
            raw = (a, b)
    return name, None if raw is None else Span(raw[0], raw[1], data_type, tuple(dims))


def initializer_spans(data: bytes) -> dict[str, Span]:
    """Name -> Span of every initializer stored as raw data in the ONNX model `data`."""
    spans = {}
    for number, wire, start, end in _fields(data, 0, len(data)):
        if number == MODEL_GRAPH and wire == BYTES:
            for field, kind, a, b in _fields(data, start, end):
                if field == GRAPH_INITIALIZER and kind == BYTES:
                    name, span = _tensor(data, a, b)
                    if span is not None:
                        spans[name] = span
    return spans


def with_values(data: bytes, values: dict[str, np.ndarray]) -> bytes:
    """A copy of the ONNX model `data` whose float16 initializers named in `values` hold those arrays (each of the
    initializer's shape); KeyError or ValueError if one is missing or differs."""
    spans = initializer_spans(data)
    out = bytearray(data)
    for name, array in values.items():
        span = spans[name]
        if span.data_type != FLOAT16 or span.dims != array.shape:
            raise ValueError(f"initializer {name} is {span.dims} of type {span.data_type}, not {array.shape} float16")
        out[span.start : span.end] = np.ascontiguousarray(array, "<f2").tobytes()
    return bytes(out)
