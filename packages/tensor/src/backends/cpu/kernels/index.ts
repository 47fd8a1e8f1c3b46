/** Registers every CPU kernel implementation (filled in by `kernels/*.ts`). */
export function registerCpuKernels(): void {}
