// Product-level UI steps shared by the specs.
import type { Page } from 'playwright-core';
import { pickQuickItem, runCommand, typeInQuickInput, waitForNotification, waitForQuickInputPrompt } from './workbench';

/**
 * Stores a key the way a user does: palette → app → password box. With one configured app the picker is
 * skipped by the extension: pass `pick: false`.
 */
export async function setKeyThroughUi(page: Page, app: string, key: string, o: { pick?: boolean } = {}): Promise<void> {
  await runCommand(page, 'Dify: Set API Key');
  if (o.pick !== false) {
    await waitForQuickInputPrompt(page, /Set the API key of which app/);
    await pickQuickItem(page, app);
  }
  // The password box's title names the app ("API key of Code Reviewer"); the picker's placeholder does not.
  await waitForQuickInputPrompt(page, `API key of ${app}`);
  await typeInQuickInput(page, key);
  await waitForNotification(page, /secret storage/);
}
