'use strict';
// Worker side of the pool (plain JS so it runs unchanged from dist/ in any host, vitest included).
// Each message names a compiled task module and an exported function; the function gets the
// payload and returns a value whose ArrayBuffers are transferred back (no copy).
const { parentPort } = require('node:worker_threads');

function transferablesOf(value, out = new Set()) {
  if (value && typeof value === 'object') {
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
    } else if (value instanceof ArrayBuffer) out.add(value);
    else for (const v of Object.values(value)) transferablesOf(v, out);
  }
  return out;
}

parentPort.on('message', async (msg) => {
  try {
    const mod = require(msg.modulePath);
    const fn = mod[msg.fn];
    if (typeof fn !== 'function') throw new Error(`task ${msg.fn} not exported by ${msg.modulePath}`);
    const result = await fn(msg.payload);
    parentPort.postMessage({ id: msg.id, ok: true, result }, [...transferablesOf(result)]);
  } catch (e) {
    parentPort.postMessage({
      id: msg.id,
      ok: false,
      error: {
        name: e && e.name,
        code: e && e.code,
        message: String((e && e.message) || e),
        context: e && e.context,
        stack: e && e.stack,
      },
    });
  }
});
