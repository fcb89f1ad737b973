import { loadConfig } from './config.ts';
import { describeError } from './errors.ts';
import { createLogger, defaultLogger } from './log.ts';
import { guardProcess } from './process-guards.ts';
import { startAccessdesk } from './server.ts';

/** `npm start`: the composition root. Fails fast, listing every configuration problem. */
async function main() {
  guardProcess(process, defaultLogger);
  const config = loadConfig();
  const logger = createLogger({
    level: config.log.level,
    pretty: config.log.format === 'pretty' && process.stdout.isTTY,
  });
  const desk = await startAccessdesk(config, { logger });
  const { engine, origin } = desk.database;
  logger.info(`database: ${engine.name} ${engine.version} (${origin})`);
  if (desk.workspace) {
    logger.info(
      `no Slack credentials: local workspace at http://localhost:${config.port}/ ` +
        '(pick who you are at the top, then type /access request)',
    );
  } else if (config.slack.appToken) {
    logger.info('connected to Slack in Socket Mode');
  } else {
    logger.info(`listening for Slack on ${config.publicUrl}/slack/events`);
  }
  const stop = async () => {
    await desk.stop();
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  defaultLogger.fatal(`could not start: ${describeError(error)}`);
  if (!(error instanceof Error && 'code' in error)) defaultLogger.fatal({ err: error }, 'cause');
  process.exit(1);
});
