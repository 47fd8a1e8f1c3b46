/**
 * The RegMean paper's comparison on the fixture classifiers fine-tuned from one pretrained model on
 * different domains (party eras; spam collections): the issue asks that RegMean ≥ Fisher ≥ simple in
 * accuracy on at least one group, with the table of all reported, including where a merger falls
 * below the worse of its parents. Skips, naming the directories, when the fixtures are missing.
 */
import { describe, expect, it } from 'vitest';
import { comparisonTable, compareGroup, FIXTURE_GROUPS, type GroupComparison, missingFixtures, orderingHolds } from './fixture-comparison.js';

const groups = [FIXTURE_GROUPS.party, FIXTURE_GROUPS.spam];
const missing = groups.flatMap(missingFixtures);

describe('fixture classifiers: simple, Fisher and RegMean merges', () => {
  it.skipIf(missing.length > 0)(`RegMean ≥ Fisher ≥ simple on at least one group${missing.length ? ` — SKIPPED: fixtures/${missing.join(', fixtures/')} not found` : ''}`, async () => {
    const results: GroupComparison[] = [];
    for (const g of groups) results.push(await compareGroup(g));
    const table = comparisonTable(results);
    console.info(`[fixture-comparison]\n${table}`);
    expect(results.some(orderingHolds), table).toBe(true);
  }, 120_000);
});
