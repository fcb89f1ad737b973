import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_TOKEN, startTestBot, webClient } from './test-bot.ts';

/** A modal with a file input; the test bot records `access_request` submissions. */
const fileModal = {
  type: 'modal',
  callback_id: 'access_request',
  title: { type: 'plain_text', text: 'Import' },
  submit: { type: 'plain_text', text: 'Send' },
  blocks: [
    {
      type: 'input',
      block_id: 'csv_file',
      label: { type: 'plain_text', text: 'CSV file' },
      element: { type: 'file_input', action_id: 'csv_file', filetypes: ['csv'], max_files: 1 },
    },
  ],
};

describe('files in the local workspace', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let client: ReturnType<typeof webClient>;
  beforeAll(async () => {
    bot = await startTestBot();
    client = webClient(bot.base);
  });
  afterAll(() => bot.stop());

  /** Uploads `content` as the page's file chooser does, as `user`. */
  async function pageUpload(user: string, name: string, content: string) {
    const res = await fetch(`${bot.base}/workspace/files?user=${user}&name=${name}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: content,
    });
    const json = (await res.json()) as { ok: boolean; file: { id: string; size: number } };
    expect(json.ok).toBe(true);
    return json.file;
  }

  it('hands a file_input upload to the bot as files: [{ id, … }] and serves url_private to the bot token only', async () => {
    const mine = await pageUpload('U0EMPLOYEE', 'people.csv', 'email\na@example.org\n');
    const theirs = await pageUpload('U0MANAGER', 'other.csv', 'email\nb@example.org\n');
    const open = await client.views.open({
      trigger_id: bot.workspace.store.issueTrigger('U0EMPLOYEE'),
      view: fileModal as never,
    });
    const viewId = open.view!.id!;
    // Someone else's upload is not the person's to submit, as in Slack: it is left out.
    const outcome = await bot.workspace
      .as('U0EMPLOYEE')
      .submit(viewId, { csv_file: { csv_file: [mine.id, theirs.id] } });
    expect(outcome).toEqual({ ok: true });
    const submitted = bot.seen.submissions.at(-1) as {
      view: { state: { values: Record<string, Record<string, { files: unknown[] }>> } };
    };
    const state = submitted.view.state.values.csv_file!.csv_file!;
    expect(state).toMatchObject({
      type: 'file_input',
      files: [{ id: mine.id, name: 'people.csv', filetype: 'csv', size: 20, user: 'U0EMPLOYEE' }],
    });
    expect(state.files).toHaveLength(1);

    const info = await client.files.info({ file: mine.id });
    const url = info.file!.url_private_download!;
    expect(url.startsWith(`${bot.base}/files-pri/T0LOCAL-${mine.id}/`)).toBe(true);
    expect((await fetch(url)).status).toBe(401);
    const wrong = await fetch(url, { headers: { authorization: 'Bearer xoxb-wrong' } });
    expect(wrong.status).toBe(403);
    const right = await fetch(url, { headers: { authorization: `Bearer ${BOT_TOKEN}` } });
    expect(await right.text()).toBe('email\na@example.org\n');
    await expect(client.files.info({ file: 'F0NOPE' })).rejects.toMatchObject({
      data: { error: 'file_not_found' },
    });
  });

  it('takes files.uploadV2 from the bot and shows the file only in the conversation it went to', async () => {
    const res = await client.files.uploadV2({
      channel_id: 'D0EMPLOYEE',
      file: Buffer.from('line,email\n2,a@example.org\n', 'utf8'),
      filename: 'results.csv',
      title: 'Import results',
      initial_comment: 'Here are your results.',
    });
    expect(res.ok).toBe(true);
    const erin = bot.workspace.stateFor('U0EMPLOYEE').messages.D0EMPLOYEE!.at(-1)!;
    expect(erin.text).toBe('Here are your results.');
    expect(erin.files).toEqual([
      expect.objectContaining({ name: 'results.csv', title: 'Import results', size: 27 }),
    ]);
    const download = await fetch(`${bot.base}${erin.files![0]!.url}`);
    expect(download.headers.get('content-disposition')).toContain('results.csv');
    expect(await download.text()).toBe('line,email\n2,a@example.org\n');

    // Nobody else sees it, nor can fetch it by naming themselves.
    const fileId = erin.files![0]!.id;
    const mo = bot.workspace.stateFor('U0MANAGER');
    expect(JSON.stringify(mo.messages)).not.toContain(fileId);
    const peek = await fetch(`${bot.base}/workspace/files/${fileId}?user=U0MANAGER`);
    expect(peek.status).toBe(404);
  });

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const url = await client.files.getUploadURLExternal({ filename: 'x.csv', length: 3 });
    await expect(
      client.files.completeUploadExternal({
        files: [{ id: url.file_id! }],
        channel_id: 'D0EMPLOYEE',
      }),
    ).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    const upload = await fetch(url.upload_url!, { method: 'POST', body: 'a,b' });
    expect(upload.status).toBe(200);
    // The upload URL works once.
    expect((await fetch(url.upload_url!, { method: 'POST', body: 'c,d' })).status).toBe(404);
    const done = await client.files.completeUploadExternal({
      files: [{ id: url.file_id!, title: 'Tiny' }],
      channel_id: 'D0EMPLOYEE',
    });
    expect(done.files?.[0]).toMatchObject({ id: url.file_id, title: 'Tiny', size: 3 });
  });
});
