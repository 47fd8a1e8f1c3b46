/** RegMean ≥ Fisher ≥ simple on the party fixture classifiers (skips, naming them, when they are missing). */
import { describe } from 'vitest';
import { defineComparison, FIXTURE_GROUPS } from './fixture-comparison.js';

describe('fixture classifiers: RegMean ≥ Fisher ≥ simple', () => defineComparison(FIXTURE_GROUPS.party));
