/**
 * The task-head convention every merger shares: which models form a task, which parameters are task
 * heads, how a merge result stores them, and how to get a complete model of any task back.
 */
import { fromHost, type Tensor } from '@symfuse/tensor';
import { describe, expect, it } from 'vitest';
import { bertFamilyArchitecture, checkModels, describeTasks, mergeByTask, modelForTask, planTasks, taskHeadNames, taskParamName } from '../src/index.js';
import { randomEncoderModel, smallEncoderConfig } from '../src/testing/index.js';

const cfg = (numLabels: number) => smallEncoderConfig({ numLayers: 1, numLabels });
const c3a = randomEncoderModel(cfg(3), { seed: 1, head: 'classifier' });
const c3b = randomEncoderModel(cfg(3), { seed: 2, head: 'classifier' });
const c2 = randomEncoderModel(cfg(2), { seed: 3, head: 'classifier' });
const mlm = randomEncoderModel(cfg(3), { seed: 4, head: 'mlm' });
const spec = bertFamilyArchitecture().buildSpec(cfg(3), { head: 'classifier' });
const HEAD = ['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias'];

describe('task heads', () => {
  it("a BERT classifier's task head is its pooler and output layer; an MLM model has none", () => {
    expect(taskHeadNames(c3a, spec).sort()).toEqual([...HEAD].sort());
    expect(taskHeadNames(mlm, spec)).toEqual([]);
  });

  it('infers tasks from head shapes and keeps only the heads of different tasks apart', () => {
    const one = planTasks([c3a, c3b], spec, undefined, 'm');
    expect(one.tasks).toEqual([{ id: 'task-0', models: [0, 1] }]);
    expect(one.headParams.size).toBe(0);
    const two = planTasks([c3a, c2, c3b], spec, undefined, 'm');
    expect(two.tasks).toEqual([
      { id: 'task-0', models: [0, 2] },
      { id: 'task-1', models: [1] },
    ]);
    expect(two.taskOf).toEqual([0, 1, 0]);
    expect([...two.headParams].sort()).toEqual([...HEAD].sort());
    expect(two.inferred).toBe(true);
    expect(describeTasks(two)).toEqual([
      { id: 'task-0', models: [0, 2], head: 'usual names' },
      { id: 'task-1', models: [1], head: 'task/task-1/…' },
    ]);
  });

  it('takes explicit task ids, and names what is wrong with them', () => {
    const plan = planTasks([c3a, c3b], spec, ['party', 'spam'], 'm');
    expect(plan.tasks.map((t) => t.id)).toEqual(['party', 'spam']);
    expect(plan.inferred).toBe(false);
    expect(() => planTasks([c3a, c3b], spec, ['only-one'], 'm')).toThrow(/m: tasks has 1 entries for 2 models/);
    expect(() => planTasks([c3a, c3b], spec, ['a', 'b/c'], 'm')).toThrow(/m: tasks\[1\] = "b\/c"; expected letters/);
    expect(() => planTasks([c3a, c2], spec, ['a', 'a'], 'm')).toThrow(/models 0 and 1 are both task 'a' but their head parameter 'classifier.weight' differs \(\[3, 16\] vs \[2, 16\]\)/);
    expect(() => planTasks([c3a, mlm], spec, ['a', 'b'], 'm')).toThrow(/model 1 \(random-4\) has no task head to keep apart/);
  });

  it('merges shared parameters over all models and heads per task; modelForTask restores each task', async () => {
    const models = [c3a, c2, c3b];
    const plan = planTasks(models, spec, undefined, 'm');
    checkModels(models, [{}, {}, {}], plan, 'm');
    const calls: string[] = [];
    // A merge that records its members and returns a tensor tagged with them.
    const merged = await mergeByTask(models, plan, async (name, members): Promise<Tensor> => {
      calls.push(`${name}:${members.join(',')}`);
      return fromHost(Float32Array.of(members.length), [1]);
    });
    const enc = 'bert.encoder.layer.0.output.dense.weight';
    expect(calls).toContain(`${enc}:0,1,2`);
    expect(calls).toContain('classifier.weight:0,2');
    // A task with one model keeps its head as it is, without calling the merge.
    expect(calls.some((c) => c.startsWith('classifier.weight:1'))).toBe(false);
    expect(merged.get(taskParamName('task-1', 'classifier.weight'))).toBe(c2.params.get('classifier.weight'));
    const first = modelForTask(merged, 'task-0', 'task-0');
    expect([...first.keys()].sort()).toEqual([...c3a.params.keys()].sort());
    const second = modelForTask(merged, 'task-1', 'task-0');
    expect([...second.keys()].sort()).toEqual([...c2.params.keys()].sort());
    expect(second.get('classifier.weight')).toBe(c2.params.get('classifier.weight'));
    expect(second.get(enc)).toBe(merged.get(enc));
    expect(() => modelForTask(merged, 'nope', 'task-0')).toThrow(/no head of task 'nope' in the merge result; tasks: task-0, task-1/);
  });

  it('checkModels refuses too few models, missing statistics and mismatched parameters, naming them', () => {
    const plan = planTasks([c3a, c3b], spec, undefined, 'm');
    expect(() => checkModels([c3a], [{}], planTasks([c3a], spec, undefined, 'm'), 'm')).toThrow(/m: got 1 model\(s\); merging needs N ≥ 2 models/);
    expect(() => checkModels([c3a, c3b], [{}], plan, 'm')).toThrow(/got statistics for 1 models but 2 models/);
    const missing = { ...c3b, params: new Map([...c3b.params].filter(([k]) => k !== 'classifier.bias')) };
    expect(() => checkModels([c3a, missing], [{}, {}], plan, 'm')).toThrow(/model 1 \(random-2\) has no parameter 'classifier.bias' \(the anchor has it, shape \[3\]\)/);
    const extra = { ...c3b, params: new Map([...c3b.params, ['extra', fromHost(Float32Array.of(1), [1])]]) };
    expect(() => checkModels([c3a, extra], [{}, {}], plan, 'm')).toThrow(/has a parameter 'extra' that the anchor lacks/);
  });
});
