import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CALLBACK, COMMAND } from '../../flows/ids.ts';

const manifest = parse(
  readFileSync(new URL('../../slack-app-manifest.yaml', import.meta.url), 'utf8'),
);

describe('slack-app-manifest.yaml', () => {
  it('declares the /access command with a usage hint', () => {
    const [command] = manifest.features.slash_commands;

    expect(command.command).toBe(COMMAND);
    expect(command.usage_hint).toContain('status [id | @user]');
    expect(command.url).toBe('https://YOUR-HOST/slack/events');
  });

  it('declares the shortcuts with the callback ids the flows listen to', () => {
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({
        type: 'global',
        name: 'Request access',
        callback_id: CALLBACK.openOnboarding,
      }),
      expect.objectContaining({
        type: 'message',
        name: 'Offboard this person',
        callback_id: CALLBACK.offboardShortcut,
      }),
    ]);
  });

  it('asks for exactly the bot scopes accessdesk uses', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(
      ['chat:write', 'commands', 'im:write', 'users:read', 'users:read.email'].sort(),
    );
  });

  it('subscribes to app_home_opened, enables interactivity and App Home', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.features.app_home).toMatchObject({
      home_tab_enabled: true,
      messages_tab_enabled: true,
    });
    expect(manifest.features.bot_user.always_online).toBe(true);
  });

  it("keeps within Slack's limits on descriptions", () => {
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(175);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.features.shortcuts[0].description.length).toBeLessThanOrEqual(150);
  });
});
