// Runs dynalite (DynamoDB on LevelDB) on its own worker thread, so the emulator's CPU work does not compete
// with the API and the pipeline on the main event loop. Plain JS: worker threads don't inherit TS loaders.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import { requireSigV4 } from './sigv4-guard.mjs';

const require = createRequire(import.meta.url);

/**
 * dynalite reads the table's description from LevelDB on every request (a native round trip and a JSON decode
 * each time, ~10% of its CPU under the pipeline's load). Descriptions change only through CreateTable,
 * UpdateTable and DeleteTable, which all write through `tableDb`, so active tables are served from memory and
 * any write to `tableDb` drops the cache. A lookup that was in flight across such a write is not cached.
 */
function cacheActiveTables(store) {
  const cache = new Map();
  let generation = 0;
  const { tableDb } = store;
  for (const method of ['put', 'del', 'batch']) {
    const original = tableDb[method].bind(tableDb);
    tableDb[method] = (...args) => {
      generation++;
      cache.clear();
      return original(...args);
    };
  }
  const getTable = store.getTable;
  store.getTable = (name, checkStatus, cb) => {
    const callback = typeof checkStatus === 'function' ? checkStatus : cb;
    const cached = cache.get(name);
    if (cached) return process.nextTick(callback, null, cached);
    const seen = generation;
    const remember = (err, table) => {
      if (!err && table?.TableStatus === 'ACTIVE' && seen === generation) cache.set(name, table);
      callback(err, table);
    };
    // getTable takes (name, cb) or (name, checkStatus, cb): pass the wrapper in the callback's place.
    if (typeof checkStatus === 'function') getTable(name, remember);
    else getTable(name, checkStatus, remember);
  };
  return store;
}

// dynalite calls db.create() when it is constructed; wrap it so its store gets the cache.
const db = require('dynalite/db/index.js');
const createStore = db.create;
let store;
db.create = (options) => {
  store = cacheActiveTables(createStore(options));
  return store;
};

/**
 * A LevelDB read is a few microseconds from the block cache, but classic-level's async get queues it on the
 * libuv pool and takes a snapshot under LevelDB's lock each time: the hops cost more than the read, and every
 * emulated BatchGet and write (dynalite reads the old item first) pays them per key. This thread serves nothing
 * but DynamoDB, so it reads synchronously. Writes stay asynchronous: they wait for the log.
 */
function readSynchronously() {
  const { ClassicLevel } = require('classic-level');
  ClassicLevel.prototype._get = async function get(key, options) {
    return this._getSync(key, options);
  };
}
readSynchronously();

/**
 * LevelDB's defaults suit a small embedded store. Under bench/peer its compaction thread took ~9% of the stack's
 * CPU samples, ~4% of them Snappy compressing and uncompressing blocks, so values are stored uncompressed (data
 * dirs written either way read back), and a larger write buffer and block cache mean fewer compactions and
 * fewer blocks read twice.
 */
const LEVELDB_OPTIONS = { compression: false, writeBufferSize: 32 << 20, cacheSize: 64 << 20 };

const { path, host, credentials, region } = workerData;
const server = requireSigV4(dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }), {
  credentials,
  region,
  service: 'dynamodb',
});
try {
  // LevelDB opens lazily; open it now, so a data dir another process holds is reported instead of failing later.
  await store.db.open(LEVELDB_OPTIONS);
  server.once('error', (error) => parentPort.postMessage({ error: error.message }));
  server.listen(0, host, () => parentPort.postMessage({ address: server.address() }));
} catch (error) {
  parentPort.postMessage({
    error: error.cause?.message ?? error.message,
    locked: error.cause?.code === 'LEVEL_LOCKED',
  });
}
parentPort.on('message', (message) => {
  if (message === 'stop') server.close(() => parentPort.postMessage({ stopped: true }));
});
