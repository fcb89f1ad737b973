import { Readable } from 'node:stream';
import type { App } from '@slack/bolt';
import { describeError } from '../../src/errors.ts';
import { importChecking, importModal, importResult, importText } from '../blocks/batch.ts';
import type { FlowDeps } from '../deps.ts';
import { resolveViewer, unknownUserText } from '../identity.ts';
import { CALLBACK, FIELD } from '../ids.ts';
import { takeTurn } from '../turns.ts';
import { type ImportOutcome, importPeople } from './run.ts';

/** The largest import file accepted (100k rows of this shape are about 20 MB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

type FileInput = { files?: Array<{ id: string; name?: string }> };

/** Opens the bulk onboarding modal (`/access import`). */
export async function openImport(client: App['client'], triggerId: string) {
  await client.views.open({ trigger_id: triggerId, view: importModal() });
}

/**
 * Downloads a file uploaded through the modal's `file_input` with the bot token: `files.info`
 * names its private URL, which only answers with the token.
 */
async function download(client: App['client'], token: string, fileId: string) {
  const info = await client.files.info({ file: fileId });
  const file = info.file;
  const url = file?.url_private_download ?? file?.url_private;
  if (!file || !url) throw new Error('Slack did not give the file');
  if ((file.size ?? 0) > MAX_FILE_BYTES)
    throw new Error(`the file is over ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok || !res.body) throw new Error(`Slack answered ${res.status} for the file`);
  return { name: file.name ?? `${fileId}.csv`, stream: Readable.fromWeb(res.body as never) };
}

/** `/access import`'s modal: the file is checked after the ack, the modal shows the outcome. */
export function register(app: App, deps: FlowDeps): void {
  app.view(CALLBACK.bulkImport, async ({ ack, body, view, client, context }) => {
    const values = view.state.values as Record<string, Record<string, FileInput>>;
    const file = values[FIELD.csvFile]?.[FIELD.csvFile]?.files?.[0];
    if (!file || !deps.bulk) {
      await ack({
        response_action: 'errors',
        errors: { [FIELD.csvFile]: deps.bulk ? 'Choose a CSV file.' : 'Imports are off here.' },
      });
      return;
    }
    await ack({ response_action: 'update', view: importChecking(file.name ?? 'the file') });
    await takeTurn(context);
    const tell = (text: string) => client.chat.postMessage({ channel: body.user.id, text });
    const viewer = await resolveViewer(deps.tenant, client, body.user.id);
    let outcome: ImportOutcome | { kind: 'failed'; reason: string };
    if (!viewer?.known) outcome = { kind: 'failed', reason: unknownUserText(body.user.id) };
    else {
      try {
        const token = context.botToken ?? client.token ?? '';
        const { name, stream } = await download(client, token, file.id);
        outcome = await importPeople(
          { tenant: deps.tenant, imports: deps.bulk, lifecycle: deps.lifecycle },
          stream,
          { requesterEmail: viewer.email, fileName: name },
        );
      } catch (error) {
        outcome = { kind: 'failed', reason: describeError(error) };
      }
    }
    await client.views.update({ view_id: view.id, view: importResult(outcome) }).catch(() => {
      // Closed meanwhile: the DM below says the same.
    });
    await tell(importText(outcome));
  });
}
