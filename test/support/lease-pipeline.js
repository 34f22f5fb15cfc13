// A module-path pipeline for the lease tests (loaded by the CLI from kernel-lib/dist): one map
// stage `mark` writing L1/<input name> = "<name> by <pid>", steered by files under <root>/control:
//   stall-<name>: after writing its temp output, the process stops itself (SIGSTOP), as a process
//                 stalled by the OS or a debugger would, right before the engine commits;
//   block-<name>: the JS thread is kept busy (no await) until release-<name> appears, as a
//                 CPU-bound correlation would; blocking-<name> holds the time it started.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { definePipeline, defineStage } = require(path.resolve(__dirname, '../../kernel-lib/dist/engine'));

const mark = defineStage({
  name: 'mark',
  version: 1,
  kind: 'map',
  level: 'L1',
  usesCore: false,
  async run(ctx) {
    const name = path.basename(ctx.input.path);
    const control = (f) => path.join(ctx.root, 'control', `${f}-${name}`);
    fs.writeFileSync(ctx.output(`L1/${name}`), `${name} by ${process.pid}\n`);
    if (fs.existsSync(control('stall'))) {
      fs.rmSync(control('stall'));
      process.kill(process.pid, 'SIGSTOP');
    }
    if (fs.existsSync(control('block'))) {
      fs.rmSync(control('block'));
      fs.writeFileSync(control('blocking'), String(Date.now()));
      while (!fs.existsSync(control('release'))) {
        /* CPU-bound: the event loop never turns */
      }
    }
  },
});

exports.pipeline = definePipeline({ name: 'lease-test', stages: [mark] });
