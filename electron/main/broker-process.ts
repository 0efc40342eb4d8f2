// Entry of a broker process: an Electron utility process in the app (a Node child process in
// tests). It runs the `samsa` command line with the arguments it was started with, e.g.
// `start --port 9092 --data-dir …` or `broker-node --id 2 …`.
import { main } from '../../core/cli/main.ts';

// A utility process talks to its parent through process.parentPort; the broker code uses
// process.send (as under child_process.fork), so bridge the two.
const parentPort = (process as unknown as { parentPort?: { postMessage(msg: unknown): void } }).parentPort;
if (parentPort && !process.send) {
  (process as { send?: (msg: unknown) => boolean }).send = (msg: unknown) => {
    parentPort.postMessage(msg);
    return true;
  };
}

process.exitCode = await main(process.argv.slice(2));
