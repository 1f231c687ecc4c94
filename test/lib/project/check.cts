/**
 * A CommonJS module using the installed package through `require`: its export names, a grep and
 * a glob in the package's search worker (JavaScript matching, no ripgrep), and whether the
 * OpenTelemetry SDK loads only when an OTel exporter is made.
 * Usage: node out/check.cjs WORKSPACE; prints JSON.
 */
import lib = require('deep-agent-workbench');

const otelLoaded = () => Object.keys(require.cache).some((file) => file.includes('@opentelemetry/sdk-trace-base'));

async function main(workspace: string): Promise<void> {
  const names = Object.keys(lib);
  const otelAtStart = otelLoaded();
  const exporter = await lib.createOtelTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' });
  const otelAfterExporter = otelLoaded();
  await exporter.shutdown();
  const backend = new lib.FilesystemBackend({ root: workspace, search: { ripgrep: false } });
  const grep = await backend.grep('answer is \\d+');
  const glob = await backend.glob('**/*.txt');
  console.log(JSON.stringify({ names, otelAtStart, otelAfterExporter, grep, glob }));
}

main(process.argv[2]!).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
