import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { installedRuleDocs } from './rule-docs';
import { createServer } from './server';

// `--node-ipc` (VS Code) or `--stdio` (other editors), read from the command line.
const connection = createConnection(ProposedFeatures.all);

// A bug must cost one request, not the server: log it and keep serving.
process.on('uncaughtException', (error) => connection.console.error(`uncaught exception: ${error.stack ?? error}`));
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${(reason as Error)?.stack ?? reason}`));

createServer(connection, { docsDirectory: installedRuleDocs(__dirname) });
connection.listen();
