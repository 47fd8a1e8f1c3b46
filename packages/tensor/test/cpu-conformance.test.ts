/** Runs every kernel's oracle conformance suite on the CPU backend, in f32 and f64. */
import { getBackend } from '@symfuse/tensor';
import { describeConformance } from '@symfuse/tensor/testing';

describeConformance('cpu', async () => getBackend('cpu'), { f64: true });
