import { loadConfig } from './config.ts';
import { describeError } from './errors.ts';
import { boundedLog } from './log.ts';
import { guardProcess } from './process-guards.ts';
import { startAccessdesk } from './server.ts';

/** `npm start`: the composition root. Fails fast, listing every configuration problem. */
async function main() {
  guardProcess(
    process,
    boundedLog((line) => console.error(line)),
  );
  const config = loadConfig();
  const desk = await startAccessdesk(config);
  const { engine, origin } = desk.database;
  console.log(`[accessdesk] database: ${engine.name} ${engine.version} (${origin})`);
  if (desk.workspace) {
    console.log(
      `[accessdesk] no Slack credentials: local workspace at http://localhost:${config.port}/ ` +
        '(pick who you are at the top, then type /access request)',
    );
  } else if (config.slack.appToken) {
    console.log('[accessdesk] connected to Slack in Socket Mode');
  } else {
    console.log(`[accessdesk] listening for Slack on ${config.publicUrl}/slack/events`);
  }
  const stop = async () => {
    await desk.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`[accessdesk] could not start:\n${describeError(error)}`);
  if (!(error instanceof Error && 'code' in error)) console.error(error);
  process.exit(1);
});
