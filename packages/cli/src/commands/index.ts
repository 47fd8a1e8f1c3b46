/** Every subcommand, in help order. */
import type { Command } from '../command.js';
import { alignCommand } from './align.js';
import { barrierCommand } from './barrier.js';
import { benchCommand } from './bench.js';
import { demoCommand } from './demo.js';
import { inspectCommand } from './inspect.js';
import { mergeCommand } from './merge.js';
import { predictCommand } from './predict.js';
import { reproduceCommand } from './reproduce.js';
import { statsCommand } from './stats.js';
import { trainCommand } from './train.js';
import { verifyCommand } from './verify.js';

export const commands: readonly Command[] = [demoCommand, mergeCommand, alignCommand, barrierCommand, statsCommand, verifyCommand, predictCommand, inspectCommand, trainCommand, benchCommand, reproduceCommand];
