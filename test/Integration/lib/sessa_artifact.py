"""ctypes loader for artifacts written by `sessa-compile`.

Follows the C ABI of include/sessa/Runtime/SessaRuntime.h: every public
function NAME is exported as

    int32_t NAME(const sessa_tensor *inputs, int32_t num_inputs,
                 sessa_tensor *outputs, int32_t num_outputs,
                 sessa_status *status);

and `const sessa_module_desc *sessa_artifact_module(void)` describes the
entry points. Only numpy is needed (no MLIR installation).

    art = Artifact("model.so")
    art.entries["forward"].inputs      # [(name, "f32", [ "B", "T", 64 ]), ...]
    y, = art.call("forward", x, w)     # numpy in, numpy out

The loader does not convert dtypes and does not check shapes itself: it
describes the given arrays faithfully and lets the artifact's own checks
report mismatches (as `SessaError`), so those checks can be tested too.
"""

import ctypes
import os

import numpy as np

__all__ = ["Artifact", "Entry", "SessaError", "SESSA_ABI_VERSION"]

SESSA_MAX_RANK = 8
SESSA_STATUS_MESSAGE_SIZE = 512
SESSA_ABI_VERSION = 1

# sessa_dtype (values are ABI) -> (name, numpy dtype or None if unsupported here).
_DTYPES = {
    0: ("f32", np.dtype(np.float32)),
    1: ("f16", np.dtype(np.float16)),
    2: ("bf16", None),
    3: ("f64", np.dtype(np.float64)),
    4: ("i32", np.dtype(np.int32)),
    5: ("i64", np.dtype(np.int64)),
}
_NP_TO_CODE = {np_dt: code for code, (_, np_dt) in _DTYPES.items() if np_dt is not None}
_NAME_TO_NP = {name: np_dt for name, np_dt in _DTYPES.values()}

ERROR_NAMES = {
    0: "SESSA_OK",
    1: "SESSA_ERROR_INVALID_ARGUMENT",
    2: "SESSA_ERROR_DTYPE_MISMATCH",
    3: "SESSA_ERROR_RANK_MISMATCH",
    4: "SESSA_ERROR_SHAPE_MISMATCH",
    5: "SESSA_ERROR_INTERNAL",
}


# ----- C structures (SessaRuntime.h) ---------------------------------------

class _Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * SESSA_MAX_RANK),
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


# ----- Python API ----------------------------------------------------------

class SessaError(RuntimeError):
    """A non-zero sessa_error_code returned by an entry point."""

    def __init__(self, code, message):
        self.code = int(code)
        self.message = message
        name = ERROR_NAMES.get(self.code, "unknown error")
        super().__init__("%s (%d): %s" % (name, self.code, message))


def _dtype_name(code):
    return _DTYPES.get(code, ("unknown",))[0]


def _decode(b):
    return b.decode("utf-8", "replace") if b is not None else None


class Entry:
    """One entry point: `.inputs` / `.outputs` are lists of (name, dtype, dims),
    where dtype is "f32", "f16", "bf16", "f64", "i32" or "i64" and each dim is
    an int (static) or the symbol name (str, dynamic)."""

    def __init__(self, desc, fn):
        self.name = _decode(desc.name)
        self.symbols = [_decode(desc.symbol_names[i]) for i in range(desc.num_symbols)]
        self.inputs = [self._arg(desc.inputs[i]) for i in range(desc.num_inputs)]
        self.outputs = [self._arg(desc.outputs[i]) for i in range(desc.num_outputs)]
        # (symbol, lhs, rhs or None, constant): symbol = lhs + rhs + constant.
        self.derived = []
        for i in range(desc.num_derived):
            dv = desc.derived[i]
            self.derived.append((self.symbols[dv.symbol], self.symbols[dv.lhs],
                                 self.symbols[dv.rhs] if dv.rhs >= 0 else None,
                                 int(dv.constant)))
        self._fn = fn

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
                                     % (self.name, _decode(a.name), sym, len(self.symbols)))
                dims.append(self.symbols[sym])
        return (_decode(a.name), _dtype_name(a.dtype), dims)

    def __repr__(self):
        def fmt(args):
            return ", ".join("%s: %s[%s]" % (n, dt, ", ".join(str(d) for d in dims))
                             for n, dt, dims in args)
        return "Entry(%s(%s) -> (%s))" % (self.name, fmt(self.inputs), fmt(self.outputs))


def _as_tensor(arr, what):
    """Describes a C-contiguous numpy array as a sessa_tensor."""
    if arr.dtype not in _NP_TO_CODE:
        raise TypeError("%s: numpy dtype %s is not supported by the loader "
                        "(bf16 is not supported yet)" % (what, arr.dtype))
    if arr.ndim > SESSA_MAX_RANK:
        raise ValueError("%s: rank %d exceeds SESSA_MAX_RANK=%d" % (what, arr.ndim, SESSA_MAX_RANK))
    t = _Tensor()
    t.data = arr.ctypes.data  # non-NULL even for empty arrays
    t.dtype = _NP_TO_CODE[arr.dtype]
    t.rank = arr.ndim
    for i, n in enumerate(arr.shape):
        t.shape[i] = n
    return t


class Artifact:
    """A loaded artifact (shared library) and its entry points."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
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
        self.target = _decode(mod.target)
        self.entries = {}
        for i in range(mod.num_entries):
            desc = mod.entries[i]
            name = _decode(desc.name)
            fn = _ENTRY_FN((name, self._lib))
            self.entries[name] = Entry(desc, fn)

    def __repr__(self):
        return "Artifact(%r, target=%r, entries=%s)" % (self.path, self.target,
                                                        sorted(self.entries))

    def output_shapes(self, name, *inputs):
        """Resolves the output shapes of entry `name` from the input shapes.

        A symbol takes the size of the first input dimension that carries it;
        raises ValueError if an output dimension cannot be resolved.
        """
        entry = self._entry(name)
        bound = {}
        for (_, _, dims), arr in zip(entry.inputs, inputs):
            shape = np.shape(arr)
            for i, dim in enumerate(dims):
                if isinstance(dim, str) and i < len(shape) and dim not in bound:
                    bound[dim] = int(shape[i])
        for sym, lhs, rhs, constant in entry.derived:
            if sym not in bound and lhs in bound and (rhs is None or rhs in bound):
                bound[sym] = bound[lhs] + (bound[rhs] if rhs else 0) + constant
        shapes = []
        for out_name, _, dims in entry.outputs:
            shape = []
            for dim in dims:
                if isinstance(dim, str):
                    if dim not in bound:
                        raise ValueError("entry %r: output %r dimension %r cannot be "
                                         "resolved from the inputs" % (name, out_name, dim))
                    shape.append(bound[dim])
                else:
                    shape.append(dim)
            shapes.append(tuple(shape))
        return shapes

    def call(self, name, *inputs, outputs=None):
        """Calls entry `name` on numpy `inputs`; returns the list of outputs.

        Inputs are made C-contiguous if needed, never converted to another
        dtype (the artifact reports a dtype mismatch). `outputs`, if given,
        must be writeable C-contiguous arrays and are filled in place;
        otherwise they are allocated from the entry's description, dynamic
        dims resolved from the input shapes. Raises SessaError(code, message)
        on a non-zero return code.
        """
        entry = self._entry(name)
        ins = []
        for i, x in enumerate(inputs):
            if not isinstance(x, np.ndarray):
                # Python scalars / lists: take the declared dtype if known.
                want = entry.inputs[i][1] if i < len(entry.inputs) else None
                x = np.asarray(x, dtype=_NAME_TO_NP.get(want))
            ins.append(np.ascontiguousarray(x))

        if outputs is None:
            outs = []
            for (out_name, dt, _), shape in zip(entry.outputs, self.output_shapes(name, *ins)):
                np_dt = _NAME_TO_NP.get(dt)
                if np_dt is None:
                    raise TypeError("entry %r: output %r has dtype %s, not supported by "
                                    "the loader" % (name, out_name, dt))
                outs.append(np.empty(shape, dtype=np_dt))
        else:
            outs = list(outputs)
            for i, o in enumerate(outs):
                if not isinstance(o, np.ndarray) or not o.flags.c_contiguous \
                        or not o.flags.writeable:
                    raise ValueError("entry %r: output #%d must be a writeable "
                                     "C-contiguous numpy array" % (name, i))

        in_arr = (_Tensor * max(len(ins), 1))()
        for i, x in enumerate(ins):
            in_arr[i] = _as_tensor(x, "entry %r input #%d" % (name, i))
        out_arr = (_Tensor * max(len(outs), 1))()
        for i, o in enumerate(outs):
            out_arr[i] = _as_tensor(o, "entry %r output #%d" % (name, i))
        status = _Status()
        rc = entry._fn(in_arr, len(ins), out_arr, len(outs), ctypes.byref(status))
        if rc != 0:
            raise SessaError(rc, _decode(status.message))
        return outs

    def _entry(self, name):
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError("artifact %s has no entry %r (has: %s)"
                           % (self.path, name, ", ".join(sorted(self.entries))))
