/**
 * Test fixture run as a child process (node --import tsx): starts FerretDB, prints
 * `{"url","pid"}`, and on SIGINT checks that FerretDB still answers before stopping it, the way the
 * service flushes checkpoints on Ctrl-C. Used by ferretdb.int.spec.ts.
 */
import { MongoClient } from 'mongodb';
import { startFerretdb } from '../ferretdb';

async function main(): Promise<void> {
  const [binary, dataDir] = process.argv.slice(2);
  if (!binary || !dataDir) throw new Error('usage: ferretdbParent BINARY DATA_DIR');
  const ferretdb = await startFerretdb({ binary, dataDir });
  process.once('SIGINT', () => {
    void (async () => {
      const client = new MongoClient(ferretdb.url, { serverSelectionTimeoutMS: 2_000 });
      try {
        await client.db('admin').command({ ping: 1 });
        process.stdout.write('ping ok after SIGINT\n');
      } catch {
        process.stdout.write('ping failed after SIGINT\n');
      } finally {
        await client.close();
        await ferretdb.stop();
      }
    })();
  });
  process.stdout.write(`${JSON.stringify({ url: ferretdb.url, pid: ferretdb.pid })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
