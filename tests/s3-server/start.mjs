// The S3-compatible server of the S3 blob store's tests (tests/unit/store/s3_blob_store_test.cpp):
// s3rver on 127.0.0.1 on a port the system picks, serving a fresh temporary directory with one
// bucket. Prints the port alone on its first line of stdout once it accepts connections, so the
// test never races the start. Stops, and removes the directory, on SIGTERM, SIGINT or when stdin
// closes (the test that started it has died: no server outlives its test).
//   node start.mjs [bucket]        (default bucket: carechat-test; credentials S3RVER / S3RVER)
// CARECHAT_S3_VERBOSE=1 logs each request s3rver serves to stderr (to see a test's calls).
// s3rver checks that a request carries a SigV4 Authorization header and a known access key, but
// not the signature itself: sigv4_botocore.py cross-checks our signatures instead.
import S3rver from 's3rver';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bucket = process.argv[2] ?? 'carechat-test';
const directory = mkdtempSync(join(tmpdir(), 'carechat-s3-'));
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: !process.env.CARECHAT_S3_VERBOSE,
  configureBuckets: [{ name: bucket }],
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

const { port } = await server.run();
process.stdout.write(`${port}\n`);
// stdout carries the port alone: the test stops reading it after that line, so whatever else would
// go there (s3rver's request log when verbose) goes to stderr instead of into a closed pipe.
process.stdout.write = process.stderr.write.bind(process.stderr);
