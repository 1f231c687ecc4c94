// Loads memory's native parts the way the bundles in an unzipped VSIX do, and prints one JSON line.
// Usage: node vsixNativeProbe.cjs EXTENSION_DIR MODEL_FOLDER MODEL_ID SCRATCH_DIR
// (EXTENSION_DIR is the VSIX's extension/ folder, unzipped away from any node_modules.)
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Worker } = require('node:worker_threads');

const [extension, modelFolder, modelId, scratch] = process.argv.slice(2);
const workbench = join(extension, 'dist', 'workbench.js');
const embeddingWorker = join(extension, 'dist', 'embeddingWorker.js');
const lancedbPackage = `@lancedb/lancedb-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : process.platform === 'win32' ? '-msvc' : ''}`;

async function main() {
  // What dist/workbench.js requires (LanceDB's JS is bundled into it; only the binding is a package).
  const fromWorkbench = createRequire(workbench);
  const binding = fromWorkbench(lancedbPackage);
  const connection = await binding.Connection.new(scratch, {});
  const tables = await connection.tableNames();
  // The embedding worker as embeddingHost.ts starts it: transformers.js is bundled, onnxruntime-node is not.
  const worker = new Worker(embeddingWorker, { execArgv: [] });
  const reply = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    const settings = { modelId, localModelPath: modelFolder, allowRemote: false, dtype: 'q8', batchSize: 8 };
    worker.postMessage({ type: 'embed', id: 1, user: 1, settings, texts: ['remember the milk', 'the build runs on Node 20'] });
  });
  await worker.terminate();
  const norms = [];
  for (let row = 0; reply.ok && row < 2; row++) {
    const vector = reply.vectors.subarray(row * reply.dimension, (row + 1) * reply.dimension);
    norms.push(Math.hypot(...vector));
  }
  const resolved = {
    lancedb: fromWorkbench.resolve(lancedbPackage),
    onnxruntime: createRequire(embeddingWorker).resolve('onnxruntime-node'),
  };
  console.log(JSON.stringify({ resolved, tables, embedding: reply.ok ? { dimension: reply.dimension, norms } : { error: reply.error } }));
}

main().catch((error) => {
  console.error(error.stack);
  process.exit(1);
});
