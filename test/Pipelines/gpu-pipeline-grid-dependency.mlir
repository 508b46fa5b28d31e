// sessa-gpu-pipeline runs sessa-gpu-grid-dependency-control on every
// gpu.module after nvvm-attach-target: the wait only by default
// (grid-dependency=wait), with launch_dependents for grid-dependency=launch,
// not at all for grid-dependency=off (sessa-compile's
// --cuda-grid-dependency rejects another value: cuda-artifact-grid-dependency.test).
// RUN: sessa-opt %s --sessa-gpu-pipeline --dump-pass-pipeline 2>&1 | FileCheck %s --check-prefix=WAIT
// RUN: sessa-opt %s --sessa-gpu-pipeline="grid-dependency=launch" --dump-pass-pipeline 2>&1 | FileCheck %s --check-prefix=LAUNCH
// RUN: sessa-opt %s --sessa-gpu-pipeline="grid-dependency=off" --dump-pass-pipeline 2>&1 | FileCheck %s --check-prefix=OFF
// WAIT: nvvm-attach-target
// WAIT-NEXT: gpu.module(
// WAIT-NEXT: sessa-gpu-grid-dependency-control{launch-dependents=false},
// WAIT-NEXT: sessa-gpu-lower-vector-transfers,
// WAIT-NEXT: convert-gpu-to-nvvm
// LAUNCH: gpu.module(
// LAUNCH-NEXT: sessa-gpu-grid-dependency-control{launch-dependents=true},
// OFF-NOT: sessa-gpu-grid-dependency-control
// OFF: gpu.module(
// OFF-NEXT: sessa-gpu-lower-vector-transfers
module {}
