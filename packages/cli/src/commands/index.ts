/** Every subcommand, in help order. */
import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { mergeCommand } from './merge.js';

export const commands: readonly Command[] = [demoCommand, mergeCommand];
