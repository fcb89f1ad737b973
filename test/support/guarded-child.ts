/** A child process with the guards on, failing as `argv[2]` says (see process-guards.test.ts). */
import { createLogger } from '../../src/log.ts';
import { guardProcess } from '../../src/process-guards.ts';

guardProcess(process, createLogger());
if (process.argv[2] === 'reject') void Promise.reject(new Error('a stray rejection'));
if (process.argv[2] === 'throw')
  setTimeout(() => {
    throw new Error('a stray exception');
  }, 10);
setTimeout(() => console.log('still alive'), 200);
