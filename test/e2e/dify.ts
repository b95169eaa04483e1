// Product-level UI steps shared by the specs.
import type { Page } from 'playwright-core';
import { pickQuickItem, runCommand, typeInQuickInput, waitForNotification, waitForQuickInputPrompt } from './workbench';

/** Stores a key the way a user does: palette → app (when several) → password box. */
export async function setKeyThroughUi(page: Page, app: string, key: string): Promise<void> {
  await runCommand(page, 'Dify: Set API Key');
  const picker = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: app });
  if (await picker.first().isVisible({ timeout: 1500 }).catch(() => false)) await pickQuickItem(page, app);
  await waitForQuickInputPrompt(page, /API key/);
  await typeInQuickInput(page, key);
  await waitForNotification(page, /secret storage/);
}
