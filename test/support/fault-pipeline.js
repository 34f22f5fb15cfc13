// A module-path pipeline for the resource-fault tests (loaded by the CLI from kernel-lib/dist): one
// map stage `copy` writing L1/<input name>; while <root>/control/full exists it writes to /dev/full
// instead, a real ENOSPC from the kernel, as a full disk gives.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { definePipeline, defineStage } = require(path.resolve(__dirname, '../../kernel-lib/dist/engine'));

const copy = defineStage({
  name: 'copy',
  version: 1,
  kind: 'map',
  level: 'L1',
  usesCore: false,
  async run(ctx) {
    const out = ctx.output(`L1/${path.basename(ctx.input.path)}`);
    if (fs.existsSync(path.join(ctx.root, 'control', 'full'))) fs.writeFileSync('/dev/full', 'x'.repeat(4096));
    fs.copyFileSync(ctx.input.path, out);
  },
});

exports.pipeline = definePipeline({ name: 'fault-test', stages: [copy] });
