import { parentPort } from 'node:worker_threads';
import { initPythonParser } from '../engine';
import { FileAnalysisSession, type ProjectContext } from './file-analysis-job';

export type WorkerRequest = { kind: 'project'; context: ProjectContext } | { kind: 'share'; id: number; share: string[] };
export type WorkerReply = { id: number; result?: import('./file-analysis-job').FileAnalysisResult; error?: string };

/** A worker thread of the checker: its own parser, one project at a time, shares in order. */
const port = parentPort;
if (port) {
  let session: FileAnalysisSession | undefined;
  const ready = initPythonParser();
  // Messages are handled one after another, so a share never runs before its project.
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      if (request.kind === 'project') {
        session?.dispose();
        session = new FileAnalysisSession(request.context);
        return;
      }
      let reply: WorkerReply;
      try {
        await ready;
        if (!session) throw new Error('a share came before its project');
        reply = { id: request.id, result: session.analyze(request.share) };
      } catch (error) {
        reply = { id: request.id, error: (error as Error).message ?? String(error) };
      }
      port.postMessage(reply);
    });
  });
}
