"""Loads and calls ahead-of-time compiled Sessa artifacts, with ctypes only.

No MLIR is needed: a machine that only runs models needs numpy and this
file. An artifact directory (written by `sessa-compile` or
`sessa.compiler.compile`) holds

    lib<name>.so    entry points with the C ABI of SessaRuntime.h
    <name>.h        their C declarations
    SessaRuntime.h  the runtime ABI header
    manifest.json   entry points, dtypes, shapes and symbols

Every public function NAME of the compiled module is exported as

    int32_t NAME(const sessa_tensor *inputs, int32_t num_inputs,
                 sessa_tensor *outputs, int32_t num_outputs,
                 sessa_status *status);

and `const sessa_module_desc *sessa_artifact_module(void)` describes the
entry points; the loader reads that description from the library itself.

    art = sessa.runtime.load("out/")         # or Artifact("out/libmodel.so")
    art.entries["forward"].inputs            # [("x", "f32", ["B", "T", 64]), ...]
    y, = art.call("forward", x, w)           # numpy in, numpy out
    y, = art.forward(x, w)                   # the same

Before a call the loader checks the number of tensors, their dtypes, ranks
and every dimension against the entry's signature (static sizes, and
symbolic sizes that must agree, such as the batch of `x` and of a cache),
and raises `ArgumentError` naming the tensor and the dimension; nothing is
converted silently. Outputs are allocated from the signature, with dynamic
sizes resolved from the inputs (derived sizes such as `P+T` included). The
artifact checks again in C; a non-zero return code raises `SessaError`.

bf16 has no numpy dtype: bf16 tensors are np.uint16 arrays of bit patterns
(`encode(x, "bf16")` / `decode(buf, "bf16")` convert from and to float32).

A directory saved by a compiled model (`CompiledLayer.save`,
`CompiledLanguageModel.save`: an artifact plus weights.npz and
sessa_model.json) loads as that model, weights bound.

CUDA artifacts (target "cuda", `sessa-compile --target=cuda`) export

    int32_t NAME(const sessa_tensor *inputs, int32_t num_inputs,
                 sessa_tensor *outputs, int32_t num_outputs,
                 void *stream, sessa_status *status);

and take device buffers: torch CUDA tensors or any object with
`__cuda_array_interface__` (CuPy, Numba, ...), dense and C-contiguous, of the
exact dtype (bf16: torch.bfloat16, or uint16 bit patterns). Host arrays are
rejected before the call. `stream=` is a CUstream: an int handle, an object
with `.cuda_stream` (torch.cuda.Stream) or `__cuda_stream__`, or a
cupy.cuda.Stream; default 0, the legacy default stream. The call is
asynchronous on that stream (like a cuBLAS call): synchronize the stream
before reading the outputs on the host.
Outputs are passed with `outputs=[...]` or allocated with torch (when the
inputs are torch tensors, or torch is installed) or CuPy, on the device of
the first input:

    art = sessa.runtime.load("out_cuda/")
    y, = art.forward(x_gpu, w_gpu, stream=torch.cuda.current_stream())

CUDA errors raise SessaError with code CUDA (7) and the failing driver call
in the message; a machine without the NVIDIA driver gives code
CUDA_UNAVAILABLE (6). Only the driver (libcuda.so.1) is needed, no toolkit.
"""

import ctypes
import json
import os

import numpy as np

__all__ = [
    "Artifact", "Entry", "BoundEntry", "PreparedCall", "SessaError", "ArgumentError", "load", "encode",
    "decode", "to_bf16", "from_bf16", "storage_dtype", "SESSA_ABI_VERSION",
    "DTYPE_CODES", "ERROR_NAMES",
]

SESSA_MAX_RANK = 8
SESSA_STATUS_MESSAGE_SIZE = 512
SESSA_ABI_VERSION = 2
SESSA_ARG_BATCH_STRIDED = 1

# sessa_dtype (values are ABI) -> (name, numpy storage dtype). bf16 is
# stored as np.uint16 bit patterns.
_DTYPES = {
    0: ("f32", np.dtype(np.float32)),
    1: ("f16", np.dtype(np.float16)),
    2: ("bf16", np.dtype(np.uint16)),
    3: ("f64", np.dtype(np.float64)),
    4: ("i32", np.dtype(np.int32)),
    5: ("i64", np.dtype(np.int64)),
}
DTYPE_CODES = {name: code for code, (name, _) in _DTYPES.items()}
_NAME_TO_NP = {name: np_dt for name, np_dt in _DTYPES.values()}
# numpy dtype -> sessa dtype name, for arrays given without a signature to
# match (uint16 is read as bf16).
_NP_TO_NAME = {np_dt: name for name, np_dt in _DTYPES.values()}

OK = 0
INVALID_ARGUMENT = 1
DTYPE_MISMATCH = 2
RANK_MISMATCH = 3
SHAPE_MISMATCH = 4
INTERNAL = 5
CUDA_UNAVAILABLE = 6
CUDA = 7
ERROR_NAMES = {
    0: "SESSA_OK",
    1: "SESSA_ERROR_INVALID_ARGUMENT",
    2: "SESSA_ERROR_DTYPE_MISMATCH",
    3: "SESSA_ERROR_RANK_MISMATCH",
    4: "SESSA_ERROR_SHAPE_MISMATCH",
    5: "SESSA_ERROR_INTERNAL",
    6: "SESSA_ERROR_CUDA_UNAVAILABLE",
    7: "SESSA_ERROR_CUDA",
}


# ----- C structures (SessaRuntime.h) ---------------------------------------

class _Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * SESSA_MAX_RANK),
        ("strides", ctypes.c_int64 * SESSA_MAX_RANK),  # elements; all 0: dense
    ]


class _Status(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_int32),
        ("message", ctypes.c_char * SESSA_STATUS_MESSAGE_SIZE),
    ]


class _ArgDesc(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("dims", ctypes.POINTER(ctypes.c_int64)),
        ("flags", ctypes.c_int32),
    ]


class _DerivedSymbol(ctypes.Structure):
    _fields_ = [
        ("symbol", ctypes.c_int32),
        ("lhs", ctypes.c_int32),
        ("rhs", ctypes.c_int32),
        ("constant", ctypes.c_int64),
    ]


class _EntryDesc(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("num_inputs", ctypes.c_int32),
        ("num_outputs", ctypes.c_int32),
        ("inputs", ctypes.POINTER(_ArgDesc)),
        ("outputs", ctypes.POINTER(_ArgDesc)),
        ("num_symbols", ctypes.c_int32),
        ("symbol_names", ctypes.POINTER(ctypes.c_char_p)),
        ("compute", ctypes.c_void_p),  # sessa_packed_fn; not called from Python
        ("num_derived", ctypes.c_int32),
        ("derived", ctypes.POINTER(_DerivedSymbol)),
    ]


class _ModuleDesc(ctypes.Structure):
    _fields_ = [
        ("abi_version", ctypes.c_int32),
        ("target", ctypes.c_char_p),
        ("num_entries", ctypes.c_int32),
        ("entries", ctypes.POINTER(_EntryDesc)),
    ]


_ENTRY_FN = ctypes.CFUNCTYPE(
    ctypes.c_int32,
    ctypes.POINTER(_Tensor), ctypes.c_int32,
    ctypes.POINTER(_Tensor), ctypes.c_int32,
    ctypes.POINTER(_Status),
)
# CUDA artifacts: the same with a CUstream before the status.
_CUDA_ENTRY_FN = ctypes.CFUNCTYPE(
    ctypes.c_int32,
    ctypes.POINTER(_Tensor), ctypes.c_int32,
    ctypes.POINTER(_Tensor), ctypes.c_int32,
    ctypes.c_void_p,
    ctypes.POINTER(_Status),
)


# ----- Errors ----------------------------------------------------------------

class SessaError(RuntimeError):
    """A non-zero sessa_error_code, from an entry point or from the loader's
    own checks. `.code` is the sessa_error_code, `.message` the text."""

    def __init__(self, code, message):
        self.code = int(code)
        self.message = message
        name = ERROR_NAMES.get(self.code, "unknown error")
        super().__init__("%s (%d): %s" % (name, self.code, message))


class ArgumentError(SessaError, ValueError):
    """Arguments that do not match an entry's signature, found by the loader
    before calling (nothing was run)."""


# ----- bf16 / f16 buffers ------------------------------------------------------

def to_bf16(x):
    """float -> bf16 bit patterns (np.uint16), rounded to nearest even."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    nan = np.isnan(np.ascontiguousarray(x, dtype=np.float32))
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    if nan.any():
        r[nan] = 0x7FC0
    return r


def from_bf16(b):
    """bf16 bit patterns (np.uint16) -> float32."""
    return (np.asarray(b, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def storage_dtype(dtype):
    """The numpy dtype that holds a tensor of sessa dtype `dtype` ("f32",
    "f16", "bf16" -> np.uint16, "f64", "i32", "i64")."""
    try:
        return _NAME_TO_NP[dtype]
    except KeyError:
        raise ValueError("unknown sessa dtype %r (known: %s)" % (dtype, ", ".join(_NAME_TO_NP)))


def encode(x, dtype):
    """A C-contiguous buffer of `x` in sessa dtype `dtype` (bf16: np.uint16
    bit patterns, rounded to nearest even; other dtypes: a numpy cast)."""
    if dtype == "bf16":
        return to_bf16(x)
    return np.ascontiguousarray(x, dtype=storage_dtype(dtype))


def decode(buf, dtype, to=np.float32):
    """The values of a buffer of sessa dtype `dtype`, as `to` (float32)."""
    if dtype == "bf16":
        return from_bf16(buf).astype(to, copy=False)
    return np.asarray(buf).astype(to, copy=False)


# ----- Entry points --------------------------------------------------------------

def _dtype_name(code):
    return _DTYPES.get(code, ("unknown",))[0]


def _decode_str(b):
    return b.decode("utf-8", "replace") if b is not None else None


def _fmt_dims(dims):
    return "[%s]" % ", ".join(str(d) for d in dims)


class Entry:
    """One entry point: `.inputs` / `.outputs` are lists of (name, dtype, dims),
    where dtype is "f32", "f16", "bf16", "f64", "i32" or "i64" and each dim is
    an int (static) or the symbol name (str, dynamic). `.derived` lists
    (symbol, lhs, rhs or None, constant): symbol = lhs + rhs + constant."""

    def __init__(self, desc, fn, artifact=None):
        self.name = _decode_str(desc.name)
        self.symbols = [_decode_str(desc.symbol_names[i]) for i in range(desc.num_symbols)]
        self.inputs = [self._arg(desc.inputs[i]) for i in range(desc.num_inputs)]
        self.outputs = [self._arg(desc.outputs[i]) for i in range(desc.num_outputs)]
        # Caches of sessa.layer: rows dense, batch stride free (views of a
        # larger [B, capacity, ...] buffer; see SessaRuntime.h).
        self.batch_strided_inputs = [bool(desc.inputs[i].flags & SESSA_ARG_BATCH_STRIDED)
                                     for i in range(desc.num_inputs)]
        self.batch_strided_outputs = [bool(desc.outputs[i].flags & SESSA_ARG_BATCH_STRIDED)
                                      for i in range(desc.num_outputs)]
        self.derived = []
        for i in range(desc.num_derived):
            dv = desc.derived[i]
            self.derived.append((self.symbols[dv.symbol], self.symbols[dv.lhs],
                                 self.symbols[dv.rhs] if dv.rhs >= 0 else None,
                                 int(dv.constant)))
        self._fn = fn
        self._artifact = artifact

    def _arg(self, a):
        dims = []
        for i in range(a.rank):
            v = int(a.dims[i])
            if v >= 0:
                dims.append(v)
            else:
                sym = -v - 1
                if sym >= len(self.symbols):
                    raise ValueError("entry %r: argument %r uses symbol #%d of %d"
                                     % (self.name, _decode_str(a.name), sym, len(self.symbols)))
                dims.append(self.symbols[sym])
        return (_decode_str(a.name), _dtype_name(a.dtype), dims)

    @property
    def input_names(self):
        return [n for n, _, _ in self.inputs]

    @property
    def output_names(self):
        return [n for n, _, _ in self.outputs]

    def __call__(self, *inputs, outputs=None, check=True, stream=None):
        if self._artifact is None:
            raise RuntimeError("entry %r is not bound to an artifact" % self.name)
        return self._artifact.call(self.name, *inputs, outputs=outputs, check=check,
                                   stream=stream)

    def signature(self):
        """A one-line description: name(x: f32[B, T, 64], ...) -> (y: ...)."""
        def fmt(args):
            return ", ".join("%s: %s%s" % (n, dt, _fmt_dims(dims)) for n, dt, dims in args)
        return "%s(%s) -> (%s)" % (self.name, fmt(self.inputs), fmt(self.outputs))

    def __repr__(self):
        return "Entry(%s)" % self.signature()

    # -- checking -------------------------------------------------------------

    # Messages use the vocabulary of the C runtime (SessaRuntime.c), with
    # the entry's name in front and the shapes after.

    def check_count(self, n, what="input"):
        want = len(self.inputs) if what == "input" else len(self.outputs)
        if n != want:
            names = self.input_names if what == "input" else self.output_names
            raise ArgumentError(
                INVALID_ARGUMENT, "entry %r: expected %d %s%s, got %d (%ss: %s)"
                % (self.name, want, what, "" if want == 1 else "s", n, what, ", ".join(names)))

    def check_inputs(self, shapes, dtypes):
        """Checks input `shapes` / `dtypes` (sessa dtype names) against the
        signature; returns {symbol: size} with the derived symbols. Raises
        ArgumentError naming the tensor and the dimension."""
        self.check_count(len(shapes))
        bound, origin = {}, {}
        for i, (shape, got_dt) in enumerate(zip(shapes, dtypes)):
            self.check_one(i, shape, got_dt, bound, origin)
        self.bind_derived(bound, origin)
        return bound

    def bind_derived(self, bound, origin):
        for sym, lhs, rhs, constant in self.derived:
            if sym not in bound and lhs in bound and (rhs is None or rhs in bound):
                bound[sym] = bound[lhs] + (bound[rhs] if rhs is not None else 0) + constant
                terms = [lhs] + ([rhs] if rhs is not None else []) + \
                    (["%d" % constant] if constant else [])
                origin[sym] = "= %s" % " + ".join(terms)

    def check_one(self, pos, shape, got_dt, bound, origin, output=False):
        """Checks input (or output) number `pos`; binds its symbols."""
        name, dt, dims = (self.outputs if output else self.inputs)[pos]
        label = "%s %d (%r)" % ("output" if output else "input", pos, name)
        pre = "entry %r: %s" % (self.name, label)
        if got_dt != dt:
            hint = ""
            if dt == "bf16":
                hint = " (bf16 buffers are np.uint16 bit patterns: sessa.runtime.encode(x, 'bf16'))"
            elif dt in ("f32", "f16", "f64", "i32", "i64"):
                hint = " (convert with .astype(np.%s))" % _NAME_TO_NP[dt].name
            raise ArgumentError(DTYPE_MISMATCH, "%s: expected dtype %s, got %s%s"
                                % (pre, dt, got_dt, hint))
        if len(shape) != len(dims):
            raise ArgumentError(RANK_MISMATCH, "%s: expected rank %d, got %d (shape %s, "
                                "expected %s)" % (pre, len(dims), len(shape), _fmt_dims(shape),
                                                  _fmt_dims(dims)))
        for d, (want, got) in enumerate(zip(dims, shape)):
            got = int(got)
            if isinstance(want, str):
                if want not in bound:
                    bound[want] = got
                    origin[want] = "by %s dimension %d" % (label, d)
                elif bound[want] != got:
                    how = origin[want]
                    how = ("was bound to %d %s" % (bound[want], how) if how.startswith("by ")
                           else "is %d %s" % (bound[want], how))
                    raise ArgumentError(
                        SHAPE_MISMATCH, "%s: dimension %d is %d but symbol '%s' %s (shape %s, "
                        "expected %s)" % (pre, d, got, want, how, _fmt_dims(shape),
                                          _fmt_dims(dims)))
            elif want != got:
                raise ArgumentError(
                    SHAPE_MISMATCH,
                    "%s: dimension %d is %d but expected %d (shape %s, expected %s)"
                    % (pre, d, got, want, _fmt_dims(shape), _fmt_dims(dims)))

    def output_shapes_from(self, bound):
        shapes = []
        for out_name, _, dims in self.outputs:
            shape = []
            for dim in dims:
                if isinstance(dim, str):
                    if dim not in bound:
                        raise ArgumentError(
                            INVALID_ARGUMENT,
                            "entry %r: output %r dimension %r cannot be resolved from the inputs"
                            % (self.name, out_name, dim))
                    shape.append(bound[dim])
                else:
                    shape.append(dim)
            shapes.append(tuple(shape))
        return shapes


# ----- Arrays: host (numpy) and device (CUDA) ----------------------------------

def _is_torch_tensor(x):
    return type(x).__module__.startswith("torch") and hasattr(x, "data_ptr")


_TORCH_DTYPES = {"torch.float32": "f32", "torch.float16": "f16", "torch.bfloat16": "bf16",
                 "torch.float64": "f64", "torch.int32": "i32", "torch.int64": "i64"}
_TYPESTR = {"<f4": "f32", "<f2": "f16", "<f8": "f64", "<i4": "i32", "<i8": "i64",
            "<u2": "bf16"}  # 2-byte unsigned: bf16 bit patterns, as on the host


class DeviceArray:
    """A CUDA buffer described for the C ABI: raw device pointer, sessa dtype
    name, shape. Made from an object with `__cuda_array_interface__` (CuPy,
    Numba, torch, ...) or a torch CUDA tensor (which also covers bf16, that
    the interface cannot express). Must be dense and C-contiguous."""

    def __init__(self, obj, what="argument", batch_strided=False):
        self.obj = obj  # keeps the memory alive during the call
        self.strides = None  # element strides of a batch view, else dense
        if _is_torch_tensor(obj):
            if not getattr(obj, "is_cuda", False):
                raise TypeError("%s: a torch tensor on %s, expected a CUDA tensor"
                                % (what, getattr(obj, "device", "the CPU")))
            if not obj.is_contiguous():
                view = _batch_view_strides(obj.shape, obj.stride()) if batch_strided else None
                if view is None:
                    raise ValueError("%s: the torch tensor is not contiguous (call "
                                     ".contiguous())%s" % (what, " and is not a view of the "
                                     "first rows of a larger [B, capacity, ...] cache buffer"
                                     if batch_strided else ""))
                self.strides = view
            dt = _TORCH_DTYPES.get(str(obj.dtype))
            if dt is None:
                raise TypeError("%s: torch dtype %s is not supported" % (what, obj.dtype))
            _FAST_TYPES.add(type(obj))
            self.ptr = int(obj.data_ptr())
            self.dtype = dt
            self.shape = tuple(int(s) for s in obj.shape)
            return
        cai = getattr(obj, "__cuda_array_interface__", None)
        if cai is None:
            raise TypeError("%s: %s is neither a torch CUDA tensor nor has "
                            "__cuda_array_interface__" % (what, type(obj).__name__))
        shape = tuple(int(s) for s in cai["shape"])
        typestr = cai["typestr"]
        if typestr.startswith("|") and typestr[1:] in ("u1", "i1"):
            typestr = "<" + typestr[1:]
        dt = _TYPESTR.get(typestr)
        if dt is None:
            raise TypeError("%s: __cuda_array_interface__ typestr %r is not supported (%s)"
                            % (what, cai["typestr"], ", ".join(sorted(_TYPESTR))))
        strides = cai.get("strides")
        if strides is not None:
            itemsize = int(typestr[2:])
            expect, acc = [], itemsize
            for s in reversed(shape):
                expect.append(acc)
                acc *= max(s, 1)
            if tuple(strides) != tuple(reversed(expect)) and 0 not in shape:
                view = None
                if batch_strided and all(st % itemsize == 0 for st in strides):
                    view = _batch_view_strides(shape, [st // itemsize for st in strides])
                if view is None:
                    raise ValueError("%s: the CUDA array is not C-contiguous (strides %s)"
                                     % (what, tuple(strides)))
                self.strides = view
        data = cai["data"]
        self.ptr = int(data[0]) if data and data[0] is not None else 0
        self.readonly = bool(data[1]) if data else False
        self.dtype = dt
        self.shape = shape

    def tensor(self):
        t = _Tensor()
        t.data = self.ptr or None
        t.dtype = DTYPE_CODES[self.dtype]
        t.rank = len(self.shape)
        for i, n in enumerate(self.shape):
            t.shape[i] = n
        if self.strides is not None:
            for i, st in enumerate(self.strides):
                t.strides[i] = st
        return t


def _dense_strides(shape):
    out, acc = [], 1
    for n in reversed(shape):
        out.append(acc)
        acc *= max(int(n), 1)
    return list(reversed(out))


def _batch_view_strides(shape, strides):
    """`strides` (elements) if they describe dense rows with a batch stride of
    at least one batch (a view of the first rows of a larger buffer), None if
    not; dimensions of size 1 or empty tensors have no stride that matters."""
    shape, strides = [int(n) for n in shape], [int(x) for x in strides]
    if 0 in shape:
        return [0] * len(shape)
    dense = _dense_strides(shape)
    for d in range(1, len(shape)):
        if shape[d] != 1 and strides[d] != dense[d]:
            return None
    if len(shape) and shape[0] != 1 and strides[0] < dense[0]:
        return None
    return strides


def _host_tensor(arr, dtype_name):
    """The sessa_tensor of a numpy array: dense (strides left zero), or a
    batch view (its element strides; the entry checks that it may be)."""
    t = _Tensor()
    t.data = arr.ctypes.data  # non-NULL even for empty arrays
    t.dtype = DTYPE_CODES[dtype_name]
    t.rank = arr.ndim
    for i, n in enumerate(arr.shape):
        t.shape[i] = n
    if not arr.flags.c_contiguous:
        strides = _np_batch_view(arr)
        if strides is None:
            raise ValueError("a numpy array that is neither C-contiguous nor a batch view "
                             "of a cache buffer (strides %s)" % (arr.strides,))
        for i, st in enumerate(strides):
            t.strides[i] = st
    return t


def _row_capacity(obj, tensor):
    """(rows, reason): how many rows the batch-strided view `obj` (numpy
    array or DeviceArray) may grow to within the memory it views, keeping
    its batch stride, or (None, why not). Makes the descriptor's strides
    explicit when there is more than one batch, so that they stay right
    when the rows change."""
    shape = tuple(int(s) for s in (obj.shape))
    if len(shape) < 2:
        return None, "not a cache view"
    row = 1
    for s in shape[2:]:
        row *= s
    if isinstance(obj, DeviceArray):
        base = obj.obj
        if not _is_torch_tensor(base):
            return None, "the extent of a __cuda_array_interface__ buffer is unknown; " \
                "pass torch tensors"
        itemsize = base.element_size()
        storage = base.untyped_storage()
        low, high = int(storage.data_ptr()), int(storage.data_ptr()) + int(storage.nbytes())
        ptr = obj.ptr
        bstride = int(base.stride()[0]) if shape[0] > 1 else None
    else:
        owner = obj
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        try:
            from numpy.lib.array_utils import byte_bounds
        except ImportError:  # numpy < 2
            byte_bounds = np.byte_bounds
        low, high = byte_bounds(owner)
        itemsize = obj.itemsize
        ptr = obj.ctypes.data
        bstride = obj.strides[0] // itemsize if shape[0] > 1 else None
    if row == 0 or shape[0] == 0:
        return None, "the cache has no elements per row"
    start = (ptr - low) // itemsize
    room = (high - low) // itemsize - start
    if bstride is not None:
        room -= (shape[0] - 1) * bstride
        rows = min(room // row, bstride // row)
        # Explicit strides (the batch stride, then dense rows), which do not
        # depend on the number of rows.
        acc = 1
        for d in range(len(shape) - 1, 0, -1):
            tensor.strides[d] = acc
            acc *= shape[d]
        tensor.strides[0] = bstride
    else:
        rows = room // row
    return max(int(rows), 0), ""


def _np_batch_view(arr):
    """The element strides of numpy array `arr` if it is a batch view (see
    _batch_view_strides), else None."""
    if arr.itemsize == 0 or any(st % arr.itemsize for st in arr.strides):
        return None
    return _batch_view_strides(arr.shape, [st // arr.itemsize for st in arr.strides])


def _is_device_array(x):
    return (_is_torch_tensor(x) and getattr(x, "is_cuda", False)) or \
        hasattr(x, "__cuda_array_interface__")


def _stream_handle(stream):
    """A CUstream as an int: None/0 (the legacy default stream), an int, an
    object with `.cuda_stream` (torch.cuda.Stream), the `__cuda_stream__`
    protocol, or a cupy.cuda.Stream (`.ptr`)."""
    if stream is None:
        return 0
    if hasattr(stream, "cuda_stream"):
        stream = stream.cuda_stream
    elif hasattr(stream, "__cuda_stream__"):
        stream = stream.__cuda_stream__()[1]
    elif type(stream).__module__.startswith("cupy") and hasattr(stream, "ptr"):
        stream = stream.ptr
    if isinstance(stream, bool) or not isinstance(stream, int):
        try:
            import operator
            stream = operator.index(stream)
        except TypeError:
            raise TypeError("stream must be an int CUstream handle or an object with "
                            ".cuda_stream (torch.cuda.Stream), __cuda_stream__ or a "
                            "cupy.cuda.Stream, got %s"
                            % type(stream).__name__) from None
    if stream < 0:
        raise ValueError("stream handle %d is negative" % stream)
    return stream


# ----- Repeated CUDA calls on the same torch tensors -----------------------------
#
# Describing and checking the arguments of a call in Python costs several
# microseconds a tensor (tens of tensors for a layer: more than 100 us, as
# much as a tenth of the layer's GPU time, spent before its first kernel is
# enqueued). A call whose arguments are all torch CUDA tensors is keyed by
# what the checks and the descriptors depend on -- each tensor's data
# pointer, shape, strides, dtype and device kind, the stream and `check` --
# and a call with a key seen before (and run without error) reuses the
# described arguments: no Python checks, no descriptors built. The key holds
# no reference to the tensors (their memory may be freed: a new tensor at the
# same address with the same shape is described the same). The C entry still
# checks every call (dtypes, shapes, device pointers).

_FAST_TYPES = set()   # torch tensor classes seen on CUDA by DeviceArray
_FAST_LIMIT = 256     # described calls kept per artifact (then forgotten)


def _fast_key(args):
    """The key of `args` (torch CUDA tensor classes only), or None."""
    key = []
    for x in args:
        if type(x) not in _FAST_TYPES:
            return None
        key.append((x.data_ptr(), x.shape, x.stride(), x.dtype, x.is_cuda))
    return tuple(key)


def _run_described(fn, in_arr, n_in, out_arr, n_out, stream):
    status = _Status()
    rc = fn(in_arr, n_in, out_arr, n_out, stream, ctypes.byref(status))
    if rc != 0:
        raise SessaError(rc, _decode_str(status.message))


_TORCH_DTYPE_NAMES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16",
                      "f64": "float64", "i32": "int32", "i64": "int64"}


def _alloc_device_outputs(entry, shapes, like):
    """Device buffers for the outputs of `entry`: torch tensors on the device
    of `like` (a torch CUDA tensor, or torch is importable), else CuPy."""
    torch = None
    if like is not None and _is_torch_tensor(like):
        import torch
    else:
        try:
            import torch  # noqa: F811
            if not torch.cuda.is_available():
                torch = None
        except ImportError:
            torch = None
    if torch is not None:
        device = like.device if like is not None and _is_torch_tensor(like) else "cuda"
        return [torch.empty(shape, dtype=getattr(torch, _TORCH_DTYPE_NAMES[dt]), device=device)
                for (_, dt, _), shape in zip(entry.outputs, shapes)]
    try:
        import cupy
    except ImportError:
        raise RuntimeError("entry %r: cannot allocate CUDA outputs: neither torch (with CUDA) "
                           "nor cupy is installed; pass outputs=[...]" % entry.name) from None
    outs = []
    for (name, dt, _), shape in zip(entry.outputs, shapes):
        np_dt = _NAME_TO_NP[dt]  # bf16: uint16 bit patterns
        outs.append(cupy.empty(shape, dtype=np_dt))
    return outs


# ----- Artifacts ------------------------------------------------------------------

class Artifact:
    """A loaded artifact (shared library) and its entry points.

    `path` is the shared library or the artifact directory (its
    manifest.json names the library). Entry points are in `.entries` and,
    when their names are valid Python attributes, also `art.<name>(...)`."""

    def __init__(self, path):
        path = os.path.abspath(os.fspath(path))
        self.manifest = None
        if os.path.isdir(path):
            manifest_path = os.path.join(path, "manifest.json")
            if not os.path.exists(manifest_path):
                raise FileNotFoundError("%s is not an artifact directory (no manifest.json)" % path)
            with open(manifest_path) as f:
                self.manifest = json.load(f)
            lib = self.manifest.get("library") or "lib%s.so" % self.manifest["name"]
            self.directory = path
            self.path = os.path.join(path, lib)
        else:
            self.directory = os.path.dirname(path)
            self.path = path
            manifest_path = os.path.join(self.directory, "manifest.json")
            if os.path.exists(manifest_path):
                with open(manifest_path) as f:
                    manifest = json.load(f)
                if manifest.get("library") == os.path.basename(path):
                    self.manifest = manifest
        if not os.path.exists(self.path):
            raise FileNotFoundError("artifact library %s not found" % self.path)
        self._lib = ctypes.CDLL(self.path)
        try:
            get_module = self._lib.sessa_artifact_module
        except AttributeError:
            raise ValueError("%s does not export sessa_artifact_module()" % self.path)
        get_module.restype = ctypes.POINTER(_ModuleDesc)
        get_module.argtypes = []
        mod_ptr = get_module()
        if not mod_ptr:
            raise ValueError("%s: sessa_artifact_module() returned NULL" % self.path)
        mod = mod_ptr.contents
        if mod.abi_version != SESSA_ABI_VERSION:
            raise ValueError("%s: ABI version %d, this loader supports %d"
                             % (self.path, mod.abi_version, SESSA_ABI_VERSION))
        self.abi_version = mod.abi_version
        self.target = _decode_str(mod.target)
        self.name = (self.manifest or {}).get("name") or \
            os.path.splitext(os.path.basename(self.path))[0][3:]
        self.entries = {}
        self._described = {}  # repeated CUDA calls (see _fast_key)
        for i in range(mod.num_entries):
            desc = mod.entries[i]
            name = _decode_str(desc.name)
            fn = (_CUDA_ENTRY_FN if self.target == "cuda" else _ENTRY_FN)((name, self._lib))
            self.entries[name] = Entry(desc, fn, self)
        if self.manifest is not None:
            listed = sorted(e["name"] for e in self.manifest.get("entries", []))
            if listed != sorted(self.entries):
                raise ValueError("%s: manifest.json lists entries %s but the library has %s"
                                 % (self.directory, listed, sorted(self.entries)))

    def __repr__(self):
        return "Artifact(%r, target=%r, entries=%s)" % (self.path, self.target,
                                                        sorted(self.entries))

    def __getattr__(self, name):
        entries = self.__dict__.get("entries")
        if entries is not None and name in entries:
            return entries[name]
        raise AttributeError("%s has no attribute or entry point %r" % (type(self).__name__, name))

    def memory_stats(self, reset_peak=False):
        """CUDA artifacts: (live, peak) bytes of device memory held by the
        temporaries of compiled code (process-wide; the peak since the last
        reset, `reset_peak=True` resets it after reading). The peak over one
        call is the extra device memory it needs beyond its arguments."""
        if self.target != "cuda":
            raise ValueError("memory_stats() is for CUDA artifacts (this one targets %s)"
                             % self.target)
        fn = self._lib.sessa_cuda_memory_stats
        fn.restype = None
        fn.argtypes = [ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64),
                       ctypes.c_int32]
        live, peak = ctypes.c_int64(0), ctypes.c_int64(0)
        fn(ctypes.byref(live), ctypes.byref(peak), 1 if reset_peak else 0)
        return live.value, peak.value

    def cached_bytes(self):
        """CUDA artifacts: bytes of freed temporaries the runtime keeps for
        reuse by later calls on the same stream (process-wide, at most
        SESSA_CUDA_CACHE_MB megabytes, default 256; not counted by
        memory_stats())."""
        if self.target != "cuda":
            raise ValueError("cached_bytes() is for CUDA artifacts (this one targets %s)"
                             % self.target)
        fn = self._lib.sessa_cuda_cached_bytes
        fn.restype = ctypes.c_int64
        fn.argtypes = []
        return int(fn())

    def launch_stats(self, reset=False):
        """CUDA artifacts: (launches, pdl_launches, pdl_rejected): the kernel
        launches of this artifact's runtime since the last reset, those made
        with programmatic dependent launch (kernels built for sm_90+ wait
        for the previous grid; SESSA_CUDA_PDL=0 turns it off), and the
        driver's error code if it rejected that launch attribute (0 if
        not). `reset=True` zeroes the counts after reading."""
        if self.target != "cuda":
            raise ValueError("launch_stats() is for CUDA artifacts (this one targets %s)"
                             % self.target)
        fn = self._lib.sessa_cuda_launch_stats
        fn.restype = None
        fn.argtypes = [ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64),
                       ctypes.POINTER(ctypes.c_int32), ctypes.c_int32]
        n, pdl, rejected = ctypes.c_int64(0), ctypes.c_int64(0), ctypes.c_int32(0)
        fn(ctypes.byref(n), ctypes.byref(pdl), ctypes.byref(rejected), 1 if reset else 0)
        return n.value, pdl.value, rejected.value

    def describe(self):
        """A multi-line description of every entry point."""
        lines = ["artifact %s (target %s): %s" % (self.name, self.target, self.path)]
        for e in self.entries.values():
            lines.append("  " + e.signature())
            for sym, lhs, rhs, c in e.derived:
                terms = [lhs] + ([rhs] if rhs else []) + ([str(c)] if c else [])
                lines.append("    %s = %s" % (sym, " + ".join(terms)))
        return "\n".join(lines)

    def _entry(self, name):
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError("artifact %s has no entry %r (has: %s)"
                           % (self.path, name, ", ".join(sorted(self.entries))))

    def output_shapes(self, name, *inputs):
        """The output shapes of entry `name` for these inputs (checked)."""
        entry = self._entry(name)
        ins = [self._prepare(entry, i, x) for i, x in enumerate(inputs)]
        bound = entry.check_inputs([x.shape for x in ins], [self._dtype_of(x) for x in ins])
        return entry.output_shapes_from(bound)

    @staticmethod
    def _dtype_of(x):
        if isinstance(x, DeviceArray):
            return x.dtype
        name = _NP_TO_NAME.get(x.dtype)
        return str(x.dtype) if name is None else name

    def _prepare(self, entry, i, x):
        """An input as a C-contiguous numpy array (CPU) or a DeviceArray."""
        label = "entry %r input %d" % (entry.name, i)
        if i < len(entry.inputs):
            label += " (%r)" % entry.inputs[i][0]
        strided = i < len(entry.inputs) and entry.batch_strided_inputs[i]
        if self.target == "cuda":
            if isinstance(x, DeviceArray):
                return x
            if not _is_device_array(x):
                raise TypeError("%s: a host %s, but artifact %s runs on CUDA: pass a torch "
                                "CUDA tensor or an object with __cuda_array_interface__ (device "
                                "memory)" % (label, type(x).__name__, self.name))
            return DeviceArray(x, label, batch_strided=strided)
        if _is_device_array(x) and not isinstance(x, np.ndarray):
            raise TypeError("%s: a CUDA array, but artifact %s runs on the CPU: pass a numpy "
                            "array" % (label, self.name))
        if not isinstance(x, np.ndarray):
            if _is_torch_tensor(x):  # a CPU torch tensor
                x = x.detach().numpy()
            else:
                # Python scalars / lists: take the declared dtype.
                want = entry.inputs[i][1] if i < len(entry.inputs) else None
                x = np.asarray(x, dtype=_NAME_TO_NP.get(want))
        if strided and not x.flags.c_contiguous and _np_batch_view(x) is not None:
            return x  # a view of the first rows of a larger cache buffer
        return np.ascontiguousarray(x)

    def _prepare_output(self, entry, i, o):
        """A caller's output as a writeable numpy array (CPU) or a
        DeviceArray: C-contiguous, or for a cache output of sessa.layer a
        view of the first rows of a larger [B, capacity, ...] buffer."""
        label = "entry %r output %d" % (entry.name, i)
        strided = i < len(entry.outputs) and entry.batch_strided_outputs[i]
        if self.target == "cuda":
            if not _is_device_array(o) and not isinstance(o, DeviceArray):
                raise TypeError("%s: a host %s, but artifact %s runs on CUDA: pass a "
                                "torch CUDA tensor or an object with "
                                "__cuda_array_interface__" % (label, type(o).__name__,
                                                              self.name))
            o = o if isinstance(o, DeviceArray) else DeviceArray(o, label, batch_strided=strided)
            if getattr(o, "readonly", False):
                raise ArgumentError(INVALID_ARGUMENT, "%s is read-only" % label)
            return o
        view_ok = strided and isinstance(o, np.ndarray) and _np_batch_view(o) is not None
        if not isinstance(o, np.ndarray) or not (o.flags.c_contiguous or view_ok) \
                or not o.flags.writeable:
            raise ArgumentError(INVALID_ARGUMENT, "%s must be a writeable C-contiguous "
                                "numpy array%s" % (label, " (or a view of the first rows of "
                                "a larger [B, capacity, ...] cache buffer)" if strided else ""))
        return o

    def call(self, name, *inputs, outputs=None, check=True, stream=None):
        """Calls entry `name`; returns the list of outputs.

        CUDA artifacts take device arrays (torch CUDA tensors, objects with
        __cuda_array_interface__), never host arrays, and run asynchronously
        on `stream` (see the module's description); outputs not given are
        allocated with torch or CuPy. `stream` is only for CUDA artifacts.

        CPU artifacts take numpy arrays (made C-contiguous if needed, never
        converted to another dtype). With `check` (the default) they are
        checked against the signature first (ArgumentError); check=False
        leaves every check to the artifact (SessaError). `outputs`, if
        given, are filled in place (writeable, C-contiguous, exact dtype and
        shape); otherwise they are allocated. Raises SessaError on a
        non-zero return code.
        """
        cuda = self.target == "cuda"
        fast = self._fast_call_key(name, inputs, outputs, stream, check) \
            if cuda and outputs is not None else None
        if fast is not None:
            hit = self._described.get(fast)
            if hit is not None:
                _run_described(*hit, fast[1])
                return list(outputs)
        entry = self._entry(name)
        if stream is not None and not cuda:
            raise TypeError("entry %r: stream= is only for CUDA artifacts (artifact %s "
                            "targets %s)" % (name, self.name, self.target))
        stream_handle = _stream_handle(stream) if cuda else None
        ins = [self._prepare(entry, i, x) for i, x in enumerate(inputs)]
        in_dtypes = [self._dtype_of(x) for x in ins]
        bound = None
        if check:
            entry.check_count(len(ins))
            bound, origins = {}, {}
            for i, x in enumerate(ins):
                entry.check_one(i, x.shape, in_dtypes[i], bound, origins)
            entry.bind_derived(bound, origins)

        results = None
        if outputs is None:
            if bound is None:
                bound = self._loose_bind(entry, ins)
            shapes = entry.output_shapes_from(bound)
            if cuda:
                like = inputs[0] if inputs else None
                results = _alloc_device_outputs(entry, shapes, like)
                outs = [DeviceArray(o, "entry %r output %d" % (name, i))
                        for i, o in enumerate(results)]
            else:
                outs = [np.empty(shape, dtype=_NAME_TO_NP[dt])
                        for (_, dt, _), shape in zip(entry.outputs, shapes)]
            out_dtypes = [dt for _, dt, _ in entry.outputs]
        else:
            results = list(outputs)
            outs = [self._prepare_output(entry, i, o) for i, o in enumerate(outputs)]
            out_dtypes = [self._dtype_of(o) for o in outs]
            if check:
                entry.check_count(len(outs), "output")
                for i, o in enumerate(outs):
                    entry.check_one(i, o.shape, out_dtypes[i], bound, origins, output=True)

        in_arr = (_Tensor * max(len(ins), 1))()
        for i, (x, dt) in enumerate(zip(ins, in_dtypes)):
            if dt not in DTYPE_CODES:
                raise ArgumentError(DTYPE_MISMATCH, "entry %r input %d: numpy dtype %s has no "
                                    "sessa dtype" % (name, i, dt))
            in_arr[i] = x.tensor() if isinstance(x, DeviceArray) else \
                _host_tensor(x, dt)
        out_arr = (_Tensor * max(len(outs), 1))()
        for i, (o, dt) in enumerate(zip(outs, out_dtypes)):
            if dt not in DTYPE_CODES:
                raise ArgumentError(DTYPE_MISMATCH, "entry %r output %d: numpy dtype %s has no "
                                    "sessa dtype" % (name, i, dt))
            out_arr[i] = o.tensor() if isinstance(o, DeviceArray) else \
                _host_tensor(o, dt)
        status = _Status()
        if cuda:
            rc = entry._fn(in_arr, len(ins), out_arr, len(outs), stream_handle,
                           ctypes.byref(status))
        else:
            rc = entry._fn(in_arr, len(ins), out_arr, len(outs), ctypes.byref(status))
        if rc != 0:
            raise SessaError(rc, _decode_str(status.message))
        if cuda and outputs is not None:
            if fast is None:  # the first torch tensors seen make the key possible
                fast = self._fast_call_key(name, inputs, outputs, stream, check)
            if fast is not None:
                if len(self._described) >= _FAST_LIMIT:
                    self._described.clear()
                self._described[fast] = (entry._fn, in_arr, len(ins), out_arr, len(outs))
        if cuda:
            return results if results is not None else [o.obj for o in outs]
        return outs

    @staticmethod
    def _fast_call_key(name, inputs, outputs, stream, check):
        """The key of a CUDA call on torch tensors (see _fast_key), or None."""
        kin = _fast_key(inputs)
        kout = _fast_key(outputs) if kin is not None else None
        if kout is None:
            return None
        return (name, _stream_handle(stream), bool(check), kin, kout)

    def bind(self, name, fixed):
        """Entry `name` with the inputs in `fixed` ({input name or index:
        array}) bound once: returns a BoundEntry, called with the remaining
        inputs in order (faster for repeated calls, e.g. decode steps)."""
        return BoundEntry(self, name, fixed)

    @staticmethod
    def _loose_bind(entry, ins):
        """Symbol sizes from the first input dimension that carries each one
        (no checks: for check=False)."""
        bound = {}
        for (_, _, dims), arr in zip(entry.inputs, ins):
            for i, dim in enumerate(dims):
                if isinstance(dim, str) and i < len(arr.shape) and dim not in bound:
                    bound[dim] = int(arr.shape[i])
        for sym, lhs, rhs, constant in entry.derived:
            if sym not in bound and lhs in bound and (rhs is None or rhs in bound):
                bound[sym] = bound[lhs] + (bound[rhs] if rhs else 0) + constant
        return bound


class BoundEntry:
    """An entry point with some inputs fixed once (weights): they are checked
    and described when bound, and each call passes only the other inputs,
    in order, checked as by `Artifact.call`. Made by `Artifact.bind`."""

    def __init__(self, artifact, name, fixed):
        entry = artifact._entry(name)
        self.artifact = artifact
        self.entry = entry
        n = len(entry.inputs)
        by_index = {}
        for key, arr in fixed.items():
            i = entry.input_names.index(key) if isinstance(key, str) else int(key)
            if not 0 <= i < n:
                raise IndexError("entry %r has no input %r" % (name, key))
            by_index[i] = arr
        self._bound_symbols, self._origin = {}, {}
        self._arrays = {}
        self._template = (_Tensor * max(n, 1))()
        for i, arr in sorted(by_index.items()):
            arr = artifact._prepare(entry, i, arr)
            dt = entry.inputs[i][1]
            entry.check_one(i, arr.shape, artifact._dtype_of(arr), self._bound_symbols,
                            self._origin)
            self._arrays[i] = arr  # keeps the memory alive
            self._template[i] = arr.tensor() if isinstance(arr, DeviceArray) \
                else _host_tensor(arr, dt)
        self.free = [i for i in range(n) if i not in by_index]
        self.free_names = [entry.inputs[i][0] for i in self.free]
        self._described = {}  # repeated CUDA calls (see _fast_key)

    def __call__(self, *inputs, outputs=None, stream=None):
        """Runs the entry with the free inputs; `outputs`, if given, are
        filled in place as by `Artifact.call` (a cache output may be the
        same memory as its cache input: decoding in place). CUDA calls
        repeated on the same torch tensors reuse their description (see
        `Artifact.call`)."""
        cuda = self.artifact.target == "cuda" and outputs is not None
        fast = Artifact._fast_call_key(None, inputs, outputs, stream, True) if cuda else None
        if fast is not None:
            hit = self._described.get(fast)
            if hit is not None:
                _run_described(*hit, fast[1])
                return list(outputs)
        call = self.prepare(*inputs, outputs=outputs, stream=stream)
        result = call()
        if cuda and fast is None:
            fast = Artifact._fast_call_key(None, inputs, outputs, stream, True)
        if fast is not None:
            if len(self._described) >= _FAST_LIMIT:
                self._described.clear()
            self._described[fast] = (self.entry._fn, call._in, call._n, call._out,
                                     len(call.outputs))
        return result

    def prepare(self, *inputs, outputs=None, stream=None):
        """Checks and describes one call (as `__call__` does) without
        running it: returns a PreparedCall that runs the entry on exactly
        these buffers, as often as wanted, with no Python argument handling
        (the buffers' contents may change between runs, not their shapes or
        addresses): a serving loop's fixed buffers, or the cost a C caller
        pays."""
        entry, art = self.entry, self.artifact
        cuda = art.target == "cuda"
        if stream is not None and not cuda:
            raise TypeError("entry %r: stream= is only for CUDA artifacts" % entry.name)
        if len(inputs) != len(self.free):
            raise ArgumentError(INVALID_ARGUMENT, "entry %r (with bound inputs): expected %d "
                                "input%s, got %d (inputs: %s)"
                                % (entry.name, len(self.free), "" if len(self.free) == 1 else "s",
                                   len(inputs), ", ".join(self.free_names)))
        n = len(entry.inputs)
        in_arr = (_Tensor * max(n, 1))()
        ctypes.memmove(in_arr, self._template, ctypes.sizeof(in_arr))
        bound, origin = dict(self._bound_symbols), dict(self._origin)
        keep = []
        for i, x in zip(self.free, inputs):
            x = art._prepare(entry, i, x)
            dt = entry.inputs[i][1]
            entry.check_one(i, x.shape, art._dtype_of(x), bound, origin)
            in_arr[i] = x.tensor() if isinstance(x, DeviceArray) else \
                _host_tensor(x, dt)
            keep.append(x)
        entry.bind_derived(bound, origin)
        if outputs is not None:
            outs = list(outputs)
            out_descs = [art._prepare_output(entry, i, o) for i, o in enumerate(outs)]
            entry.check_count(len(out_descs), "output")
            for i, o in enumerate(out_descs):
                entry.check_one(i, o.shape, art._dtype_of(o), bound, origin, output=True)
        elif cuda:
            shapes = entry.output_shapes_from(bound)
            like = keep[0].obj if keep else next(iter(self._arrays.values())).obj \
                if self._arrays else None
            outs = _alloc_device_outputs(entry, shapes, like)
            out_descs = [DeviceArray(o, "output %d" % i) for i, o in enumerate(outs)]
        else:
            shapes = entry.output_shapes_from(bound)
            outs = [np.empty(shape, dtype=_NAME_TO_NP[dt])
                    for (_, dt, _), shape in zip(entry.outputs, shapes)]
            out_descs = outs
        out_arr = (_Tensor * max(len(outs), 1))()
        for i, (o, (_, dt, _)) in enumerate(zip(out_descs, entry.outputs)):
            out_arr[i] = o.tensor() if isinstance(o, DeviceArray) else \
                _host_tensor(o, dt)
        in_objs = [self._arrays[i] if i in self._arrays else None for i in range(n)]
        for i, x in zip(self.free, keep):
            in_objs[i] = x
        call = PreparedCall(entry, in_arr, n, out_arr, outs,
                            _stream_handle(stream) if cuda else None, cuda,
                            keep + list(out_descs) + list(self._arrays.values()))
        call._bind_sizes(bound, in_objs, list(out_descs))
        return call


class PreparedCall:
    """One call of an entry point with every argument checked and described
    once (made by `BoundEntry.prepare`): calling it runs the entry on the
    same buffers and returns the outputs; raises SessaError on a non-zero
    return code."""

    def __init__(self, entry, in_arr, num_inputs, out_arr, outs, stream, cuda, keep):
        self.entry = entry
        self.outputs = outs
        self._in, self._n = in_arr, num_inputs
        self._out = out_arr
        self._stream = stream
        self._cuda = cuda
        self._keep = keep  # the arrays whose memory the descriptors point to
        self._status = _Status()
        self._status_ref = ctypes.byref(self._status)

    def _bind_sizes(self, bound, in_objs, out_objs):
        """Records which descriptor dimensions each size symbol sets (for
        `resize`), with the rows each batch-strided cache view may grow to."""
        self._bound = dict(bound)
        self._slots = []  # (label, tensor, dim, symbol, max rows or None, why)
        entry = self.entry
        for output, args, objs, arr in ((False, entry.inputs, in_objs, self._in),
                                        (True, entry.outputs, out_objs, self._out)):
            flags = entry.batch_strided_outputs if output else entry.batch_strided_inputs
            for i, ((name, _, dims), obj) in enumerate(zip(args, objs)):
                label = "entry %r %s %d (%r)" % (entry.name, "output" if output else "input",
                                                 i, name)
                for d, sym in enumerate(dims):
                    if not isinstance(sym, str):
                        continue
                    limit, why = None, "only the rows (dimension 1) of a cache may change"
                    if flags[i] and d == 1 and obj is not None:
                        limit, why = _row_capacity(obj, arr[i])
                    self._slots.append((label, arr[i], d, sym, limit, why))

    @property
    def sizes(self):
        """{symbol: size} of this call (derived symbols included)."""
        return dict(self._bound)

    def resize(self, sizes=None, **symbols):
        """Changes size symbols of the prepared call in place, e.g.
        `resize(P=P)` before each step of a decoding loop whose caches are
        views of larger buffers: every dimension bound to a changed symbol
        (or to a symbol derived from it, such as P+1) is rewritten in the
        described tensors. Only the rows (dimension 1) of the cache views
        may change, each within the buffer it is a view of; anything else
        raises ArgumentError and changes nothing. Returns self."""
        if sizes:
            symbols = dict(sizes, **symbols)
        entry = self.entry
        derived = {sym for sym, _, _, _ in entry.derived}
        new = dict(self._bound)
        for sym, value in symbols.items():
            if sym not in new or sym in derived:
                raise ArgumentError(INVALID_ARGUMENT, "entry %r: %r is not a size symbol of "
                                    "this call (symbols: %s)" % (entry.name, sym, ", ".join(
                                        s for s in self._bound if s not in derived)))
            if isinstance(value, bool) or int(value) != value or value < 0:
                raise ArgumentError(INVALID_ARGUMENT, "entry %r: size %r = %r must be a "
                                    "non-negative integer" % (entry.name, sym, value))
            new[sym] = int(value)
        for sym, lhs, rhs, constant in entry.derived:
            if lhs in new and (rhs is None or rhs in new):
                new[sym] = new[lhs] + (new[rhs] if rhs is not None else 0) + constant
        changed = [(slot, new[slot[3]]) for slot in self._slots
                   if new[slot[3]] != self._bound[slot[3]]]
        for (label, _, d, sym, limit, why), value in changed:
            if limit is None:
                raise ArgumentError(INVALID_ARGUMENT, "%s: dimension %d is size %r, which a "
                                    "prepared call cannot change (%s): prepare a new call"
                                    % (label, d, sym, why))
            if value > limit:
                raise ArgumentError(SHAPE_MISMATCH, "%s: %s = %d rows do not fit in the "
                                    "buffer it is a view of (room for %d rows)"
                                    % (label, sym, value, limit))
        for (_, tensor, d, _, _, _), value in changed:
            tensor.shape[d] = value
        self._bound = new
        return self

    def __call__(self):
        if self._cuda:
            rc = self.entry._fn(self._in, self._n, self._out, len(self.outputs),
                                self._stream, self._status_ref)
        else:
            rc = self.entry._fn(self._in, self._n, self._out, len(self.outputs),
                                self._status_ref)
        if rc != 0:
            raise SessaError(rc, _decode_str(self._status.message))
        return self.outputs


def load(path):
    """Loads an artifact directory (or its shared library) as an Artifact, or
    a directory saved by a compiled model (sessa_model.json) as that model
    with its weights bound (CompiledLayer / CompiledLanguageModel)."""
    path = os.fspath(path)
    if os.path.isdir(path) and os.path.exists(os.path.join(path, "sessa_model.json")):
        from . import compiled
        return compiled.load_model(path)
    return Artifact(path)
