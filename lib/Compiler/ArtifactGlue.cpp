//===- ArtifactGlue.cpp - Entry point tables, header and manifest ---------===//
#include "ArtifactGlue.h"
#include "sessa/Runtime/SessaRuntime.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using mlir::sessa::EntrySignature;
using mlir::sessa::TensorSignature;

namespace {
class GlueBuilder {
public:
  explicit GlueBuilder(Module &m)
      : m(m), ctx(m.getContext()), ptrT(PointerType::getUnqual(ctx)),
        i32T(Type::getInt32Ty(ctx)), i64T(Type::getInt64Ty(ctx)) {
    argDescT = StructType::get(ctx, {ptrT, i32T, i32T, ptrT, i32T});
    derivedT = StructType::get(ctx, {i32T, i32T, i32T, i64T});
    entryT = StructType::get(
        ctx, {ptrT, i32T, i32T, ptrT, ptrT, i32T, ptrT, ptrT, i32T, ptrT});
    moduleT = StructType::get(ctx, {i32T, ptrT, i32T, ptrT});
  }

  Constant *i32(int64_t v) { return ConstantInt::get(i32T, v); }
  Constant *i64(int64_t v) { return ConstantInt::get(i64T, v); }

  Constant *global(Constant *init, const Twine &name) {
    auto *gv = new GlobalVariable(m, init->getType(), /*isConstant=*/true,
                                  GlobalValue::PrivateLinkage, init, name);
    gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    return gv;
  }
  Constant *string(StringRef s) {
    return global(ConstantDataArray::getString(ctx, s), ".sessa.str");
  }
  Constant *array(Type *elementType, ArrayRef<Constant *> elements,
                  const Twine &name) {
    if (elements.empty())
      return ConstantPointerNull::get(ptrT);
    return global(
        ConstantArray::get(ArrayType::get(elementType, elements.size()),
                           elements),
        name);
  }

  Constant *argDescs(ArrayRef<TensorSignature> tensors, StringRef prefix) {
    SmallVector<Constant *> descs;
    for (const TensorSignature &t : tensors) {
      SmallVector<Constant *> dims;
      for (int64_t d : t.dims)
        dims.push_back(i64(d));
      descs.push_back(ConstantStruct::get(
          argDescT, {string(t.name), i32(t.dtype), i32(t.dims.size()),
                     array(i64T, dims, prefix + ".dims"), i32(t.flags)}));
    }
    return array(argDescT, descs, prefix + ".args");
  }

  /// void __sessa_packed_<name>(void **args): unpacks into the C interface.
  Function *packedWrapper(const EntrySignature &e, Function *ciface) {
    auto *fnT = FunctionType::get(Type::getVoidTy(ctx), {ptrT}, false);
    Function *fn = Function::Create(fnT, GlobalValue::InternalLinkage,
                                    "__sessa_packed_" + e.name, m);
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", fn));
    SmallVector<Value *> args;
    for (unsigned i = 0; i < ciface->arg_size(); ++i) {
      Value *slot = b.CreateConstInBoundsGEP1_64(ptrT, fn->getArg(0), i);
      args.push_back(b.CreateLoad(ptrT, slot));
    }
    b.CreateCall(ciface, args);
    b.CreateRetVoid();
    return fn;
  }

  Error build(ArrayRef<EntrySignature> entries, StringRef target) {
    // CPU: sessa_invoke(desc, in, nin, out, nout, status); CUDA:
    // sessa_cuda_invoke(desc, in, nin, out, nout, stream, status).
    const bool cuda = target == "cuda";
    SmallVector<Type *> invokeArgs = {ptrT, ptrT, i32T, ptrT, i32T, ptrT};
    if (cuda)
      invokeArgs.push_back(ptrT);
    FunctionCallee invoke = m.getOrInsertFunction(
        cuda ? "sessa_cuda_invoke" : "sessa_invoke",
        FunctionType::get(i32T, invokeArgs, false));
    SmallVector<Constant *> entryDescs;
    for (const EntrySignature &e : entries) {
      std::string cifaceName =
          ("_mlir_ciface_" + mlir::sessa::kComputePrefix + e.name).str();
      Function *ciface = m.getFunction(cifaceName);
      if (!ciface)
        return createStringError(inconvertibleErrorCode(),
                                 "lowered module lacks " + cifaceName);
      if (ciface->arg_size() != e.inputs.size() + e.outputs.size())
        return createStringError(inconvertibleErrorCode(),
                                 "unexpected C interface of " + cifaceName);
      Function *packed = packedWrapper(e, ciface);
      SmallVector<Constant *> names, derived;
      for (const std::string &s : e.symbols)
        names.push_back(string(s));
      for (const mlir::sessa::DerivedSymbol &d : e.derived)
        derived.push_back(ConstantStruct::get(
            derivedT, {i32(d.symbol), i32(d.lhs), i32(d.rhs), i64(d.constant)}));
      entryDescs.push_back(ConstantStruct::get(
          entryT,
          {string(e.name), i32(e.inputs.size()), i32(e.outputs.size()),
           argDescs(e.inputs, e.name + ".in"),
           argDescs(e.outputs, e.name + ".out"), i32(e.symbols.size()),
           array(ptrT, names, e.name + ".symbols"), packed,
           i32(e.derived.size()), array(derivedT, derived, e.name + ".derived")}));
    }
    auto *entriesArray = new GlobalVariable(
        m, ArrayType::get(entryT, entryDescs.size()), true,
        GlobalValue::PrivateLinkage,
        ConstantArray::get(ArrayType::get(entryT, entryDescs.size()),
                           entryDescs),
        "sessa.entries");
    auto *moduleDesc = new GlobalVariable(
        m, moduleT, true, GlobalValue::PrivateLinkage,
        ConstantStruct::get(moduleT, {i32(SESSA_ABI_VERSION), string(target),
                                      i32(entryDescs.size()), entriesArray}),
        "sessa.module");

    // const sessa_module_desc *sessa_artifact_module(void)
    Function *getter = Function::Create(FunctionType::get(ptrT, {}, false),
                                        GlobalValue::ExternalLinkage,
                                        "sessa_artifact_module", m);
    IRBuilder<> gb(BasicBlock::Create(ctx, "entry", getter));
    gb.CreateRet(moduleDesc);

    // int32_t <name>(inputs, num_inputs, outputs, num_outputs, [stream,]
    //                status)
    SmallVector<Type *> entryArgs(invokeArgs.begin() + 1, invokeArgs.end());
    auto *entryFnT = FunctionType::get(i32T, entryArgs, false);
    for (auto [i, e] : llvm::enumerate(entries)) {
      if (m.getFunction(e.name))
        return createStringError(inconvertibleErrorCode(),
                                 "entry point name '" + e.name +
                                     "' clashes with a symbol of the "
                                     "compiled code");
      Function *fn = Function::Create(entryFnT, GlobalValue::ExternalLinkage,
                                      e.name, m);
      IRBuilder<> b(BasicBlock::Create(ctx, "entry", fn));
      Value *desc = b.CreateConstInBoundsGEP2_64(
          entriesArray->getValueType(), entriesArray, 0, i);
      SmallVector<Value *> callArgs = {desc};
      for (Argument &arg : fn->args())
        callArgs.push_back(&arg);
      Value *rc = b.CreateCall(invoke, callArgs);
      b.CreateRet(rc);
    }
    return Error::success();
  }

private:
  Module &m;
  LLVMContext &ctx;
  PointerType *ptrT;
  IntegerType *i32T, *i64T;
  StructType *argDescT, *derivedT, *entryT, *moduleT;
};

std::string renderShape(const EntrySignature &e, const TensorSignature &t) {
  std::string s;
  raw_string_ostream os(s);
  os << mlir::sessa::dtypeName(t.dtype) << "[";
  llvm::interleaveComma(t.dims, os, [&](int64_t d) {
    if (d >= 0)
      os << d;
    else
      os << e.symbols[-d - 1];
  });
  os << "]";
  return s;
}
} // namespace

Error mlir::sessa::emitEntryPointGlue(Module &module,
                                      ArrayRef<EntrySignature> entries,
                                      StringRef target) {
  return GlueBuilder(module).build(entries, target);
}

std::string mlir::sessa::renderHeader(StringRef name,
                                      ArrayRef<EntrySignature> entries,
                                      StringRef source, StringRef target) {
  const bool cuda = target == "cuda";
  std::string s;
  raw_string_ostream os(s);
  std::string guard = "SESSA_ARTIFACT_" + name.upper() + "_H";
  os << "/* Generated by sessa-compile from " << source
     << ". Do not edit.\n *\n"
     << " * Entry points of lib" << name
     << ".so. Each call checks the number, dtypes and\n"
     << " * shapes of its tensors (dense, row-major, owned by the caller; "
        "a cache\n"
     << " * marked batch-strided may be a view of a larger buffer, and "
        "an extended\n"
     << " * cache output the same memory as its input: decoding in place) "
        "before\n"
     << " * writing its outputs, and returns a sessa_error_code; see "
        "SessaRuntime.h.\n";
  if (cuda)
    os << " *\n"
       << " * Target cuda: every tensor's data is device memory of the "
          "current CUDA\n"
       << " * context and `stream` is a CUstream (NULL: the default "
          "stream). A call\n"
       << " * enqueues its work on `stream` and returns without "
          "synchronizing (like\n"
       << " * cuBLAS); CUDA errors are returned as SESSA_ERROR_CUDA with "
          "the failing\n"
       << " * call in the message. Needs only the CUDA driver "
          "(libcuda.so.1) at run time.\n";
  os << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"SessaRuntime.h\"\n\n#ifdef __cplusplus\nextern \"C\" "
        "{\n#endif\n\n";
  for (const EntrySignature &e : entries) {
    os << "/* " << e.name << "\n";
    auto strided = [](const TensorSignature &t) {
      return (t.flags & SESSA_ARG_BATCH_STRIDED) ? " (batch-strided)" : "";
    };
    for (const TensorSignature &t : e.inputs)
      os << " *   input  " << t.name << ": " << renderShape(e, t)
         << strided(t) << "\n";
    for (const TensorSignature &t : e.outputs)
      os << " *   output " << t.name << ": " << renderShape(e, t)
         << strided(t) << "\n";
    for (const DerivedSymbol &d : e.derived) {
      os << " *   " << e.symbols[d.symbol] << " = " << e.symbols[d.lhs];
      if (d.rhs >= 0)
        os << " + " << e.symbols[d.rhs];
      if (d.constant)
        os << " + " << d.constant;
      os << "\n";
    }
    os << " */\nint32_t " << e.name
       << "(const sessa_tensor *inputs, int32_t num_inputs,\n"
       << "    sessa_tensor *outputs, int32_t num_outputs, "
       << (cuda ? "void *stream,\n    " : "") << "sessa_status "
       << "*status);\n\n";
  }
  os << "const sessa_module_desc *sessa_artifact_module(void);\n\n"
     << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
     << guard << " */\n";
  return s;
}

std::string mlir::sessa::renderManifest(StringRef name, StringRef target,
                                        ArrayRef<EntrySignature> entries) {
  json::Array jsonEntries;
  for (const EntrySignature &e : entries) {
    auto tensors = [&](ArrayRef<TensorSignature> ts) {
      json::Array out;
      for (const TensorSignature &t : ts) {
        json::Array shape;
        for (int64_t d : t.dims)
          if (d >= 0)
            shape.push_back(d);
          else
            shape.push_back(e.symbols[-d - 1]);
        json::Object o{{"name", t.name},
                       {"dtype", dtypeName(t.dtype)},
                       {"shape", std::move(shape)}};
        if (t.flags & SESSA_ARG_BATCH_STRIDED)
          o["batch_strided"] = true;
        out.push_back(std::move(o));
      }
      return out;
    };
    json::Array derived;
    for (const DerivedSymbol &d : e.derived) {
      json::Array terms{e.symbols[d.lhs]};
      if (d.rhs >= 0)
        terms.push_back(e.symbols[d.rhs]);
      derived.push_back(json::Object{{"symbol", e.symbols[d.symbol]},
                                     {"terms", std::move(terms)},
                                     {"constant", d.constant}});
    }
    json::Array symbols;
    for (const std::string &s : e.symbols)
      symbols.push_back(s);
    jsonEntries.push_back(json::Object{{"name", e.name},
                                       {"inputs", tensors(e.inputs)},
                                       {"outputs", tensors(e.outputs)},
                                       {"symbols", std::move(symbols)},
                                       {"derived", std::move(derived)}});
  }
  json::Object root{{"abi_version", SESSA_ABI_VERSION},
                    {"name", name},
                    {"target", target},
                    {"library", ("lib" + name + ".so").str()},
                    {"header", (name + ".h").str()},
                    {"entries", std::move(jsonEntries)}};
  std::string s;
  raw_string_ostream os(s);
  os << formatv("{0:2}", json::Value(std::move(root))) << "\n";
  return s;
}
