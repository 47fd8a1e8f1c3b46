/** Algebraic kernel properties (adjoints, inverses, normalisation) on the CPU backend. */
import { getBackend } from '@symfuse/tensor';
import { describeProperties } from '@symfuse/tensor/testing';

describeProperties('cpu', async () => getBackend('cpu'), { numRuns: 40 });
