# -*- Python -*-
import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SESSA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
# test/Downstream/lit.local.cfg excludes the consumer project's sources.
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "lib", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sessa_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%sessa_src", config.sessa_src_root))
config.substitutions.append(("%sessa_obj", config.sessa_obj_root))
# The toolchain this build was configured with, for tests that build a
# separate CMake project against the installed package (test/Downstream).
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%test_lib", os.path.join(config.sessa_src_root, "test", "Integration", "lib")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.sessa_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PYTHONPATH", os.path.join(config.sessa_src_root, "test", "Integration", "lib"), append_path=True)

tool_dirs = [config.sessa_tools_dir, config.llvm_tools_dir]
tools = ["sessa-opt", "sessa-compile", "sessa-runtime-unittest", "sessa-sgemm-unittest",
         "sessa-kernels-unittest", "sessa-cuda-runtime-unittest"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

ninja = shutil.which("ninja", path=config.environment["PATH"])
if ninja:
    config.available_features.add("ninja")
    config.substitutions.append(("%ninja", ninja))

if config.sessa_enable_cuda:
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%cuda_toolkit", config.sessa_cuda_toolkit))

# cuda-gpu: a GPU and its driver are here (`nvidia-smi -L` lists one). Tests
# that execute CUDA artifacts REQUIRE it and are reported UNSUPPORTED
# (skipped) on machines without one, such as CI.
def _have_cuda_gpu():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        r = subprocess.run([smi, "-L"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0 and b"GPU" in r.stdout

if _have_cuda_gpu():
    config.available_features.add("cuda-gpu")
