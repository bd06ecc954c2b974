/**
 * The shipper's thread (hub-link.ts starts it): its own read connection to the node's chain db and its own hub
 * connection, so shipping costs the runtime's thread nothing but the CPU it competes for.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ChainStore } from '../store/index.ts';
import { Shipper } from './shipper.ts';
import { loadNodeKey } from './signing.ts';
import type { LinkMessage, ShipJob } from './hub-link.ts';

const job = workerData as ShipJob;
const port = parentPort!;
const post = (m: LinkMessage) => port.postMessage(m);

// Read-only: the runtime in this process holds the writer lease; the shipper only reads what it committed.
const store = ChainStore.openReadOnly(job.db);
const shipper = new Shipper({
  store,
  hub: job.hub,
  node: job.node,
  key: loadNodeKey(job.keyFile),
  pageSize: job.pageSize,
  onStatus: (status) => post({ t: 'status', status }),
}).start();

port.on('message', (m: { t: 'stop'; drainMs: number }) => {
  if (m.t !== 'stop') return;
  void shipper.stop(m.drainMs).finally(() => {
    store.close();
    post({ t: 'stopped', shipped: shipper.shipped, caughtUp: shipper.caughtUp });
  });
});
